#pragma once
// A small synchronous HTTP/1.1 client for integration tests: one keep-alive
// connection to one host:port, every request bounded by a timeout, failures
// returned as error codes (never thrown) so a test can assert on a reset or a
// timeout.
//
// After a failed request the connection is dropped; the next request
// reconnects. One object per connection; not thread-safe (use one per thread).
// Beast lives in http_client.cpp only.
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::test_support {

struct http_response {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  bool chunked = false;  // the body came with Transfer-Encoding: chunked
};

struct http_result {
  boost::system::error_code error;  // empty on success; e.g. beast timeout, eof, connection_reset
  http_response response;           // meaningful only without error
  bool ok() const { return !error; }
};

class http_client {
 public:
  http_client(std::string host, std::uint16_t port,
              std::chrono::milliseconds timeout = std::chrono::seconds{10});
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // POST with Content-Type application/x-www-form-urlencoded.
  http_result post_form(std::string_view target, std::string_view body);
  // POST with Content-Type application/json.
  http_result post_json(std::string_view target, std::string_view body);
  http_result get(std::string_view target);
  // Any request; an empty content_type sends no Content-Type header.
  http_result request(std::string_view method, std::string_view target, std::string_view body,
                      std::string_view content_type);

  // The time one request (connect, write and read) may take from now on.
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  // Sends this header with every later request ("Authorization", "Bearer x").
  void set_header(std::string name, std::string value) { extra_headers_.emplace_back(std::move(name), std::move(value)); }
  // Closes the connection; the next request opens a new one.
  void disconnect();
  // How many connections this client has opened (keep-alive keeps it at 1).
  int connections_opened() const { return connections_opened_; }

 private:
  struct state;
  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  int connections_opened_ = 0;
  std::vector<std::pair<std::string, std::string>> extra_headers_;
  std::unique_ptr<state> state_;
};

}  // namespace ferry::test_support
