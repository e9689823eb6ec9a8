#include "ferry/source/jushuitan/client.hpp"

#include "ferry/json/exact.hpp"
#include "ferry/retry/attempt_state.hpp"
#include "ferry/retry/backoff.hpp"
#include "ferry/source/jushuitan/codes.hpp"
#include "ferry/source/jushuitan/form.hpp"

#include "client_detail.hpp"

namespace ferry::source::jushuitan {
namespace {

using retry::outcome;
using detail::form_request;
using detail::logger;
using detail::unix_now;

std::uint64_t pick_seed(std::uint64_t seed) {
  if (seed != 0) return seed;
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

}  // namespace

form_fields business_call_fields(const std::string& app_key, const std::string& app_secret,
                                 const std::string& access_token, const std::string& biz, std::int64_t timestamp) {
  form_fields fields{{"access_token", access_token}, {"app_key", app_key},         {"biz", biz},
                     {"charset", "utf-8"},           {"timestamp", std::to_string(timestamp)}, {"version", "2"}};
  fields.emplace_back("sign", sign(fields, app_secret));
  return fields;
}

form_fields init_token_call_fields(const std::string& app_key, const std::string& app_secret,
                                   const std::string& code, std::int64_t timestamp) {
  form_fields fields{{"app_key", app_key},
                     {"timestamp", std::to_string(timestamp)},
                     {"grant_type", "authorization_code"},
                     {"charset", "utf-8"},
                     {"code", code}};
  fields.emplace_back("sign", sign(fields, app_secret));
  return fields;
}

form_fields refresh_call_fields(const std::string& app_key, const std::string& app_secret,
                                const std::string& refresh_token, std::int64_t timestamp) {
  form_fields fields{{"app_key", app_key},         {"timestamp", std::to_string(timestamp)},
                     {"charset", "utf-8"},         {"grant_type", "refresh_token"},
                     {"refresh_token", refresh_token}, {"scope", "all"}};
  fields.emplace_back("sign", sign(fields, app_secret));
  return fields;
}

struct client::attempt_outcome {
  outcome kind = outcome::transient;
  std::string detail;
  std::optional<page> value;
  ratelimit::throttle_kind throttle = ratelimit::throttle_kind::unknown;
  std::uint64_t token_generation = 0;
  std::string request_id;  // the platform's requestId of a refusal, when it gave one
};

namespace {

// " request_id=..." for a log line's fields when the platform named its answer.
std::string request_id_field(const std::string& id) { return id.empty() ? std::string{} : " request_id=" + id; }

}  // namespace

client::client(asio::any_io_executor ex, client_options options, const ratelimit::clock& clk, token_store store)
    : executor_(ex),
      options_(std::move(options)),
      store_(std::move(store)),
      http_(ex, options_.http),
      limiter_(std::make_shared<ratelimit::limiter>(ex, options_.rates, clk)),
      backoff_(options_.retry, pick_seed(options_.seed)),
      tokens_(options_.initial_tokens) {
  plan_reserve();
  report_tokens();
}

client::~client() = default;

void client::shutdown() {
  stop_keeping();
  limiter_->shutdown();
  if (refresh_done_) refresh_done_->cancel();
}

void client::take_limiter(std::shared_ptr<ratelimit::limiter> account) {
  if (!account || account == limiter_) return;
  account->set_rates(options_.rates);
  limiter_ = std::move(account);
  plan_reserve();
}

asio::awaitable<void> client::sleep(std::chrono::milliseconds d) {
  if (d <= std::chrono::milliseconds{0}) co_return;
  asio::steady_timer timer{executor_, d};
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<fetch_result> client::fetch(const std::string& path, const nlohmann::json& biz,
                                            const std::string& list_key, ratelimit::priority priority) {
  const std::string biz_text = ferry::json::dump_exact(biz);
  retry::attempt_state state{options_.retry, backoff_};
  std::chrono::nanoseconds throttle_wait{0};
  fetch_result result;
  for (;;) {
    if (tokens_.access_token.empty()) {
      // No token yet (a self-built app that mints its own): get one first.
      const auto error = co_await renew(token_generation_, renew_reason::expired);
      if (!error.empty()) {
        ++counters_.failed;
        result.error = error;
        co_return result;
      }
    }
    // The token gate first, then the limiter: a call granted by the limiter
    // counts as sent until it is done, so one parked at a closed gate would
    // hold a slot the renewal's own call may need. A renewal that closed the
    // gate while this call waited on the limiter takes its slot back.
    ratelimit::call_grant call;
    for (;;) {
      co_await pass_gate();
      call = co_await limiter_->acquire(priority);
      if (!gate_closed_) break;
      call.abandon();
    }
    const auto waited = call.waited();
    counters_.limiter_wait += waited;
    if (options_.on_limiter_wait) options_.on_limiter_wait(waited);
    if (state.throttles() > 0) throttle_wait += waited;
    const auto sent = std::chrono::steady_clock::now();
    ++in_flight_;
    attempt_outcome out;
    try {
      out = co_await attempt(path, biz_text, list_key);
    } catch (...) {
      call_ended();
      throw;
    }
    call.done();
    call_ended();
    if (options_.on_call) options_.on_call(path, out.kind, std::chrono::steady_clock::now() - sent);
    if (out.kind == outcome::success) limiter_->on_success();
    if (out.kind == outcome::throttle) limiter_->on_throttle(out.throttle);
    const auto decision =
        state.next(out.kind, out.detail, std::chrono::duration_cast<std::chrono::milliseconds>(throttle_wait));
    result.attempts = state.attempts();
    result.throttles = state.throttles();
    using action = retry::decision::action;
    switch (decision.what) {
      case action::done:
        result.value = std::move(out.value);
        co_return result;
      case action::give_up:
        ++counters_.failed;
        result.error = decision.reason;
        logger()->error("source={} api={}{} gave up: {}", options_.source_name, path, request_id_field(out.request_id),
                        decision.reason);
        co_return result;
      case action::refresh_token: {
        logger()->info("source={} api={}{} the access token was refused ({}); renewing it", options_.source_name, path,
                       request_id_field(out.request_id), out.detail);
        const auto error = co_await renew(out.token_generation, renew_reason::expired);
        if (!error.empty()) {
          ++counters_.failed;
          result.error = error;
          co_return result;
        }
        break;
      }
      case action::retry:
        logger()->warn("source={} api={} attempt={}{} retrying in {}ms: {}", options_.source_name, path,
                       state.attempts(), request_id_field(out.request_id), decision.delay.count(), out.detail);
        co_await sleep(decision.delay);
        break;
      case action::throttle_wait:
        logger()->warn("source={} api={}{} throttled, waiting {}ms: {}", options_.source_name, path,
                       request_id_field(out.request_id), decision.delay.count(), out.detail);
        throttle_wait += decision.delay;
        co_await sleep(decision.delay);
        break;
    }
  }
}

asio::awaitable<client::attempt_outcome> client::attempt(const std::string& path, const std::string& biz,
                                                         const std::string& list_key) {
  attempt_outcome out;
  out.token_generation = token_generation_;
  const auto fields = business_call_fields(options_.app_key, options_.app_secret.reveal(), tokens_.access_token, biz, unix_now());
  ++counters_.calls;
  auto answer = co_await http_.send(options_.base, form_request(path, fields, true));
  if (!answer.ok()) {
    ++counters_.transient;
    out.detail = answer.detail.empty() ? answer.error.message() : answer.detail;
    co_return out;
  }
  const auto status = answer.res.status;
  if (status == 429) {
    ++counters_.throttled;
    out.kind = outcome::throttle;
    out.detail = "HTTP 429";
    co_return out;
  }
  if (status != 200) {
    out.kind = status >= 500 ? outcome::transient : outcome::fatal;
    if (status >= 500) ++counters_.transient;
    out.detail = "HTTP " + std::to_string(status) + " from " + path;
    co_return out;
  }
  // The body has room past its end (http::body_padding): read where it lies.
  auto parsed = parse_envelope(answer.res.body, list_key, answer.res.body.capacity());
  if (auto* bad = std::get_if<malformed>(&parsed)) {
    ++counters_.transient;
    out.detail = "malformed answer: " + bad->reason;
    co_return out;
  }
  if (auto* refused = std::get_if<api_error>(&parsed)) {
    auto info = classify(refused->code, refused->message);
    // A business-worded code 100 after the stored expiry has passed is the token after all.
    if (refused->code == 100 && info.outcome == outcome::fatal && expired()) info = lookup(100);
    out.kind = info.outcome;
    out.detail = "code " + std::to_string(refused->code) + " (" + std::string{info.meaning} + "): " + refused->message;
    if (!refused->request_id.empty()) out.detail += " [requestId " + refused->request_id + "]";
    out.request_id = refused->request_id;
    if (refused->code == 110)
      if (const auto seen = address_in(refused->message)) out.detail += "; the platform saw the call from " + *seen;
    if (!info.hint.empty()) out.detail += " — " + std::string{info.hint};
    if (info.outcome == outcome::throttle) {
      ++counters_.throttled;
      out.throttle = refused->code == 199 ? ratelimit::throttle_kind::per_second : ratelimit::throttle_kind::per_minute;
    } else if (info.outcome == outcome::transient) {
      ++counters_.transient;
    }
    co_return out;
  }
  ++counters_.ok;
  out.kind = outcome::success;
  out.value = std::move(std::get<page>(parsed));
  co_return out;
}

}  // namespace ferry::source::jushuitan
