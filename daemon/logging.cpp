#include "logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace ferry::daemon {

void setup_logging(const config::log_config& log, log_stream stream) {
  std::shared_ptr<spdlog::logger> logger;
  if (stream == log_stream::out) logger = spdlog::stdout_logger_mt("ferry");
  else logger = spdlog::stderr_logger_mt("ferry");
  if (log.format == config::log_format::json)
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","logger":"%n","msg":"%v"})");
  else
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e level=%l logger=%n %v");
  switch (log.level) {
    case config::log_level::trace: logger->set_level(spdlog::level::trace); break;
    case config::log_level::debug: logger->set_level(spdlog::level::debug); break;
    case config::log_level::info: logger->set_level(spdlog::level::info); break;
    case config::log_level::warn: logger->set_level(spdlog::level::warn); break;
    case config::log_level::error: logger->set_level(spdlog::level::err); break;
  }
  spdlog::set_default_logger(logger);
  // Modules log through named loggers; made here, they share this sink and format.
  for (const char* name : {"admin", "http", "jushuitan", "sync", "daemon", "ratelimit"})
    if (!spdlog::get(name)) spdlog::register_logger(logger->clone(name));
}

}  // namespace ferry::daemon
