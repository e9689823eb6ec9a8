#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <poll.h>

#include <stdexcept>

#include "connection_impl.hpp"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <tuple>
#include <utility>

namespace ferry::http::detail {
namespace {

using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;

open_outcome failed(errc code, std::string detail) {
  return {nullptr, make_error_code(code), std::move(detail)};
}

// A DNS name goes into SNI and the certificate check; an IP literal only into
// the check, since RFC 6066 forbids addresses in SNI.
bool name_peer(SSL* ssl, const url& origin, bool verify_peer) {
  const bool ip = origin.host_is_ip();
  // SSL_set_tlsext_host_name spelled out: the macro's C cast trips -Wold-style-cast.
  if (!ip && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                      const_cast<char*>(origin.host.c_str())) != 1) {
    return false;
  }
  if (!verify_peer) return true;
  if (ip) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), origin.host.c_str()) == 1;
  return SSL_set1_host(ssl, origin.host.c_str()) == 1;
}

// OpenSSL keeps the reason a chain or name was refused; a failed handshake
// with a verification result is the certificate's fault, anything else the
// protocol's.
open_outcome handshake_failure(SSL* ssl, const boost::system::error_code& ec, const std::string& where,
                               bool verify_peer, const client_options& options) {
  if (ec == beast::error::timeout) {
    return failed(errc::connect_timeout, fmt::format("tls handshake with {}: no answer within {} ms",
                                                     where, options.connect_timeout.count()));
  }
  const long verdict = SSL_get_verify_result(ssl);
  if (verify_peer && verdict != X509_V_OK) {
    return failed(errc::certificate_rejected,
                  fmt::format("tls handshake with {}: certificate verify failed: {}", where,
                              X509_verify_cert_error_string(verdict)));
  }
  return failed(errc::tls_handshake_failed, fmt::format("tls handshake with {}: {}", where, ec.message()));
}

asio::awaitable<open_outcome> secure(std::unique_ptr<connection::impl> state, tls_settings::impl& tls,
                                     const url& origin, const client_options& options) {
  auto& stream = *state->secure;
  if (!name_peer(stream.native_handle(), origin, tls.verify_peer)) {
    co_return failed(errc::tls_handshake_failed,
                     fmt::format("tls handshake with {}: cannot set the peer name", state->origin));
  }
  boost::system::error_code ec;
  co_await stream.async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return handshake_failure(stream.native_handle(), ec, state->origin, tls.verify_peer, options);
  state->tcp().expires_never();
  co_return open_outcome{std::make_unique<connection>(std::move(state)), {}, {}};
}

}  // namespace

namespace {

std::shared_ptr<tls_settings::impl> make_context(bool verify_peer, const std::string& ca_file) {
  auto made = std::make_shared<tls_settings::impl>();
  auto& context = made->context;
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  made->verify_peer = verify_peer;
  if (!verify_peer) {
    context.set_verify_mode(ssl::verify_none);
    return made;
  }
  context.set_verify_mode(ssl::verify_peer);
  context.set_default_verify_paths();
  if (ca_file.empty()) return made;
  boost::system::error_code ec;
  context.load_verify_file(ca_file, ec);
  if (ec) throw std::runtime_error(fmt::format("http: cannot load ca_file '{}': {}", ca_file, ec.message()));
  return made;
}

// The size and time of the file a context trusts (ca_file, or the system's
// bundle), so that a file changed since (a rotated ca_file, an updated
// ca-certificates) gets a context of its own at the next reload.
std::string file_identity(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return "?";
  const auto time = std::filesystem::last_write_time(path, ec);
  if (ec) return "?";
  return std::to_string(size) + "@" + std::to_string(time.time_since_epoch().count());
}

std::string trusted_file(bool verify_peer, const std::string& ca_file) {
  if (!verify_peer) return {};
  if (!ca_file.empty()) return ca_file;
  const char* env = std::getenv(X509_get_default_cert_file_env());
  return env != nullptr && *env != '\0' ? env : X509_get_default_cert_file();
}

// One context per verification setting (and version of its CA file) in the
// process, while a client uses it.
std::shared_ptr<tls_settings::impl> shared_context(bool verify_peer, const std::string& ca_file) {
  static std::mutex guard;
  static std::map<std::tuple<bool, std::string, std::string>, std::weak_ptr<tls_settings::impl>> made;
  const auto identity = file_identity(trusted_file(verify_peer, ca_file));
  const std::lock_guard lock{guard};
  auto& slot = made[{verify_peer, ca_file, identity}];
  if (auto existing = slot.lock()) return existing;
  auto fresh = make_context(verify_peer, ca_file);
  slot = fresh;
  return fresh;
}

}  // namespace

tls_settings::tls_settings(const client_options& options)
    : verify_peer_(options.verify_peer), ca_file_(options.ca_file.value_or("")) {
  if (verify_peer_ && !ca_file_.empty()) impl_ = shared_context(verify_peer_, ca_file_);
}

tls_settings::impl& tls_settings::get() {
  if (!impl_) impl_ = shared_context(verify_peer_, ca_file_);
  return *impl_;
}

tls_settings::~tls_settings() = default;

connection::connection(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

connection::~connection() = default;

bool connection::looks_alive() {
  auto& socket = impl_->tcp().socket();
  if (!socket.is_open() || impl_->buffer.size() != 0) return false;
  pollfd watch{socket.native_handle(), POLLIN, 0};
  return ::poll(&watch, 1, 0) == 0;
}

namespace {

// Asks the proxy on `stream` for a tunnel to `origin`; "" when it opened one,
// else why not. The proxy's answer ends at its blank line; a tunnel sends
// nothing more before the origin speaks.
asio::awaitable<std::string> tunnel(beast::tcp_stream& stream, const url& origin, const std::string& proxy) {
  const std::string target = origin_of(origin);
  const std::string ask = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n";
  boost::system::error_code ec;
  co_await asio::async_write(stream, asio::buffer(ask), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fmt::format("proxy {}: sending CONNECT {}: {}", proxy, target, ec.message());
  std::string answer;
  co_await asio::async_read_until(stream, asio::dynamic_buffer(answer, 16384), "\r\n\r\n",
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec == beast::error::timeout) co_return fmt::format("proxy {}: no answer to CONNECT {}", proxy, target);
  if (ec) co_return fmt::format("proxy {}: reading the answer to CONNECT {}: {}", proxy, target, ec.message());
  const auto status_line = answer.substr(0, answer.find("\r\n"));
  // "HTTP/1.1 200 Connection established": any 2xx opens the tunnel.
  const auto space = status_line.find(' ');
  if (space == std::string::npos || status_line.compare(space + 1, 1, "2") != 0)
    co_return fmt::format("proxy {} refused CONNECT {}: {}", proxy, target, status_line);
  co_return std::string{};
}

}  // namespace

asio::awaitable<open_outcome> open_connection(asio::any_io_executor executor, tls_settings& tls,
                                              const url& origin, const client_options& options) {
  const std::string where = origin_of(origin);
  // Through a proxy, the TCP connection is the proxy's; the tunnel is the origin's.
  const url& first_hop = options.proxy ? *options.proxy : origin;
  const std::string hop = options.proxy ? "proxy " + origin_of(*options.proxy) : where;
  boost::system::error_code ec;
  tcp::resolver resolver(executor);
  const auto flags = first_hop.host_is_ip() ? tcp::resolver::numeric_host : tcp::resolver::flags{};
  const auto endpoints = co_await resolver.async_resolve(first_hop.host, std::to_string(first_hop.port), flags,
                                                         asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return failed(errc::resolve_failed, fmt::format("resolve {}: {}", first_hop.host, ec.message()));

  beast::tcp_stream stream(executor);
  stream.expires_after(options.connect_timeout);
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == beast::error::timeout) {
    co_return failed(errc::connect_timeout,
                     fmt::format("connect to {}: no answer within {} ms", hop, options.connect_timeout.count()));
  }
  if (ec) co_return failed(errc::connect_failed, fmt::format("connect to {}: {}", hop, ec.message()));
  stream.socket().set_option(tcp::no_delay(true), ec);  // a failure here only costs latency
  if (options.proxy) {
    const auto refused = co_await tunnel(stream, origin, origin_of(*options.proxy));
    if (!refused.empty()) co_return failed(errc::connect_failed, refused);
  }

  auto state = std::make_unique<connection::impl>();
  state->origin = where;
  if (origin.tls()) {
    state->secure.emplace(std::move(stream), tls.get().context);
    co_return co_await secure(std::move(state), tls.get(), origin, options);
  }
  stream.expires_never();
  state->plain.emplace(std::move(stream));
  co_return open_outcome{std::make_unique<connection>(std::move(state)), {}, {}};
}

}  // namespace ferry::http::detail
