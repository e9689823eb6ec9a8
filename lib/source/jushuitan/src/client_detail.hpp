#pragma once
// Private to the Jushuitan client: what its business-call half (client.cpp)
// and its token half (tokens.cpp) share.
#include "ferry/core/log.hpp"
#include "ferry/http/client.hpp"
#include "ferry/source/jushuitan/form.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace ferry::source::jushuitan::detail {

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline std::chrono::sys_seconds wall_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

inline std::shared_ptr<spdlog::logger> logger() { return core::module_logger("jushuitan"); }

inline http::request form_request(const std::string& path, const form_fields& fields, bool idempotent) {
  http::request req;
  req.method = "POST";
  req.target = path;
  req.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  req.body = encode_form(fields);
  req.idempotent = idempotent;
  return req;
}

}  // namespace ferry::source::jushuitan::detail
