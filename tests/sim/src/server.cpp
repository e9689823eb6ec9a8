#include "ferry/sim/server.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

namespace ferry::sim {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

constexpr auto idle_timeout = std::chrono::seconds{120};
constexpr auto write_timeout = std::chrono::seconds{60};
constexpr std::size_t body_limit = 16 * 1024 * 1024;
constexpr std::size_t truth_chunk_bytes = 256 * 1024;

// Beast 1.74 has its own string_view.
std::string_view view(beast::string_view text) { return {text.data(), text.size()}; }

sys_seconds wall_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Completion of a spawned coroutine: expected network errors are debug noise,
// anything else is logged as a warning; nothing escapes silently.
auto log_exception(const char* what) {
  return [what](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const boost::system::system_error& e) {
      spdlog::debug("{} ended: {}", what, e.what());
    } catch (const std::exception& e) {
      spdlog::warn("{} failed: {}", what, e.what());
    }
  };
}

asio::awaitable<void> write_reply(beast::tcp_stream& stream, sim_reply& reply, unsigned version,
                                  bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(reply.status), version};
  res.set(http::field::server, "jst-sim");
  res.set(http::field::content_type, reply.content_type);
  res.keep_alive(keep_alive);
  res.body() = std::move(reply.body);
  res.prepare_payload();
  stream.expires_after(write_timeout);
  co_await http::async_write(stream, res, use_awaitable);
}

// Streams the truth as a chunked body, one chunk of JSON lines at a time.
asio::awaitable<void> write_truth(beast::tcp_stream& stream, engine& eng, truth_cursor cursor,
                                  const sim_reply& reply, unsigned version, bool keep_alive) {
  http::response<http::empty_body> res{http::status::ok, version};
  res.set(http::field::server, "jst-sim");
  res.set(http::field::content_type, reply.content_type);
  res.keep_alive(keep_alive);
  res.chunked(true);
  http::response_serializer<http::empty_body> serializer{res};
  stream.expires_after(write_timeout);
  co_await http::async_write_header(stream, serializer, use_awaitable);
  std::string chunk;
  while (!cursor.done) {
    chunk.clear();
    eng.read_truth(cursor, wall_now(), chunk, truth_chunk_bytes);
    if (chunk.empty()) continue;
    stream.expires_after(write_timeout);
    co_await asio::async_write(stream, http::make_chunk(asio::buffer(chunk)), use_awaitable);
  }
  co_await asio::async_write(stream, http::make_chunk_last(), use_awaitable);
}

// Closes the connection with an RST and no answer, as a crashed proxy would.
void reset_connection(beast::tcp_stream& stream) {
  boost::system::error_code ignored;
  stream.socket().set_option(tcp::socket::linger(true, 0), ignored);
  stream.socket().close(ignored);
}

asio::awaitable<void> session(beast::tcp_stream stream, engine& eng) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    stream.expires_after(idle_timeout);
    boost::system::error_code ec;
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;  // the client left, idled out, or sent something that is not HTTP
    auto& req = parser.get();
    const bool keep_alive = req.keep_alive();
    sim_reply reply = eng.handle({view(req.method_string()), view(req.target()), view(req[http::field::content_type]), req.body()},
                                 wall_now(), std::chrono::steady_clock::now());
    if (reply.kind == reply_kind::reset) {
      reset_connection(stream);
      co_return;
    }
    if (reply.delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, reply.delay);
      co_await timer.async_wait(use_awaitable);
    }
    if (reply.kind == reply_kind::truth) co_await write_truth(stream, eng, reply.truth, reply, req.version(), keep_alive);
    else co_await write_reply(stream, reply, req.version(), keep_alive);
    if (!keep_alive) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, engine& eng) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(acceptor.get_executor(), session(beast::tcp_stream(std::move(socket)), eng),
                   log_exception("session"));
  }
}

}  // namespace

struct server::state {
  state(asio::io_context& context, engine& e) : acceptor(context), eng(e) {}
  tcp::acceptor acceptor;
  engine& eng;
};

server::server(asio::io_context& context, engine& engine, const std::string& host, std::uint16_t port)
    : state_(std::make_unique<state>(context, engine)) {
  const tcp::endpoint endpoint{asio::ip::make_address(host), port};
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen(asio::socket_base::max_listen_connections);
}

server::~server() = default;

std::uint16_t server::port() const { return state_->acceptor.local_endpoint().port(); }

void server::start() {
  asio::co_spawn(state_->acceptor.get_executor(), accept_loop(state_->acceptor, state_->eng),
                 log_exception("accept loop"));
}

void server::stop() {
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
}

}  // namespace ferry::sim
