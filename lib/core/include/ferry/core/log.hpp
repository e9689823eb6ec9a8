#pragma once
// One spdlog logger per module ("http", "sync", "jushuitan", ...). The
// daemon registers them at start-up so that they share its sink and format;
// a module used on its own (tests, tools) gets a clone of the default logger.
// Thread-safe.
#include <spdlog/spdlog.h>

#include <memory>

namespace ferry::core {

// The logger registered under `name`, registering one first if needed;
// never throws when another thread registers it at the same time.
std::shared_ptr<spdlog::logger> module_logger(const char* name);

}  // namespace ferry::core
