#pragma once
// ferry's HTTP/1.1 client: one per source, over plain TCP or TLS (OpenSSL,
// TLS 1.2 or later, peer verified against the system CA store by default,
// SNI and host name checked), keeping idle keep-alive connections per origin
// (scheme, host, port) for reuse. Every HTTP status is a response: redirects
// are not followed and 429/5xx are the caller's to judge; only transport
// failures are errors. Bodies are not decompressed (it asks for identity).
// Beast and OpenSSL stay in the sources.
//
// Thread-safety: none. A client and every coroutine that calls `send` run on
// one io_context thread; several such coroutines may call `send` at the same
// time, each getting its own connection (an idle one or a new one; there is
// no limit here: the caller bounds concurrency). Coroutines still running
// `send` share ownership of the client's state, so destroying the client
// while they run is safe. A moved-from client may only be destroyed or
// assigned to.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "ferry/core/asio.hpp"
#include "ferry/http/error.hpp"
#include "ferry/http/url.hpp"

namespace ferry::http {

namespace detail {
struct client_state;
}  // namespace detail

using header_list = std::vector<std::pair<std::string, std::string>>;

struct request {
  std::string method = "POST";
  std::string target;        // path and optional query, appended to the url's base_path (see make_target)
  std::string content_type;  // left out when empty
  std::string body;
  header_list headers;  // extra fields; replace the client's own (User-Agent, ...) of the same name,
                        // but Host, Content-Length, Transfer-Encoding and Connection are refused
                        // (errc::invalid_request): the client frames the message itself
  // True when the server may see this request twice: if a reused keep-alive
  // connection turns out dead before any response byte, the request is sent
  // once more on a fresh connection. When false, that case is reported as
  // errc::connection_closed instead.
  bool idempotent = true;
};

// A response body has this many bytes of room past its end (zeros, within
// the string's capacity), so that a parser that reads ahead (simdjson reads
// up to 64 bytes past a document) can read it where it lies.
inline constexpr std::size_t body_padding = 64;

struct response {
  unsigned status = 0;
  std::string body;  // with body_padding bytes of capacity past its end
  std::string content_type;  // "" when the server sent none
  header_list headers;       // every field as received, in order
};

struct result {
  std::error_code error;  // an errc value; empty when a response arrived, whatever its status
  response res;
  std::string detail;  // human text on failure: "connect to 127.0.0.1:9400: Connection refused"
  bool ok() const { return !error; }
};

// "ferry/0.1.0".
std::string default_user_agent();

struct client_options {
  std::chrono::milliseconds connect_timeout{10'000};  // TCP connect plus TLS handshake
  std::chrono::milliseconds request_timeout{30'000};  // writing the request plus reading the whole response
                                                      // (per attempt: a retry gets a fresh one)
  std::size_t max_body_bytes = std::size_t{64} << 20;
  bool verify_peer = true;             // false: accept any certificate (tests and labs only)
  std::optional<std::string> ca_file;  // PEM file trusted in addition to the system store
  std::size_t max_idle_per_host = 8;   // idle keep-alive connections kept per origin; 0 keeps none
  std::string user_agent = default_user_agent();
  // Every connection goes through this HTTP proxy, tunnelled with CONNECT
  // (see proxy.hpp for where it comes from); none: direct.
  std::optional<url> proxy;
};

class client {
 public:
  // Throws std::runtime_error when ca_file cannot be loaded (a config error).
  client(asio::any_io_executor executor, client_options options);
  ~client();
  client(client&&) noexcept;
  client& operator=(client&&) noexcept;
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Sends `req` to base's origin and reads the whole response. Never throws
  // for network failures: they are returned in result::error with a detail.
  // A request that cannot be sent safely (a method or header name that is
  // not a token, CR/LF in a value, a reserved header, a space in the target)
  // is errc::invalid_request and never leaves the process. `base` is copied.
  asio::awaitable<result> send(const url& base, request req);

  // Closes every idle keep-alive connection.
  void close_idle();
  // Idle keep-alive connections currently parked (some may have been closed
  // by their server since; they are dropped when next taken).
  std::size_t idle_connections() const;
  // Connections established (TCP connected and, for https, TLS handshaken) so far.
  std::uint64_t connections_opened() const;

 private:
  std::shared_ptr<detail::client_state> state_;
};

}  // namespace ferry::http
