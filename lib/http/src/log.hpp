#pragma once
// The "http" spdlog logger, shared by every client. Thread-safe.
#include <spdlog/spdlog.h>

#include <memory>

namespace ferry::http::detail {

// Returns the logger registered as "http", registering a stdout one if the
// daemon has not; never throws when another thread registers it first.
std::shared_ptr<spdlog::logger> logger();

}  // namespace ferry::http::detail
