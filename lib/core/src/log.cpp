#include "ferry/core/log.hpp"

namespace ferry::core {

std::shared_ptr<spdlog::logger> module_logger(const char* name) {
  if (auto existing = spdlog::get(name)) return existing;
  auto created = spdlog::default_logger()->clone(name);
  try {
    spdlog::register_logger(created);
  } catch (const spdlog::spdlog_ex&) {
    // Lost a registration race: the winner's logger is as good as ours.
    if (auto existing = spdlog::get(name)) return existing;
  }
  return created;
}

}  // namespace ferry::core
