#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include <cstdint>

#include "connection_impl.hpp"

namespace ferry::http::detail {
namespace {

namespace bhttp = beast::http;

// string_body for responses, but each piece appended (string_body resizes,
// zero-filling what it then overwrites) and body_padding bytes of zeros
// left past the end, for a page's parser to read the body where it lies.
struct padded_body {
  using value_type = std::string;

  static std::uint64_t size(const value_type& body) { return body.size(); }

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(bhttp::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, boost::system::error_code& ec) {
      ec = {};
      if (!length) return;
      if (*length > body_.max_size() - body_padding) {
        ec = bhttp::error::buffer_overflow;
        return;
      }
      body_.reserve(static_cast<std::size_t>(*length) + body_padding);
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
      const auto extra = beast::buffer_bytes(buffers);
      if (extra > body_.max_size() - body_padding - body_.size()) {
        ec = bhttp::error::buffer_overflow;
        return 0;
      }
      ec = {};
      for (const auto piece : beast::buffers_range_ref(buffers))
        body_.append(static_cast<const char*>(piece.data()), piece.size());
      return extra;
    }

    void finish(boost::system::error_code& ec) {
      ec = {};
      // Zeros past the end, within the capacity (reserved above when the
      // length was announced): a shorter size keeps the bytes and the room.
      const auto size = body_.size();
      body_.append(body_padding, '\0');
      body_.resize(size);
    }

   private:
    value_type& body_;
  };
};

using wire_request = bhttp::request<bhttp::string_body>;
using wire_parser = bhttp::response_parser<padded_body>;

constexpr std::uint32_t header_limit = 64 * 1024;

wire_request build(const url& origin, const request& req, const client_options& options) {
  wire_request message;
  message.version(11);
  message.method_string(req.method);
  message.target(make_target(origin, req.target));
  message.set(bhttp::field::host, origin.authority());
  message.set(bhttp::field::user_agent, options.user_agent);
  message.set(bhttp::field::accept_encoding, "identity");  // ferry does not decompress bodies
  if (!req.content_type.empty()) message.set(bhttp::field::content_type, req.content_type);
  for (const auto& [name, value] : req.headers) message.set(name, value);
  message.body() = req.body;
  message.prepare_payload();
  return message;
}

exchange_outcome failure(errc code, std::string detail, bool nothing_received = false) {
  exchange_outcome out;
  out.error = make_error_code(code);
  out.detail = std::move(detail);
  out.nothing_received = nothing_received;
  return out;
}

// The ways a peer ends a connection, as the socket, TLS and Beast report them.
bool is_closed(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated;
}

exchange_outcome classify(const boost::system::error_code& ec, bool nothing_received,
                          const connection::impl& conn, const client_options& options) {
  if (ec == beast::error::timeout) {
    return failure(errc::request_timeout, fmt::format("request to {}: no complete response within {} ms",
                                                      conn.origin, options.request_timeout.count()));
  }
  if (ec == bhttp::error::body_limit) {
    return failure(errc::body_too_large, fmt::format("response from {}: body over the limit of {} bytes",
                                                     conn.origin, options.max_body_bytes));
  }
  if (is_closed(ec)) {
    return failure(errc::connection_closed,
                   fmt::format("request to {}: connection closed {} ({})", conn.origin,
                               nothing_received ? "before any response" : "mid-response", ec.message()),
                   nothing_received);
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category()) {
    return failure(errc::protocol_error, fmt::format("response from {}: {}", conn.origin, ec.message()));
  }
  return failure(errc::connection_closed, fmt::format("request to {}: {}", conn.origin, ec.message()),
                 nothing_received);
}

exchange_outcome success(wire_parser& parser, const connection::impl& conn) {
  exchange_outcome out;
  const bool delimited = !parser.need_eof();
  auto message = parser.release();
  out.res.status = message.result_int();
  out.res.content_type = std::string(message[bhttp::field::content_type]);
  for (const auto& field : message) {
    out.res.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.res.body = std::move(message.body());
  // After 101 the connection no longer speaks HTTP/1.1.
  out.reusable = delimited && message.keep_alive() && conn.buffer.size() == 0 && out.res.status != 101;
  return out;
}

constexpr std::size_t read_buffer_bytes = 64 * 1024;

// Beast 1.74's eager parser forgets a body_limit error raised by
// Content-Length when body bytes arrive with the header (and padded_body would
// reserve the announced length), so the header is read on its own and its
// Content-Length checked here; chunked and close-delimited bodies are counted
// by the parser itself.
template <class Stream>
asio::awaitable<boost::system::error_code> read_response(Stream& stream, connection::impl& conn,
                                                         wire_parser& parser, const client_options& options) {
  boost::system::error_code ec;
  co_await bhttp::async_read_header(stream, conn.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || parser.is_done()) co_return ec;
  if (const auto length = parser.content_length(); length && *length > options.max_body_bytes) {
    co_return bhttp::error::body_limit;
  }
  // Beast reads as much as the buffer's free capacity, and a flat_buffer the
  // parser empties after every read keeps its first 512 bytes: a 300 KB page
  // took some 600 reads (each a recvmsg, an epoll_wait and two timer
  // updates). With room for 64 KiB it takes a handful.
  conn.buffer.reserve(read_buffer_bytes);
  co_await bhttp::async_read(stream, conn.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

template <class Stream>
asio::awaitable<exchange_outcome> exchange_on(Stream& stream, connection::impl& conn, const wire_request& message,
                                              const client_options& options) {
  boost::system::error_code ec;
  conn.tcp().expires_after(options.request_timeout);  // one deadline for the write and every read
  co_await bhttp::async_write(stream, message, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return classify(ec, true, conn, options);
  bool interim_seen = false;
  for (;;) {
    wire_parser parser;
    parser.body_limit(std::uint64_t{options.max_body_bytes});
    parser.header_limit(header_limit);
    parser.skip(message.method() == bhttp::verb::head);
    ec = co_await read_response(stream, conn, parser, options);
    if (ec) {
      const bool nothing = !interim_seen && !parser.got_some() && conn.buffer.size() == 0;
      co_return classify(ec, nothing, conn, options);
    }
    const unsigned status = parser.get().result_int();
    if (status >= 100 && status < 200 && status != 101) {
      interim_seen = true;  // 100 Continue and friends precede the real response
      continue;
    }
    conn.tcp().expires_never();
    co_return success(parser, conn);
  }
}

}  // namespace

asio::awaitable<exchange_outcome> exchange(connection& conn, const url& origin, const request& req,
                                           const client_options& options) {
  const wire_request message = build(origin, req, options);
  auto& state = conn.get();
  if (state.secure) co_return co_await exchange_on(*state.secure, state, message, options);
  co_return co_await exchange_on(*state.plain, state, message, options);
}

}  // namespace ferry::http::detail
