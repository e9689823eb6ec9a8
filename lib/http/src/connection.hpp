#pragma once
// One HTTP/1.1 connection to one origin (plain TCP or TLS), and the TLS
// settings every connection of a client shares. Beast and OpenSSL stay
// behind these pimpls so that only connect.cpp and exchange.cpp pay for
// them. Not thread-safe: used on the client's io_context thread only.
#include <memory>
#include <string>
#include <system_error>

#include "ferry/core/asio.hpp"
#include "ferry/http/client.hpp"

namespace ferry::http::detail {

// "127.0.0.1:9400", "[::1]:443": where a connection goes, for details and logs.
inline std::string origin_of(const url& u) {
  const bool v6 = u.host.find(':') != std::string::npos;
  return (v6 ? "[" + u.host + "]" : u.host) + ":" + std::to_string(u.port);
}

// The SSL_CTX of one client: protocol floor, verification mode, trusted CAs.
// Clients with the same verification settings share one context, and the
// system's CA bundle (some 150 certificates parsed from 200 KB) is loaded
// when the first https connection needs it: not at all for plain http, once
// for fifty accounts. A CA file whose size or time changed (a rotated
// ca_file, updated ca-certificates) is read again by the clients made after
// the change (a reload).
class tls_settings {
 public:
  // Throws std::runtime_error when options.ca_file cannot be loaded (read
  // at once, so that a wrong path fails at start-up).
  explicit tls_settings(const client_options& options);
  ~tls_settings();
  tls_settings(const tls_settings&) = delete;
  tls_settings& operator=(const tls_settings&) = delete;

  struct impl;
  impl& get();

 private:
  bool verify_peer_ = true;
  std::string ca_file_;  // empty: the system's bundle
  std::shared_ptr<impl> impl_;
};

class connection {
 public:
  struct impl;
  explicit connection(std::unique_ptr<impl> state);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // False when the socket of an idle connection is readable: its server
  // closed it (or sent something unasked), so it must not carry a request.
  bool looks_alive();
  impl& get() { return *impl_; }

 private:
  std::unique_ptr<impl> impl_;
};

struct open_outcome {
  std::unique_ptr<connection> conn;  // set when error is empty
  std::error_code error;
  std::string detail;
};

// Resolves, connects and, for https, handshakes with SNI and the host name
// checked. Connect and handshake share connect_timeout; name resolution is
// bounded only by the system resolver.
asio::awaitable<open_outcome> open_connection(asio::any_io_executor executor, tls_settings& tls,
                                              const url& origin, const client_options& options);

struct exchange_outcome {
  std::error_code error;
  std::string detail;
  response res;
  bool reusable = false;          // a complete keep-alive response with nothing after it
  bool nothing_received = false;  // failed before a single response byte arrived
};

// Writes `req` and reads the whole response within request_timeout. After an
// error the connection is unusable and must be dropped.
asio::awaitable<exchange_outcome> exchange(connection& conn, const url& origin, const request& req,
                                           const client_options& options);

}  // namespace ferry::http::detail
