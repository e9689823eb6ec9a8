#pragma once
// The admin API's spdlog logger, "admin". Thread-safe.
#include <spdlog/spdlog.h>

#include <memory>

namespace ferry::admin::detail {

std::shared_ptr<spdlog::logger> logger();

}  // namespace ferry::admin::detail
