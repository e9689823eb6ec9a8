#include "log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace ferry::admin::detail {

std::shared_ptr<spdlog::logger> logger() {
  constexpr const char* name = "admin";
  if (auto existing = spdlog::get(name)) return existing;
  try {
    return spdlog::stdout_color_mt(name);
  } catch (const spdlog::spdlog_ex&) {
    // Lost a registration race: the winner's logger is as good as ours.
    if (auto existing = spdlog::get(name)) return existing;
    return spdlog::default_logger();
  }
}

}  // namespace ferry::admin::detail
