#include "test_server.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>

#include "ferry/core/asio.hpp"

namespace ferry::http::testing {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::use_awaitable;
using error_code = boost::system::error_code;

constexpr auto read_timeout = std::chrono::seconds{20};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return out;
}

}  // namespace

struct test_server::state {
  mutable std::mutex mutex;
  reply fallback;
  std::deque<reply> scripted;
  std::vector<seen_request> seen;
  std::vector<std::string> names;
  std::size_t accepted = 0;
  std::size_t closed = 0;

  std::optional<ssl::context> tls;  // outlives the io_context, whose sessions use it
  asio::io_context context;
  tcp::acceptor acceptor{context};
  std::thread runner;

  std::size_t note_accepted() {
    std::lock_guard lock(mutex);
    return accepted++;
  }

  void note_closed() {
    std::lock_guard lock(mutex);
    ++closed;
  }

  void note_server_name(const char* name) {
    std::lock_guard lock(mutex);
    names.emplace_back(name == nullptr ? "" : name);
  }

  reply record(const bhttp::request<bhttp::string_body>& req, std::size_t connection) {
    seen_request entry{std::string(req.method_string()), std::string(req.target()), req.body(), {}, connection};
    for (const auto& field : req) entry.headers[lower(std::string(field.name_string()))] = std::string(field.value());
    std::lock_guard lock(mutex);
    seen.push_back(std::move(entry));
    if (scripted.empty()) return fallback;
    reply next = std::move(scripted.front());
    scripted.pop_front();
    return next;
  }
};

namespace {

asio::awaitable<void> pause(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(use_awaitable);
}

// Writes the reply; true when the connection stays open for another request.
template <class Stream>
asio::awaitable<bool> answer(Stream& stream, const reply& r, const bhttp::request<bhttp::string_body>& req) {
  error_code ec;
  if (!r.raw.empty()) {
    co_await asio::async_write(stream, asio::buffer(r.raw), asio::redirect_error(use_awaitable, ec));
    co_return !ec && !r.close_after && !r.connection_close;
  }
  bhttp::response<bhttp::string_body> res;
  res.version(11);
  res.result(r.status);
  res.set(bhttp::field::server, "ferry-test");
  res.set(bhttp::field::content_type, r.content_type);
  res.body() = r.echo ? req.body() : r.body;
  res.keep_alive(req.keep_alive() && !r.connection_close && r.body_framing != reply::framing::until_close);
  if (r.body_framing == reply::framing::chunked) res.chunked(true);
  if (r.body_framing == reply::framing::content_length) res.prepare_payload();
  co_await bhttp::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
  co_return !ec && res.keep_alive() && !r.close_after;
}

// Serves requests on one connection until a reply or the client ends it.
template <class Stream>
asio::awaitable<void> serve(Stream& stream, beast::tcp_stream& lowest, test_server::state& s, std::size_t index) {
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(std::uint64_t{64} << 20);
    lowest.expires_after(read_timeout);
    error_code ec;
    co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    const auto req = parser.release();
    const reply r = s.record(req, index);
    if (r.delay.count() > 0) co_await pause(r.delay);
    if (r.what == reply::action::close_without_answer) co_return;
    if (r.what == reply::action::never_answer) {
      bhttp::request_parser<bhttp::string_body> next;  // returns when the client hangs up
      co_await bhttp::async_read(stream, buffer, next, asio::redirect_error(use_awaitable, ec));
      co_return;
    }
    if (!co_await answer(stream, r, req)) co_return;
  }
}

asio::awaitable<void> session(tcp::socket socket, test_server::state& s) {
  const std::size_t index = s.note_accepted();
  beast::tcp_stream plain(std::move(socket));
  if (!s.tls) {
    co_await serve(plain, plain, s, index);
    error_code ignored;
    plain.socket().close(ignored);
    s.note_closed();
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> secure(std::move(plain), *s.tls);
  auto& lowest = beast::get_lowest_layer(secure);
  lowest.expires_after(read_timeout);
  error_code ec;
  co_await secure.async_handshake(ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
  s.note_server_name(SSL_get_servername(secure.native_handle(), TLSEXT_NAMETYPE_host_name));
  if (!ec) co_await serve(secure, lowest, s, index);
  lowest.socket().close(ec);
  s.note_closed();
}

// A coroutine that fails says so on stderr, where Catch shows it with the test.
auto report(const char* what) {
  return [what](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      std::cerr << "test_server " << what << " failed: " << e.what() << '\n';
    }
  };
}

asio::awaitable<void> accept_loop(test_server::state& s) {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await s.acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;  // closed by the destructor
    asio::co_spawn(s.context, session(std::move(socket), s), report("session"));
  }
}

}  // namespace

test_server::test_server(std::optional<tls_identity> tls) : state_(std::make_unique<state>()) {
  if (tls) {
    auto& context = state_->tls.emplace(ssl::context::tls_server);
    context.use_certificate_chain(asio::buffer(tls->cert_pem));
    context.use_private_key(asio::buffer(tls->key_pem), ssl::context::pem);
  }
  const tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), 0};
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  asio::co_spawn(state_->context, accept_loop(*state_), report("accept loop"));
  state_->runner = std::thread([s = state_.get()] { s->context.run(); });
}

test_server::~test_server() {
  state_->context.stop();
  state_->runner.join();
}

std::uint16_t test_server::port() const { return state_->acceptor.local_endpoint().port(); }

void test_server::set_default(reply r) {
  std::lock_guard lock(state_->mutex);
  state_->fallback = std::move(r);
}

void test_server::script(std::vector<reply> replies) {
  std::lock_guard lock(state_->mutex);
  state_->scripted.assign(replies.begin(), replies.end());
}

std::size_t test_server::connections_accepted() const {
  std::lock_guard lock(state_->mutex);
  return state_->accepted;
}

std::size_t test_server::connections_closed() const {
  std::lock_guard lock(state_->mutex);
  return state_->closed;
}

std::vector<seen_request> test_server::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->seen;
}

std::vector<std::string> test_server::server_names() const {
  std::lock_guard lock(state_->mutex);
  return state_->names;
}

bool test_server::wait_closed(std::size_t count, std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (connections_closed() < count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return true;
}

}  // namespace ferry::http::testing
