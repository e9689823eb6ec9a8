#pragma once
// The admin API's answer to one request, without a socket: auth, routing,
// method, query and body checks, then the control call. This is all the
// server does once Beast has read a request (body and header limits are the
// transport's, in session.cpp), so tests and the fuzz target drive the API
// through here. Runs on the caller's executor; `options`, `c` and `req` must
// outlive the returned awaitable. Thread-safe as far as `c` is.
#include "ferry/admin/control.hpp"
#include "ferry/admin/server.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ferry::admin {

// The parts of an HTTP request the API looks at.
struct request {
  std::string method;  // "GET", ...
  std::string target;  // "/api/v1/jobs?x=1"
  std::string authorization;
  std::string content_type;
  std::string body;
};

struct response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Allow, WWW-Authenticate, ...
  // Set on an answer to HEAD: the length of the body GET would have sent
  // (the Content-Length sent); `body` is empty.
  std::optional<std::size_t> head_length;
};

// Never throws: a control that throws gives 500.
asio::awaitable<response> answer(const server_options& options, control& c, const request& req);

}  // namespace ferry::admin
