#include "ferry/http/client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <string_view>

#include "connection.hpp"
#include "ferry/core/log_format.hpp"
#include "ferry/core/version.hpp"
#include "log.hpp"

namespace ferry::http {
namespace detail {

struct client_state {
  client_state(asio::any_io_executor e, client_options o)
      : executor(std::move(e)), options(std::move(o)), tls(options), log(logger()) {}

  asio::any_io_executor executor;
  client_options options;
  tls_settings tls;
  std::shared_ptr<spdlog::logger> log;
  // Idle keep-alive connections by "scheme://host:port", oldest first.
  std::map<std::string, std::deque<std::unique_ptr<connection>>, std::less<>> idle;
  std::uint64_t opened = 0;
};

}  // namespace detail

namespace {

using detail::client_state;
using detail::connection;

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) { return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char); }

// CR, LF or NUL in a field would split it into fields the caller never wrote.
bool is_field_value(std::string_view text) { return text.find_first_of({"\r\n\0", 3}) == std::string_view::npos; }

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

// The framing fields are the client's to write: a caller's value would
// desynchronise the connection for the next request.
bool is_reserved(std::string_view name) {
  return iequals(name, "host") || iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
         iequals(name, "connection");
}

// What makes `req` unsendable, or "" when it is fine.
std::string check_request(const request& req, const client_options& options) {
  if (!is_token(req.method)) return fmt::format("method '{}' is not an HTTP token", req.method);
  const bool bad_target = std::any_of(req.target.begin(), req.target.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
  });
  if (bad_target) return fmt::format("target '{}' has a space or control character", req.target);
  if (!is_field_value(req.content_type) || !is_field_value(options.user_agent)) {
    return "content type or user agent has a CR, LF or NUL";
  }
  for (const auto& [name, value] : req.headers) {
    if (!is_token(name)) return fmt::format("header name '{}' is not an HTTP token", name);
    if (is_reserved(name)) return fmt::format("header '{}' is set by the client", name);
    if (!is_field_value(value)) return fmt::format("header '{}' has a CR, LF or NUL in its value", name);
  }
  return {};
}

std::string pool_key(const url& origin) { return origin.scheme + "://" + detail::origin_of(origin); }

// The most recently parked connection is the likeliest to be alive; the ones
// their server closed while they idled are dropped on the way.
std::unique_ptr<connection> take_idle(client_state& s, const std::string& key) {
  const auto found = s.idle.find(key);
  if (found == s.idle.end()) return nullptr;
  auto& parked = found->second;
  while (!parked.empty()) {
    auto conn = std::move(parked.back());
    parked.pop_back();
    if (conn->looks_alive()) return conn;
    s.log->debug("origin={} reason=closed_while_idle dropped an idle connection", key);
  }
  return nullptr;
}

void park(client_state& s, const std::string& key, std::unique_ptr<connection> conn) {
  if (s.options.max_idle_per_host == 0) return;
  auto& parked = s.idle[key];
  parked.push_back(std::move(conn));
  while (parked.size() > s.options.max_idle_per_host) parked.pop_front();
}

result finish(client_state& s, const std::string& key, const request& req, std::unique_ptr<connection> conn,
              detail::exchange_outcome out) {
  if (out.error) {
    s.log->debug("origin={} method={} target={} error={} detail={} failed", key, req.method, req.target,
                 core::log_quote(out.error.message()), core::log_quote(out.detail));
    return result{out.error, {}, std::move(out.detail)};
  }
  s.log->debug("origin={} method={} target={} status={} bytes={} keep_alive={} answered", key, req.method,
               req.target, out.res.status, out.res.body.size(), out.reusable);
  if (out.reusable) park(s, key, std::move(conn));
  return result{{}, std::move(out.res), {}};
}

asio::awaitable<result> send_on(std::shared_ptr<client_state> s, url base, request req) {
  if (auto problem = check_request(req, s->options); !problem.empty()) {
    co_return result{make_error_code(errc::invalid_request), {}, std::move(problem)};
  }
  const std::string key = pool_key(base);
  if (auto reused = take_idle(*s, key)) {
    auto out = co_await detail::exchange(*reused, base, req, s->options);
    const bool dead_on_arrival = out.error == errc::connection_closed && out.nothing_received;
    if (!dead_on_arrival) co_return finish(*s, key, req, std::move(reused), std::move(out));
    if (!req.idempotent) {
      out.detail += " on a reused keep-alive connection; not sent again: the request is not idempotent";
      co_return finish(*s, key, req, std::move(reused), std::move(out));
    }
    s->log->debug("origin={} method={} target={} reason={} retrying", key, req.method, req.target,
                  core::log_quote(out.detail));
  }
  auto opened = co_await detail::open_connection(s->executor, s->tls, base, s->options);
  if (opened.error) {
    s->log->debug("origin={} error={} detail={} connect failed", key, core::log_quote(opened.error.message()),
                  core::log_quote(opened.detail));
    co_return result{opened.error, {}, std::move(opened.detail)};
  }
  ++s->opened;
  s->log->debug("origin={} connections_opened={} connected", key, s->opened);
  auto out = co_await detail::exchange(*opened.conn, base, req, s->options);
  co_return finish(*s, key, req, std::move(opened.conn), std::move(out));
}

}  // namespace

std::string default_user_agent() { return "ferry/" + std::string(core::version()); }

client::client(asio::any_io_executor executor, client_options options)
    : state_(std::make_shared<client_state>(std::move(executor), std::move(options))) {}

client::~client() = default;
client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;

asio::awaitable<result> client::send(const url& base, request req) {
  return send_on(state_, base, std::move(req));  // the coroutine owns copies: `this` may go away
}

void client::close_idle() { state_->idle.clear(); }

std::size_t client::idle_connections() const {
  std::size_t count = 0;
  for (const auto& [key, parked] : state_->idle) count += parked.size();
  return count;
}

std::uint64_t client::connections_opened() const { return state_->opened; }

}  // namespace ferry::http
