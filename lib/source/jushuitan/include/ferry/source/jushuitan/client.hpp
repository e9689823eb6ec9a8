#pragma once
// The Jushuitan open-platform client of one app account: signs and sends
// business calls, waits on the account's rate limiter before each, retries
// transient failures with backoff, slows down on throttles, and refreshes the
// access token once when the platform says it expired (handing the new
// tokens to a token_store right away, since the old refresh token stops
// working). A page comes back parsed, or a final failure with its reason.
//
// Owned by the wiring, one per configured source; shared by every job of
// that source. Not thread-safe: use it from its executor's thread.
#include "ferry/core/asio.hpp"
#include "ferry/http/client.hpp"
#include "ferry/http/url.hpp"
#include "ferry/ratelimit/clock.hpp"
#include "ferry/ratelimit/limiter.hpp"
#include "ferry/retry/backoff.hpp"
#include "ferry/retry/policy.hpp"
#include "ferry/source/jushuitan/envelope.hpp"
#include "ferry/source/jushuitan/signing.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ferry::source::jushuitan {

struct tokens {
  std::string access_token;
  std::string refresh_token;
  std::optional<std::chrono::sys_seconds> expires_at;
};

struct client_options {
  std::string source_name;  // for logs
  http::url base;
  std::string app_key;
  std::string app_secret;
  tokens initial_tokens;
  std::vector<ratelimit::rate> rates;
  retry::policy retry;
  http::client_options http;
  std::uint64_t seed = 0;  // backoff jitter; 0 picks one from the clock
  // Metrics hooks, both optional: every HTTP call's outcome class and
  // duration, and every wait on the rate limiter.
  std::function<void(retry::outcome, std::chrono::duration<double>)> on_call;
  std::function<void(std::chrono::nanoseconds)> on_limiter_wait;
};

// Persists refreshed tokens; called on the client's executor thread.
using token_saver = std::function<asio::awaitable<void>(const tokens&)>;

// What happened over the life of the client; read by the run summary and metrics.
struct call_counters {
  std::uint64_t calls = 0;          // HTTP requests sent
  std::uint64_t ok = 0;             // answered with code 0
  std::uint64_t transient = 0;      // network errors, 5xx, code 150, malformed bodies
  std::uint64_t throttled = 0;      // 199/200/429
  std::uint64_t token_refreshes = 0;
  std::uint64_t failed = 0;         // fetches given up
  std::chrono::nanoseconds limiter_wait{0};
};

struct fetch_result {
  std::optional<page> value;
  std::string error;  // the give-up reason when value is empty
  int attempts = 0;
  int throttles = 0;
};

class client {
 public:
  client(asio::any_io_executor ex, client_options options, const ratelimit::clock& clk, token_saver save);
  ~client();

  // One business call: POST `path` with `biz` (page_index/page_size already
  // in it), answered as a page of `list_key` records.
  asio::awaitable<fetch_result> fetch(const std::string& path, const nlohmann::json& biz,
                                      const std::string& list_key);

  const call_counters& counters() const { return counters_; }
  const tokens& current_tokens() const { return tokens_; }
  ratelimit::limiter& limiter() { return limiter_; }
  // Wakes every coroutine waiting on the limiter so that a stopping daemon does not hang.
  void shutdown();

 private:
  struct attempt_outcome;
  asio::awaitable<attempt_outcome> attempt(const std::string& path, const std::string& biz,
                                           const std::string& list_key);
  asio::awaitable<std::string> refresh_tokens(std::uint64_t seen_generation);
  asio::awaitable<void> sleep(std::chrono::milliseconds d);

  asio::any_io_executor executor_;
  client_options options_;
  token_saver save_;
  http::client http_;
  ratelimit::limiter limiter_;
  retry::backoff backoff_;
  tokens tokens_;
  std::uint64_t token_generation_ = 0;
  bool refreshing_ = false;
  std::unique_ptr<asio::steady_timer> refresh_done_;
  call_counters counters_;
};

// The form fields of a signed business call (exposed for tests).
form_fields business_call_fields(const std::string& app_key, const std::string& app_secret,
                                 const std::string& access_token, const std::string& biz, std::int64_t timestamp);
// The form fields of a signed token refresh (exposed for tests).
form_fields refresh_call_fields(const std::string& app_key, const std::string& app_secret,
                                const std::string& refresh_token, std::int64_t timestamp);

}  // namespace ferry::source::jushuitan
