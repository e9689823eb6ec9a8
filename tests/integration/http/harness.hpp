#pragma once
// Drives ferry::http::client from a test's own thread: each helper runs the
// test's io_context until the sends it started are done.
#include <catch2/catch.hpp>

#include <exception>
#include <string>
#include <vector>

#include "ferry/core/asio.hpp"
#include "ferry/http/client.hpp"

namespace ferry::http::testing {

inline url local_url(std::uint16_t port, const std::string& scheme = "http", const std::string& host = "127.0.0.1",
                     const std::string& path = "") {
  std::string error;
  auto parsed = parse_url(scheme + "://" + host + ":" + std::to_string(port) + path, error);
  INFO(error);
  REQUIRE(parsed.has_value());
  return *parsed;
}

inline result send_one(asio::io_context& context, client& c, const url& base, request req) {
  auto future = asio::co_spawn(context, c.send(base, std::move(req)), asio::use_future);
  context.restart();
  context.run();
  return future.get();
}

// Starts every request at once, so each needs a connection of its own.
inline std::vector<result> send_all(asio::io_context& context, client& c, const url& base,
                                    std::vector<request> requests) {
  std::vector<result> results(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    asio::co_spawn(context, c.send(base, std::move(requests[i])), [&results, i](std::exception_ptr error, result r) {
      if (error) std::rethrow_exception(error);
      results[i] = std::move(r);
    });
  }
  context.restart();
  context.run();
  return results;
}

inline request get(std::string target) {
  request req;
  req.method = "GET";
  req.target = std::move(target);
  return req;
}

inline request post(std::string target, std::string body) {
  request req;
  req.target = std::move(target);
  req.content_type = "application/x-www-form-urlencoded";
  req.body = std::move(body);
  return req;
}

}  // namespace ferry::http::testing
