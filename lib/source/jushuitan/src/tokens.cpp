// The token half of the Jushuitan client: refresh ahead of expiry, refresh
// on the token error, getInitToken for self-built apps, and the row lock
// that keeps two processes from refreshing with the same token.
#include "ferry/source/jushuitan/client.hpp"

#include "ferry/core/time.hpp"
#include "ferry/json/exact.hpp"
#include "ferry/retry/attempt_state.hpp"
#include "ferry/source/jushuitan/codes.hpp"

#include "client_detail.hpp"

#include <algorithm>

namespace ferry::source::jushuitan {
namespace {

using retry::outcome;
using detail::logger;
using detail::wall_now;

constexpr std::string_view refresh_path = "/openWeb/auth/refreshToken";
constexpr std::string_view init_token_path = "/openWeb/auth/getInitToken";

// What a refreshToken or getInitToken answer means: new tokens, or why not
// and whether to ask again. A code that would mean "token expired" on a data
// call means the refresh token itself is refused here: asking again cannot help.
struct token_answer {
  outcome kind = outcome::transient;
  std::string detail;
  ratelimit::throttle_kind throttle = ratelimit::throttle_kind::unknown;
  std::optional<tokens> fresh;
  bool forbidden = false;  // the app may never refresh (ISV, code 150)
};

token_answer refusal(long long code, const std::string& msg, const std::string& request_id, app_kind kind) {
  token_answer out;
  const auto info = lookup(code);
  out.kind = info.outcome == outcome::token_expired ? outcome::fatal : info.outcome;
  out.detail = "code " + std::to_string(code) + ": " + msg;
  if (!request_id.empty()) out.detail += " [requestId " + request_id + "]";
  if (out.kind == outcome::throttle)
    out.throttle = code == 199 ? ratelimit::throttle_kind::per_second : ratelimit::throttle_kind::per_minute;
  // jst-java: 150 answers a refresh of a service-provider app with
  // "服务商应用禁止刷新access_token"; retrying can never help.
  if (refresh_forbidden(code, msg) || (code == 150 && kind == app_kind::isv)) {
    out.kind = outcome::fatal;
    out.forbidden = true;
  }
  return out;
}

// `sent`: when the request left, so that the expiry ferry keeps is never
// later than the one the platform counts from its receipt.
token_answer read_token_answer(const http::result& answer, app_kind kind, sys_seconds sent) {
  token_answer out;
  if (!answer.ok()) {
    out.detail = answer.detail.empty() ? answer.error.message() : answer.detail;
    return out;
  }
  if (answer.res.status == 429) {
    out.kind = outcome::throttle;
    out.detail = "HTTP 429";
    return out;
  }
  if (answer.res.status != 200) {
    out.kind = answer.res.status >= 500 ? outcome::transient : outcome::fatal;
    out.detail = "HTTP " + std::to_string(answer.res.status);
    return out;
  }
  try {
    const auto body = ferry::json::parse_exact(answer.res.body);
    const auto code = body.value("code", -1LL);
    if (code != 0) return refusal(code, body.value("msg", std::string{}), request_id_of(body), kind);
    const auto& data = body.at("data");
    const auto now = sent;
    out.fresh = tokens{data.at("access_token").get<std::string>(), data.at("refresh_token").get<std::string>(), {}, now};
    long long seconds = -1;
    if (const auto expires = data.find("expires_in"); expires != data.end()) {
      if (expires->is_number_integer()) seconds = expires->get<long long>();
      else if (expires->is_string()) seconds = std::stoll(expires->get<std::string>());
    }
    // Without expires_in, the documented lifetime (30 days): an unknown
    // expiry would send the keeper back to "learn" it every minute.
    out.fresh->expires_at = now + (seconds > 0 ? std::chrono::seconds{seconds} : std::chrono::days{30});
    out.kind = outcome::success;
  } catch (const std::exception& e) {
    out.kind = outcome::transient;
    out.detail = std::string{"malformed answer: "} + e.what();
  }
  return out;
}

std::string six_characters(std::uint64_t generation) {
  constexpr std::string_view digits = "0123456789abcdefghijklmnopqrstuvwxyz";
  auto value = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^ generation;
  std::string code(6, '0');
  for (auto& c : code) {
    c = digits[value % digits.size()];
    value /= digits.size();
  }
  return code;
}

std::string show(std::optional<sys_seconds> t) {
  return t ? core::format_shanghai_datetime(*t) + " (Asia/Shanghai)" : std::string{"unknown"};
}

}  // namespace

std::chrono::seconds refresh_margin(const tokens& t) {
  std::chrono::seconds lifetime = std::chrono::days{30};
  if (t.expires_at && t.issued_at && *t.expires_at > *t.issued_at) lifetime = *t.expires_at - *t.issued_at;
  return std::min<std::chrono::seconds>(std::chrono::hours{24}, lifetime / 10);
}

asio::awaitable<void> client::pass_gate() {
  while (gate_closed_) {
    boost::system::error_code ec;
    co_await gate_open_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> client::close_gate() {
  gate_closed_ = true;
  gate_open_ = std::make_unique<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
  while (in_flight_ > 0) {
    drained_ = std::make_unique<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await drained_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void client::open_gate() {
  gate_closed_ = false;
  if (gate_open_) gate_open_->cancel();
}

void client::call_ended() {
  --in_flight_;
  if (in_flight_ == 0 && drained_) drained_->cancel();
}

std::chrono::seconds client::renew_margin() const {
  const auto margin = refresh_margin(tokens_);
  if (!options_.renew_at_half_life) return margin;
  std::chrono::seconds lifetime = std::chrono::days{30};
  if (tokens_.expires_at && tokens_.issued_at && *tokens_.expires_at > *tokens_.issued_at)
    lifetime = *tokens_.expires_at - *tokens_.issued_at;
  return std::max(margin, lifetime / 2);
}

std::optional<sys_seconds> client::refresh_due_at() const {
  if (!tokens_.expires_at) return std::nullopt;
  return *tokens_.expires_at - renew_margin();
}

// Keep calls of each rate window for the refreshes to come, so that one
// never waits past the expiry for a window ordinary calls filled.
void client::plan_reserve() {
  if (!renewable() || !tokens_.expires_at || !tokens_.issued_at || *tokens_.expires_at <= *tokens_.issued_at) return;
  const auto margin = renew_margin();
  const auto lifetime = *tokens_.expires_at - *tokens_.issued_at;
  limiter_->reserve_for(std::chrono::duration_cast<std::chrono::milliseconds>(margin / 2),
                       std::chrono::duration_cast<std::chrono::milliseconds>(lifetime - margin));
}

bool client::renewable() const {
  return options_.kind == app_kind::self_built && (!tokens_.refresh_token.empty() || options_.mint_tokens);
}

bool client::expired() const { return tokens_.expires_at && wall_now() >= *tokens_.expires_at; }

void client::adopt(tokens t, const char* how) {
  tokens_ = std::move(t);
  ++token_generation_;
  refresh_refused_ = false;
  plan_reserve();
  logger()->info("source={} {}; the access token expires {}", options_.source_name, how, show(tokens_.expires_at));
  report_tokens();
}

void client::report_tokens() const {
  if (options_.on_tokens)
    options_.on_tokens(tokens_, renewable() ? refresh_due_at() : std::nullopt, renewable());
}

asio::awaitable<bool> client::save_unsaved() {
  if (!unsaved_ || !store_.save) co_return !unsaved_;
  std::string failure;
  try {
    co_await store_.save(tokens_);
    unsaved_ = false;
    logger()->info("source={} saved the renewed tokens a failed save had left unsaved", options_.source_name);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (unsaved_)
    logger()->error("source={} the renewed tokens are still not saved in ferry_sources (they are kept in memory "
                    "and saved again): {}", options_.source_name, failure);
  co_return !unsaved_;
}

asio::awaitable<void> client::reload() {
  if (!store_.load || refreshing_) co_return;
  // Renewed tokens not saved yet are newer than anything stored.
  if (!co_await save_unsaved()) co_return;
  const auto generation = token_generation_;
  try {
    auto stored = co_await store_.load();
    // A renewal that ran during the read made what it read stale.
    if (refreshing_ || generation != token_generation_ || unsaved_) co_return;
    const bool older = stored && stored->issued_at && tokens_.issued_at && *stored->issued_at < *tokens_.issued_at;
    if (stored && !stored->access_token.empty() && stored->access_token != tokens_.access_token && !older)
      adopt(std::move(*stored), "read the tokens another ferryd stored");
  } catch (const std::exception& e) {
    logger()->warn("source={} could not read the stored tokens: {}", options_.source_name, e.what());
  }
}

asio::awaitable<void> client::sync_tokens() { co_await sync_tokens_checked(); }

asio::awaitable<bool> client::sync_tokens_checked() {
  co_await reload();
  if (!renewable() || refresh_refused_) co_return true;
  const auto due = refresh_due_at();
  std::optional<renew_reason> why;
  if (tokens_.access_token.empty() || expired()) why = renew_reason::expired;
  else if (!due) why = renew_reason::learn_expiry;
  else if (wall_now() >= *due) why = renew_reason::ahead;
  if (!why) co_return true;
  const auto error = co_await renew(token_generation_, *why);
  co_return error.empty();
}

asio::awaitable<void> client::keep_tokens() {
  using namespace std::chrono;
  keeper_sleep_ = std::make_unique<asio::steady_timer>(executor_);
  while (keeping_) {
    const bool ok = co_await sync_tokens_checked();
    if (!keeping_) break;
    // Wake when the next refresh is due, and at least hourly to see tokens
    // another ferryd stored; a refused refresh waits for those, a failed one
    // is tried again in a minute.
    seconds wait = hours{1};
    if (!renewable() && tokens_.expires_at && *tokens_.expires_at - wall_now() < days{3})
      logger()->warn("source={} the access token expires {} and ferry cannot renew it: the merchant must "
                     "authorise the app again in the Jushuitan console and ferry be given the new token",
                     options_.source_name, show(tokens_.expires_at));
    if (!ok && !refresh_refused_) {
      wait = minutes{1};
    } else if (renewable() && !refresh_refused_) {
      if (const auto due = refresh_due_at()) wait = std::clamp<seconds>(*due - wall_now(), seconds{1}, hours{1});
      else wait = minutes{1};  // learning the expiry failed: ask again soon
    }
    keeper_sleep_->expires_after(wait);
    boost::system::error_code ec;
    co_await keeper_sleep_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void client::stop_keeping() {
  keeping_ = false;
  if (keeper_sleep_) keeper_sleep_->cancel();
}

// One renewal at a time: a caller that saw an older token generation than the
// current one just goes on with the new token; callers arriving while a
// renewal is under way wait for it.
asio::awaitable<std::string> client::renew(std::uint64_t seen_generation, renew_reason why) {
  const bool waited = refreshing_;
  while (refreshing_) {
    boost::system::error_code ec;
    co_await refresh_done_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (seen_generation != token_generation_) co_return std::string{};
  // The renewal this caller waited for failed: asking again at once would
  // only repeat it (and a refusal would be refused twice).
  if (waited) co_return last_renew_error_;
  refreshing_ = true;
  refresh_done_ = std::make_unique<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
  std::string error;
  try {
    error = co_await renew_locked(why);
  } catch (const std::exception& e) {
    error = std::string{"renewing the tokens failed: "} + e.what();
  }
  if (gate_closed_) open_gate();
  if (!error.empty()) logger()->error("source={} {}", options_.source_name, error);
  last_renew_error_ = error;
  refreshing_ = false;
  refresh_done_->cancel();
  co_return error;
}

asio::awaitable<std::string> client::renew_locked(renew_reason why) {
  // No call goes out with the tokens being replaced: the gate closes (and
  // the calls in flight end) before the row lock is taken, so the lock is
  // never held while this process waits on its own calls.
  co_await close_gate();
  std::optional<tokens> stored;
  bool locked = false;
  for (int attempt = 1; store_.lock && !locked; ++attempt) {
    std::string failure;
    try {
      stored = co_await store_.lock(tokens_);
      locked = true;
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (locked) break;
    if (attempt >= 5) co_return "could not lock the account's tokens in ferry_sources: " + failure;
    logger()->warn("source={} locking the tokens failed (attempt {}): {}", options_.source_name, attempt, failure);
    co_await sleep(std::chrono::milliseconds{500 * attempt});
  }
  std::optional<tokens> fresh;
  std::string error;
  std::exception_ptr failure;
  try {
    error = co_await renew_with(stored, why, fresh);
  } catch (...) {
    failure = std::current_exception();
  }
  if (locked) {
    // Renewed tokens not saved before are saved now with the lock too.
    std::optional<tokens> to_store = fresh;
    if (!to_store && unsaved_) to_store = tokens_;
    try {
      co_await store_.unlock(to_store);
      if (to_store) unsaved_ = false;
    } catch (const std::exception& e) {
      if (to_store) unsaved_ = true;
      if (error.empty()) error = std::string{"saving the renewed tokens failed (kept in memory, saved again): "} + e.what();
    }
  } else if (fresh && store_.save) {
    unsaved_ = true;
    co_await save_unsaved();
  }
  if (failure) std::rethrow_exception(failure);
  // Renewed but not saved: the run goes on with the new tokens in memory.
  co_return fresh ? std::string{} : error;
}

// Under the row lock: tokens another process renewed meanwhile, else a
// refresh, else (mint_tokens) new ones from getInitToken.
asio::awaitable<std::string> client::renew_with(std::optional<tokens> stored, renew_reason why,
                                                std::optional<tokens>& fresh) {
  // Another process renewed them meanwhile: those are the tokens the
  // platform knows now, and ours may be retired already. Never stored ones
  // older than tokens this process renewed and could not save.
  const bool older = stored && stored->issued_at && tokens_.issued_at && *stored->issued_at < *tokens_.issued_at;
  if (stored && !stored->access_token.empty() && stored->access_token != tokens_.access_token && !unsaved_ &&
      !older) {
    adopt(std::move(*stored), "took the tokens another ferryd renewed");
    const auto due = refresh_due_at();
    const bool done = why == renew_reason::expired ? !expired() : (due && wall_now() < *due);
    if (done) co_return std::string{};
  }
  std::string error;
  bool refused = false;
  const bool mint_first = options_.mint_tokens && options_.kind == app_kind::self_built &&
                          (tokens_.access_token.empty() || tokens_.refresh_token.empty() || expired());
  if (mint_first) {
    error = co_await call_token_endpoint(true, fresh, refused);
  } else if (tokens_.refresh_token.empty()) {
    error = "the access token expired and no refresh token is configured (refresh_token_env / refresh_token_file)";
  } else {
    error = co_await call_token_endpoint(false, fresh, refused);
    if (!fresh && options_.mint_tokens && options_.kind == app_kind::self_built) {
      logger()->warn("source={} {}; minting new tokens with getInitToken", options_.source_name, error);
      error = co_await call_token_endpoint(true, fresh, refused);
    }
  }
  if (fresh) {
    adopt(*fresh, "renewed the tokens");
    if (options_.on_renewed) options_.on_renewed();
    co_return std::string{};
  }
  refresh_refused_ = refused;
  co_return error;
}

std::string client::forbidden_message(const std::string& answer) const {
  return "refreshing the access token was refused for good (" + answer +
         "): a service-provider (ISV) app may not refresh its tokens, so the merchant must authorise the app "
         "again in the Jushuitan console and the new access token must be given to ferry" +
         (tokens_.expires_at ? "; the current access token works until " + show(tokens_.expires_at)
                             : std::string{"; when the current access token expires is not known (set the source's "
                                           "token_expires_at to the expiry the authorisation gave)"});
}

// The refresh (or getInitToken) call meets the same weather as data calls
// (resets, 5xx, malformed answers, throttles): those are retried under the
// same policy; a refusal of the refresh token itself fails at once. It goes
// ahead of every page waiting on the limiter.
asio::awaitable<std::string> client::call_token_endpoint(bool mint, std::optional<tokens>& fresh, bool& refused) {
  refused = false;
  retry::attempt_state state{options_.retry, backoff_};
  std::chrono::milliseconds throttle_wait{0};
  const char* what = mint ? "minting tokens with getInitToken" : "refreshing the access token";
  // Set once an attempt's answer was lost after the request went out (a
  // timeout, a reset, a cut body): the platform may have replaced the tokens.
  bool answer_lost = false;
  for (;;) {
    auto call = co_await limiter_->acquire(ratelimit::priority::token);
    ++counters_.calls;
    const auto sent = wall_now();
    const auto now = detail::unix_now();
    const auto fields = mint ? init_token_call_fields(options_.app_key, options_.app_secret.reveal(),
                                                      six_characters(token_generation_), now)
                             : refresh_call_fields(options_.app_key, options_.app_secret.reveal(), tokens_.refresh_token, now);
    const std::string path{mint ? init_token_path : refresh_path};
    auto answer = co_await http_.send(options_.base, detail::form_request(path, fields, false));
    call.done();
    auto reply = read_token_answer(answer, options_.kind, sent);
    if (reply.kind == outcome::transient) {
      ++counters_.transient;
      answer_lost = answer_lost || !answer.ok() || answer.res.status == 200;
    }
    if (reply.kind == outcome::throttle) {
      ++counters_.throttled;
      limiter_->on_throttle(reply.throttle);
    }
    if (reply.kind == outcome::success) {
      limiter_->on_success();
      ++(mint ? counters_.token_mints : counters_.token_refreshes);
      fresh = std::move(reply.fresh);
      co_return std::string{};
    }
    if (reply.forbidden) {
      refused = true;
      co_return forbidden_message(reply.detail);
    }
    const auto decision = state.next(reply.kind, reply.detail, throttle_wait);
    using action = retry::decision::action;
    if (decision.what == action::retry || decision.what == action::throttle_wait) {
      if (decision.what == action::throttle_wait) throttle_wait += decision.delay;
      logger()->warn("source={} {}: attempt={} retrying in {}ms: {}", options_.source_name, what, state.attempts(),
                     decision.delay.count(), reply.detail);
      co_await sleep(decision.delay);
      continue;
    }
    refused = reply.kind == outcome::fatal;
    std::string error = std::string{what} + " failed: " + (decision.reason.empty() ? reply.detail : decision.reason);
    if (answer_lost && reply.kind == outcome::fatal)
      error += " — an earlier attempt's answer was lost, so the platform has probably replaced both tokens "
               "already: authorise ferry again and set the new access and refresh tokens"
               " (a self-built app can set mint_tokens to get new ones by itself)";
    co_return error;
  }
}

}  // namespace ferry::source::jushuitan
