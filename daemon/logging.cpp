#include "logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <string_view>

namespace ferry::daemon {
namespace {

// %* in a pattern: the message escaped as a JSON string body, so that a
// message with quotes, backslashes or newlines still makes a valid JSON line.
class json_message_flag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    static constexpr char hex[] = "0123456789abcdef";
    for (const char c : std::string_view{msg.payload.data(), msg.payload.size()}) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        dest.push_back('\\');
        dest.push_back(c);
      } else if (c == '\n') {
        dest.append(std::string_view{"\\n"});
      } else if (u < 0x20) {
        dest.append(std::string_view{"\\u00"});
        dest.push_back(hex[u >> 4]);
        dest.push_back(hex[u & 0x0f]);
      } else {
        dest.push_back(c);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<json_message_flag>(); }
};

}  // namespace

void setup_logging(const config::log_config& log, log_stream stream) {
  std::shared_ptr<spdlog::logger> logger;
  if (stream == log_stream::out) logger = spdlog::stdout_logger_mt("ferry");
  else logger = spdlog::stderr_logger_mt("ferry");
  if (log.format == config::log_format::json) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<json_message_flag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","logger":"%n","msg":"%*"})");
    logger->set_formatter(std::move(formatter));
  } else
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
