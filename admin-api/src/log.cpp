#include "log.hpp"

#include "ferry/core/log.hpp"

namespace ferry::admin::detail {

std::shared_ptr<spdlog::logger> logger() { return core::module_logger("admin"); }

}  // namespace ferry::admin::detail
