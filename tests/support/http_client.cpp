#include "support/http_client.hpp"

#include "ferry/core/asio.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <limits>
#include <optional>

namespace ferry::test_support {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Beast 1.74 has its own string_view.
beast::string_view bv(std::string_view text) { return {text.data(), text.size()}; }

}  // namespace

struct http_client::state {
  asio::io_context context;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // Runs one asynchronous operation to completion on the private context.
  template <class Start>
  boost::system::error_code run(Start start) {
    boost::system::error_code result;
    start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
    context.restart();
    context.run();
    return result;
  }
};

http_client::http_client(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout), state_(std::make_unique<state>()) {}

http_client::~http_client() = default;

void http_client::disconnect() {
  if (state_->stream) {
    boost::system::error_code ignored;
    state_->stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    state_->stream->close();
  }
  state_->stream.reset();
  state_->buffer.clear();
}

http_result http_client::post_form(std::string_view target, std::string_view body) {
  return request("POST", target, body, "application/x-www-form-urlencoded");
}

http_result http_client::post_json(std::string_view target, std::string_view body) {
  return request("POST", target, body, "application/json");
}

http_result http_client::get(std::string_view target) { return request("GET", target, {}, {}); }

http_result http_client::request(std::string_view method, std::string_view target, std::string_view body,
                                 std::string_view content_type) {
  auto& s = *state_;
  http_result result;
  if (!s.stream) {
    s.stream.emplace(s.context);
    s.stream->expires_after(timeout_);
    const tcp::endpoint endpoint{asio::ip::make_address(host_), port_};
    result.error = s.run([&](auto handler) { s.stream->async_connect(endpoint, handler); });
    ++connections_opened_;
  }
  http::request<http::string_body> req{http::string_to_verb(bv(method)), bv(target), 11};
  req.set(http::field::host, host_);
  if (!content_type.empty()) req.set(http::field::content_type, bv(content_type));
  for (const auto& [name, value] : extra_headers_) req.set(bv(name), bv(value));
  req.body() = std::string{body};
  req.keep_alive(true);
  req.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  if (!result.error) {
    s.stream->expires_after(timeout_);
    result.error = s.run([&](auto handler) { http::async_write(*s.stream, req, handler); });
  }
  if (!result.error) result.error = s.run([&](auto handler) { http::async_read(*s.stream, s.buffer, parser, handler); });
  if (result.error) {
    disconnect();
    return result;
  }
  auto& res = parser.get();
  result.response.status = res.result_int();
  result.response.content_type = std::string{res[http::field::content_type]};
  result.response.chunked = res.chunked();
  result.response.body = std::move(res.body());
  if (!res.keep_alive()) disconnect();
  return result;
}

}  // namespace ferry::test_support
