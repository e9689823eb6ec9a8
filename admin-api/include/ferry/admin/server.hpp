#pragma once
// ferry's admin HTTP server: /healthz, /readyz, /metrics and the /api/v1
// routes of docs/admin-api.md over HTTP/1.1 (keep-alive) or HTTPS. It owns
// transport, routing, bearer-token auth, body limits, timeouts and the JSON
// error format; what each operation means is the `control`'s (control.hpp).
//
// Ownership and threads: the server runs on the executor it is given (all its
// work goes through one strand of it); `control` must outlive the server and
// every session, i.e. keep it until the executor has stopped running after
// stop(). start() and stop() may be called from any thread; the destructor
// calls stop(). Beast stays in src/.
#include "ferry/admin/control.hpp"
#include "ferry/core/asio.hpp"
#include "ferry/core/secret.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ferry::admin {

namespace detail {
struct server_state;
}

struct server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: the system picks one; start() says which
  // The bearer token every /api route requires. Must not be empty: the
  // server refuses to be built without one (an open admin API is never a default).
  core::secret token;
  bool metrics_need_token = false;  // GET /metrics asks for the token too
  // Both or neither: with them, every connection is HTTPS (TLS 1.2+).
  std::optional<std::string> tls_cert_file, tls_key_file;
  std::size_t body_limit = 64 * 1024;  // bigger request bodies get 413
  // A request (or a TLS handshake) must arrive whole within read_timeout of
  // the connection opening or of its first byte; writing a response is
  // bounded by it too.
  std::chrono::seconds read_timeout{10};
  // How long a keep-alive connection may sit idle between requests.
  std::chrono::seconds idle_timeout{60};
  // Connections beyond this are closed as soon as they are accepted.
  std::size_t max_sessions = 1024;
};

class server {
 public:
  // Throws std::invalid_argument for an empty token or half a TLS pair.
  server(asio::any_io_executor ex, server_options opts, control& c);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Loads the TLS files, binds, listens and starts accepting; returns the
  // bound port. Throws std::system_error (address in use, bad address) or
  // std::runtime_error (unreadable certificate or key) at start-up.
  std::uint16_t start();
  // Closes the acceptor and every live connection (in-flight control calls
  // finish, their replies are dropped). Idempotent; does not wait.
  void stop();

 private:
  std::shared_ptr<detail::server_state> state_;
};

}  // namespace ferry::admin
