#include "ferry/admin/server.hpp"

#include "log.hpp"
#include "router.hpp"
#include "session.hpp"

#include <boost/asio/ssl/context.hpp>

#include <stdexcept>

namespace ferry::admin {

struct detail::server_state {
  server_state(asio::any_io_executor ex, server_options o, control& c)
      : strand(asio::make_strand(ex)), options(std::move(o)), routes(options, c), acceptor(strand) {}

  asio::strand<asio::any_io_executor> strand;
  server_options options;
  detail::router routes;
  asio::ip::tcp::acceptor acceptor;
  std::unique_ptr<asio::ssl::context> tls;
  detail::connection_set connections;  // strand only, like the two below
  std::size_t sessions = 0;            // spawned and not yet finished
  bool stopped = false;
};

namespace {

using state_ptr = std::shared_ptr<detail::server_state>;

std::unique_ptr<asio::ssl::context> load_tls(const server_options& options) {
  auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  try {
    tls->use_certificate_chain_file(*options.tls_cert_file);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("admin TLS certificate " + *options.tls_cert_file + ": " + e.what());
  }
  try {
    tls->use_private_key_file(*options.tls_key_file, asio::ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("admin TLS key " + *options.tls_key_file + ": " + e.what());
  }
  return tls;
}

void log_failure(const char* what, std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    detail::logger()->error("{} ended by an exception: {}", what, e.what());
  }
}

asio::awaitable<void> run_session(state_ptr self, asio::ip::tcp::socket socket) {
  struct finished {
    detail::server_state& s;
    ~finished() { --s.sessions; }
  } guard{*self};
  co_await detail::serve(std::move(socket), self->tls.get(), self->options, self->routes, self->connections);
}

// One session per accepted connection, refused beyond max_sessions.
asio::awaitable<void> accept_loop(state_ptr self) {
  asio::steady_timer backoff(self->strand);
  while (!self->stopped) {
    boost::system::error_code ec;
    auto socket = co_await self->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (self->stopped) co_return;
    if (ec) {
      // Out of descriptors and the like: pause instead of spinning.
      detail::logger()->warn("accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (self->sessions >= self->options.max_sessions) {
      detail::logger()->warn("refused a connection: {} sessions open (max_sessions)", self->sessions);
      continue;  // the socket closes here
    }
    ++self->sessions;
    asio::co_spawn(self->strand, run_session(self, std::move(socket)),
                   [](std::exception_ptr e) { log_failure("admin session", e); });
  }
}

}  // namespace

server::server(asio::any_io_executor ex, server_options opts, control& c) {
  if (opts.token.empty()) throw std::invalid_argument("the admin API needs a bearer token");
  if (opts.tls_cert_file.has_value() != opts.tls_key_file.has_value()) {
    throw std::invalid_argument("admin TLS needs both a certificate file and a key file");
  }
  state_ = std::make_shared<detail::server_state>(std::move(ex), std::move(opts), c);
}

server::~server() { stop(); }

std::uint16_t server::start() {
  auto& s = *state_;
  if (s.options.tls_cert_file) s.tls = load_tls(s.options);
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(s.options.address), s.options.port);
  s.acceptor.open(endpoint.protocol());
  s.acceptor.set_option(asio::socket_base::reuse_address(true));
  s.acceptor.bind(endpoint);
  s.acceptor.listen(asio::socket_base::max_listen_connections);
  const auto port = s.acceptor.local_endpoint().port();
  detail::logger()->info("admin API listening on {}:{}{}", s.options.address, port, s.tls ? " (TLS)" : "");
  asio::co_spawn(s.strand, accept_loop(state_), [](std::exception_ptr e) { log_failure("admin acceptor", e); });
  return port;
}

void server::stop() {
  asio::dispatch(state_->strand, [self = state_] {
    if (self->stopped) return;
    self->stopped = true;
    boost::system::error_code ignored;
    self->acceptor.close(ignored);
    self->connections.close_all();
  });
}

}  // namespace ferry::admin
