#pragma once
// An in-process HTTP/1.1 server (plain or TLS) on 127.0.0.1 for the client's
// integration tests. Each test scripts what it does per request (echo, a
// status, a delay, hanging up, never answering, a big body, Connection: close)
// and reads back what it saw (requests, connections, SNI names). It runs its
// own io_context on its own thread; every public function is thread-safe.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ferry::http::testing {

// What the server does with one request.
struct reply {
  enum class action {
    respond,               // answer as below
    close_without_answer,  // read the request, then hang up
    never_answer,          // read the request, then wait until the client hangs up
  };
  enum class framing {
    content_length,  // Content-Length: n
    chunked,         // Transfer-Encoding: chunked, the body in one chunk
    until_close,     // no length: the body ends when the server hangs up
  };
  action what = action::respond;
  framing body_framing = framing::content_length;
  unsigned status = 200;
  bool echo = false;         // answer with the request's body instead of `body`
  std::string body = "ok";
  std::string content_type = "text/plain";
  std::chrono::milliseconds delay{0};  // before answering
  bool connection_close = false;       // answer with "Connection: close", then hang up
  bool close_after = false;            // hang up after answering without saying so (an idle timeout)
  std::string raw;                     // when set: these bytes verbatim instead of a response
};

struct seen_request {
  std::string method;
  std::string target;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::size_t connection = 0;                  // 0 for the first connection accepted, ...
};

struct tls_identity {
  std::string cert_pem;
  std::string key_pem;
};

class test_server {
 public:
  explicit test_server(std::optional<tls_identity> tls = std::nullopt);
  ~test_server();
  test_server(const test_server&) = delete;
  test_server& operator=(const test_server&) = delete;

  std::uint16_t port() const;
  // The reply for requests the script does not cover (initially: 200 "ok").
  void set_default(reply r);
  // Replies for the next requests, in order; then the default again.
  void script(std::vector<reply> replies);

  std::size_t connections_accepted() const;
  std::size_t connections_closed() const;  // counted after the server closed its end
  std::vector<seen_request> requests() const;
  // The SNI name of every TLS handshake, in order ("" when the client sent none).
  std::vector<std::string> server_names() const;
  // Polls until `count` connections are closed; false if `limit` passes first.
  bool wait_closed(std::size_t count, std::chrono::milliseconds limit) const;

  struct state;

 private:
  std::unique_ptr<state> state_;
};

}  // namespace ferry::http::testing
