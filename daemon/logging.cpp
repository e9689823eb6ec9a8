#include "logging.hpp"

#include "ferry/core/log_format.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <streambuf>

namespace ferry::daemon {
namespace {

// Writes "<3>" before each line of what passes through to `next`.
class error_priority_buf final : public std::streambuf {
 public:
  explicit error_priority_buf(std::streambuf* next) : next_(next) {}

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (line_start_ && next_->sputn("<3>", 3) != 3) return traits_type::eof();
    line_start_ = traits_type::to_char_type(c) == '\n';
    return next_->sputc(traits_type::to_char_type(c));
  }
  int sync() override { return next_->pubsync(); }

 private:
  std::streambuf* next_;
  bool line_start_ = true;
};

}  // namespace

void mark_cerr_as_errors_for_journal() {
  if (!core::is_journal_stream(fileno(stderr))) return;
  // Never freed: std::cerr is flushed after static objects are destroyed.
  std::cerr.rdbuf(new error_priority_buf{std::cerr.rdbuf()});
}

void setup_logging(const config::log_config& log, log_stream stream) {
  std::shared_ptr<spdlog::logger> logger;
  if (stream == log_stream::out) logger = spdlog::stdout_logger_mt("ferry");
  else logger = spdlog::stderr_logger_mt("ferry");
  // Under systemd, journald reads each line's priority from its "<N>" prefix.
  const bool journal = core::is_journal_stream(fileno(stream == log_stream::out ? stdout : stderr));
  logger->set_formatter(core::make_log_formatter(
      log.format == config::log_format::json ? core::log_style::json : core::log_style::logfmt, journal));
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
