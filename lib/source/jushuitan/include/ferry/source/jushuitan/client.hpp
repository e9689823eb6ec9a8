#pragma once
// The Jushuitan open-platform client of one app account: signs and sends
// business calls, waits on the account's rate limiter before each, retries
// transient failures with backoff, slows down on throttles, and keeps the
// account's tokens alive without a person:
//   - it refreshes them ahead of expiry, on a timer of its own (keep_tokens),
//     when less than min(24 h, 10% of their lifetime) is left, and once at
//     start when the expiry is unknown; a refresh goes ahead of queued pages;
//   - it refreshes once when a call answers with the token message of code
//     100 (any other code-100 answer is a business error, tokens untouched);
//   - every refresh first re-reads the tokens from the token_store under the
//     account's row lock, so that two processes never refresh with a token
//     the other already replaced;
//   - a self-built app with mint_tokens gets fresh tokens from getInitToken
//     when none are stored, when they have expired, or when a refresh is
//     refused; a service-provider (ISV) app that the platform forbids to
//     refresh fails at once, naming what the merchant must do.
// A page comes back parsed, or a final failure with its reason.
//
// Owned by the wiring, one per configured source, and shared by every job of
// that source and the runs under way. It may be built on another thread (it
// starts nothing until used); after that it is not thread-safe: use it from
// its executor's thread.
#include "ferry/core/asio.hpp"
#include "ferry/core/secret.hpp"
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

using sys_seconds = std::chrono::sys_seconds;

struct tokens {
  std::string access_token;
  std::string refresh_token;
  std::optional<sys_seconds> expires_at;
  std::optional<sys_seconds> issued_at;  // when ferry got them, if known: lifetime = expires_at - issued_at
};

// Self-built (自研) apps refresh their tokens and may mint new ones with
// getInitToken; service-provider (服务商, ISV) apps may not refresh since
// 2023-08-15: their merchant authorises them again.
enum class app_kind { self_built, isv };

// Where an account's tokens live between processes (ferry_sources). Each
// function runs its SQL off the event loop and throws on a MySQL failure.
// An empty store (no functions) keeps the tokens in memory only.
struct token_store {
  // The stored tokens, if any.
  std::function<asio::awaitable<std::optional<tokens>>()> load;
  // Locks the account's row until unlock (creating it from `current` when
  // missing, if `current` has an access token) and returns what it holds.
  std::function<asio::awaitable<std::optional<tokens>>(const tokens& current)> lock;
  // Stores `fresh` when set, then lets go of the lock.
  std::function<asio::awaitable<void>(const std::optional<tokens>& fresh)> unlock;
  // Stores tokens without the lock: renewed tokens whose save failed, again.
  std::function<asio::awaitable<void>(const tokens& renewed)> save;
};

struct client_options {
  std::string source_name;  // for logs
  http::url base;
  std::string app_key;
  core::secret app_secret;  // revealed only to sign a call
  tokens initial_tokens;
  app_kind kind = app_kind::self_built;
  bool mint_tokens = false;  // self-built only: getInitToken when the tokens are missing, dead or refused
  // A process that ends with its run (ferryd --once, from cron) has no timer
  // between runs: it renews once half the tokens' lifetime is gone, so a
  // cron that runs it at least every 15 days (30-day tokens) never lets them
  // lapse. A daemon renews min(24 h, 10%) ahead, on its timer.
  bool renew_at_half_life = false;
  std::vector<ratelimit::rate> rates;
  retry::policy retry;
  http::client_options http;
  std::uint64_t seed = 0;  // backoff jitter; 0 picks one from the clock
  // Metrics hooks, all optional: every HTTP call's endpoint (its path),
  // outcome class and duration, every wait on the rate limiter, and the tokens whenever they
  // change (with when ferry renews them: nullopt when unknown or never, and
  // whether it can renew them by itself).
  std::function<void(const std::string& api, retry::outcome, std::chrono::duration<double>)> on_call;
  std::function<void(std::chrono::nanoseconds)> on_limiter_wait;
  std::function<void(const tokens&, std::optional<sys_seconds> refresh_due, bool renewable)> on_tokens;
  std::function<void()> on_renewed;  // this process refreshed or minted the tokens
};

// What happened over the life of the client; read by the run summary and metrics.
struct call_counters {
  std::uint64_t calls = 0;          // HTTP requests sent
  std::uint64_t ok = 0;             // answered with code 0
  std::uint64_t transient = 0;      // network errors, 5xx, code 150, malformed bodies
  std::uint64_t throttled = 0;      // 199/200/429
  std::uint64_t token_refreshes = 0;
  std::uint64_t token_mints = 0;    // getInitToken calls answered with tokens
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
  client(asio::any_io_executor ex, client_options options, const ratelimit::clock& clk, token_store store = {});
  ~client();

  // One business call: POST `path` with `biz` (page_index/page_size already
  // in it), answered as a page of `list_key` records.
  asio::awaitable<fetch_result> fetch(const std::string& path, const nlohmann::json& biz,
                                      const std::string& list_key,
                                      ratelimit::priority priority = ratelimit::priority::live);

  // Before a run: re-reads the stored tokens, mints tokens when there are
  // none or they are dead (self-built with mint_tokens), and refreshes them
  // when due. Never throws: a failure is logged, and the run meets it at its
  // first call if the tokens really do not work.
  asio::awaitable<void> sync_tokens();
  // Keeps the tokens alive until stop_keeping() or shutdown(): refreshes
  // them when due, re-reading the store at least hourly. Spawned once per
  // client by the wiring.
  asio::awaitable<void> keep_tokens();
  // Ends keep_tokens at its next wait; a refresh under way still finishes
  // (and saves its tokens), so a stopping --once loses none.
  void stop_keeping();

  const call_counters& counters() const { return counters_; }
  const tokens& current_tokens() const { return tokens_; }
  // Whether ferry can renew this account's tokens without a person.
  bool renewable() const;
  // A renewal is under way (a stopping process lets it finish and save).
  bool renewing() const { return refreshing_; }
  // When the tokens are due for a refresh ahead of expiry (nullopt: expiry unknown).
  std::optional<sys_seconds> refresh_due_at() const;
  // How long ahead of expiry that is (see client_options::renew_at_half_life).
  std::chrono::seconds renew_margin() const;
  ratelimit::limiter& limiter() { return *limiter_; }
  // The account's one limiter (an account is one configured source): a
  // client that replaces this one on a reload takes it over with
  // take_limiter, so that runs of both still share one budget of calls.
  std::shared_ptr<ratelimit::limiter> shared_limiter() const { return limiter_; }
  // Uses `account` from now on, with this client's rates and token reserve;
  // from the executor's thread. Throws std::invalid_argument for bad rates,
  // changing nothing.
  void take_limiter(std::shared_ptr<ratelimit::limiter> account);
  // Wakes every coroutine waiting on the limiter so that a stopping daemon does not hang.
  void shutdown();

 private:
  struct attempt_outcome;
  enum class renew_reason { expired, ahead, learn_expiry };
  asio::awaitable<attempt_outcome> attempt(const std::string& path, const std::string& biz,
                                           const std::string& list_key);
  // One refresh (or mint) at a time, under the store's row lock; "" on success.
  asio::awaitable<std::string> renew(std::uint64_t seen_generation, renew_reason why);
  asio::awaitable<std::string> renew_locked(renew_reason why);
  asio::awaitable<std::string> renew_with(std::optional<tokens> stored, renew_reason why, std::optional<tokens>& fresh);
  // `refused`: the platform refused for good (no retry can help).
  asio::awaitable<std::string> call_token_endpoint(bool mint, std::optional<tokens>& fresh, bool& refused);
  asio::awaitable<bool> sync_tokens_checked();
  asio::awaitable<void> reload();
  // Saves renewed tokens a failed save left only in memory; true when none are left so.
  asio::awaitable<bool> save_unsaved();
  void adopt(tokens t, const char* how);
  void plan_reserve();
  void report_tokens() const;
  bool expired() const;
  // No business call goes out with a token a renewal is replacing: calls
  // wait at the gate while it is closed, and a renewal closes it and waits
  // for the calls in flight to end before it asks for new tokens.
  asio::awaitable<void> pass_gate();
  asio::awaitable<void> close_gate();
  void open_gate();
  void call_ended();
  std::string forbidden_message(const std::string& answer) const;
  asio::awaitable<void> sleep(std::chrono::milliseconds d);

  asio::any_io_executor executor_;
  client_options options_;
  token_store store_;
  http::client http_;
  std::shared_ptr<ratelimit::limiter> limiter_;
  retry::backoff backoff_;
  tokens tokens_;
  std::uint64_t token_generation_ = 0;
  bool refreshing_ = false;
  // Renewed tokens the store could not save yet: the stored ones are retired,
  // so they must never be read back over these.
  bool unsaved_ = false;
  std::string last_renew_error_;  // what the last renewal ended with ("" = renewed), for callers that waited on it
  bool keeping_ = true;
  bool refresh_refused_ = false;  // the platform refused a refresh: wait for a person or new stored tokens
  std::unique_ptr<asio::steady_timer> refresh_done_;
  std::unique_ptr<asio::steady_timer> keeper_sleep_;
  std::size_t in_flight_ = 0;  // business calls sent and not yet answered
  bool gate_closed_ = false;
  std::unique_ptr<asio::steady_timer> gate_open_;  // cancelled when the gate opens
  std::unique_ptr<asio::steady_timer> drained_;    // cancelled when the last call in flight ends
  call_counters counters_;
};

// The form fields of a signed business call (exposed for tests).
form_fields business_call_fields(const std::string& app_key, const std::string& app_secret,
                                 const std::string& access_token, const std::string& biz, std::int64_t timestamp);
// The form fields of a signed token refresh (exposed for tests).
form_fields refresh_call_fields(const std::string& app_key, const std::string& app_secret,
                                const std::string& refresh_token, std::int64_t timestamp);
// The form fields of a signed getInitToken call; `code` is any six characters (exposed for tests).
form_fields init_token_call_fields(const std::string& app_key, const std::string& app_secret,
                                   const std::string& code, std::int64_t timestamp);

// How long before expiry a refresh is due: min(24 h, 10% of the lifetime),
// the lifetime being 30 days when unknown.
std::chrono::seconds refresh_margin(const tokens& t);

}  // namespace ferry::source::jushuitan
