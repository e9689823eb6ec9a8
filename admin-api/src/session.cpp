#include "session.hpp"

#include "log.hpp"
#include "problems.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <chrono>

namespace ferry::admin::detail {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using error_code = beast::error_code;

constexpr std::size_t header_limit = 16 * 1024;
// After a closing answer, the peer's unread bytes are drained (so the close
// sends FIN, not RST, and the peer reads the answer), up to these bounds.
constexpr std::size_t drain_limit = 1024 * 1024;
constexpr std::chrono::seconds drain_time{1};

// The answer to a request that could not be read, or nullopt to just hang up
// (the peer left, or a timeout fired).
std::optional<response> refusal(const error_code& ec, const server_options& options) {
  if (ec == http::error::body_limit) {
    return problem_response(problem::body_too_large,
                            "request bodies are limited to " + std::to_string(options.body_limit) + " bytes");
  }
  if (ec == http::error::header_limit) {
    return problem_response(problem::headers_too_large, "request headers are too large");
  }
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
  if (&ec.category() == &make_error_code(http::error::bad_target).category()) {
    return problem_response(problem::bad_request, "malformed HTTP request: " + ec.message());
  }
  return std::nullopt;
}

template <class Stream>
class session {
 public:
  session(Stream& stream, const server_options& options, router& routes)
      : stream_(stream), options_(options), routes_(routes) {}

  asio::awaitable<void> run() {
    for (bool first = true;; first = false) {
      if (!co_await wait_for_request(first)) co_return;
      beast::get_lowest_layer(stream_).expires_after(options_.read_timeout);
      http::request_parser<http::string_body> parser;
      parser.header_limit(header_limit);
      parser.body_limit(options_.body_limit);
      error_code ec;
      co_await http::async_read(stream_, buffer_, parser, asio::redirect_error(asio::use_awaitable, ec));
      const auto started = std::chrono::steady_clock::now();
      if (ec) {
        if (auto answer = refusal(ec, options_)) {
          co_await respond(*answer, 11, false);
          log("-", "-", answer->status, started);
          co_await close();
        }
        co_return;
      }
      if (!co_await answer(parser.release(), started)) co_return;
    }
  }

 private:
  // Waits for a request's first byte: read_timeout on a new connection,
  // idle_timeout between keep-alive requests. False when none came.
  asio::awaitable<bool> wait_for_request(bool first) {
    if (buffer_.size() > 0) co_return true;
    beast::get_lowest_layer(stream_).expires_after(first ? options_.read_timeout : options_.idle_timeout);
    error_code ec;
    const auto n = co_await stream_.async_read_some(buffer_.prepare(4096), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return false;
    buffer_.commit(n);
    co_return true;
  }

  // Routes and answers one request; false when the connection is done.
  asio::awaitable<bool> answer(http::request<http::string_body> req, std::chrono::steady_clock::time_point started) {
    request plain{std::string(req.method_string()), std::string(req.target()),
                  std::string(req[http::field::authorization]), std::string(req[http::field::content_type]),
                  std::move(req.body())};
    const auto res = co_await routes_.handle(plain);
    const bool keep_alive = req.keep_alive();
    const bool written = co_await respond(res, req.version(), keep_alive);
    const auto target = std::string_view(plain.target);
    log(plain.method, target.substr(0, target.find('?')), res.status, started);
    if (written && keep_alive) co_return true;
    if (written) co_await close();
    co_return false;
  }

  asio::awaitable<bool> respond(const response& r, unsigned version, bool keep_alive) {
    http::response<http::string_body> res;
    res.version(version);
    res.result(r.status);
    res.set(http::field::content_type, r.content_type);
    res.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : r.headers) res.set(name, value);
    res.keep_alive(keep_alive);
    res.body() = r.body;
    if (r.head_length) {
      res.content_length(*r.head_length);  // an answer to HEAD: GET's length, no body
    } else {
      res.prepare_payload();
    }
    beast::get_lowest_layer(stream_).expires_after(options_.read_timeout);
    error_code ec;
    co_await http::async_write(stream_, res, asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
  }

  asio::awaitable<void> close();

  void log(std::string_view method, std::string_view path, unsigned status,
           std::chrono::steady_clock::time_point started) const {
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    logger()->debug("method={} path={} status={} ms={:.1f}", method, path, status, ms);
  }

  Stream& stream_;
  const server_options& options_;
  router& routes_;
  beast::flat_buffer buffer_;
};

// Plain TCP: send FIN, then drain what the peer still sends so it gets our answer.
template <>
asio::awaitable<void> session<beast::tcp_stream>::close() {
  error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  stream_.expires_after(drain_time);
  std::array<char, 4096> scratch{};
  for (std::size_t drained = 0; drained < drain_limit;) {
    drained += co_await stream_.async_read_some(asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
  }
}

// TLS: send close_notify and wait briefly for the peer's.
template <>
asio::awaitable<void> session<beast::ssl_stream<beast::tcp_stream>>::close() {
  beast::get_lowest_layer(stream_).expires_after(drain_time);
  error_code ec;
  co_await stream_.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
}

// Keeps the socket in the connection set while the session runs.
class registration {
 public:
  registration(connection_set& set, asio::ip::tcp::socket& socket) : set_(set), id_(set.add(socket)) {}
  ~registration() { set_.remove(id_); }
  registration(const registration&) = delete;
  registration& operator=(const registration&) = delete;

 private:
  connection_set& set_;
  std::uint64_t id_;
};

}  // namespace

std::uint64_t connection_set::add(asio::ip::tcp::socket& socket) {
  sockets_.emplace(next_id_, &socket);
  return next_id_++;
}

void connection_set::close_all() {
  for (auto& [id, socket] : sockets_) {
    error_code ignored;
    socket->close(ignored);
  }
}

asio::awaitable<void> serve(asio::ip::tcp::socket socket, asio::ssl::context* tls, const server_options& options,
                            router& routes, connection_set& connections) {
  if (tls == nullptr) {
    beast::tcp_stream stream(std::move(socket));
    registration registered(connections, stream.socket());
    co_await session<beast::tcp_stream>(stream, options, routes).run();
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
  registration registered(connections, beast::get_lowest_layer(stream).socket());
  beast::get_lowest_layer(stream).expires_after(options.read_timeout);
  error_code ec;
  co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    logger()->debug("tls handshake failed: {}", ec.message());
    co_return;
  }
  co_await session<beast::ssl_stream<beast::tcp_stream>>(stream, options, routes).run();
}

}  // namespace ferry::admin::detail
