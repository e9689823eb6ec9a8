#include "log.hpp"

#include "ferry/core/log.hpp"

namespace ferry::http::detail {

std::shared_ptr<spdlog::logger> logger() { return core::module_logger("http"); }

}  // namespace ferry::http::detail
