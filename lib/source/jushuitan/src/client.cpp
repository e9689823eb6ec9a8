#include "ferry/source/jushuitan/client.hpp"

#include "ferry/json/exact.hpp"
#include "ferry/retry/attempt_state.hpp"
#include "ferry/retry/backoff.hpp"
#include "ferry/source/jushuitan/codes.hpp"
#include "ferry/source/jushuitan/form.hpp"

#include "ferry/core/log.hpp"

#include <spdlog/spdlog.h>

namespace ferry::source::jushuitan {
namespace {

using retry::outcome;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<spdlog::logger> logger() { return core::module_logger("jushuitan"); }

std::uint64_t pick_seed(std::uint64_t seed) {
  if (seed != 0) return seed;
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

http::request form_request(const std::string& path, const form_fields& fields, bool idempotent) {
  http::request req;
  req.method = "POST";
  req.target = path;
  req.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  req.body = encode_form(fields);
  req.idempotent = idempotent;
  return req;
}

}  // namespace

form_fields business_call_fields(const std::string& app_key, const std::string& app_secret,
                                 const std::string& access_token, const std::string& biz, std::int64_t timestamp) {
  form_fields fields{{"access_token", access_token}, {"app_key", app_key},         {"biz", biz},
                     {"charset", "utf-8"},           {"timestamp", std::to_string(timestamp)}, {"version", "2"}};
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

namespace {

// What a refreshToken answer means: new tokens, or why not and whether to
// ask again. A code that would mean "token expired" on a data call means the
// refresh token itself is refused here: asking again cannot help.
struct refresh_answer {
  outcome kind = outcome::transient;
  std::string detail;
  ratelimit::throttle_kind throttle = ratelimit::throttle_kind::unknown;
  std::optional<tokens> fresh;
};

refresh_answer read_refresh_answer(const http::result& answer) {
  refresh_answer out;
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
    const auto code = body.value("code", -1);
    if (code != 0) {
      const auto info = lookup(code);
      out.kind = info.outcome == outcome::token_expired ? outcome::fatal : info.outcome;
      out.detail = "code " + std::to_string(code) + ": " + body.value("msg", std::string{});
      if (out.kind == outcome::throttle)
        out.throttle = code == 199 ? ratelimit::throttle_kind::per_second : ratelimit::throttle_kind::per_minute;
      return out;
    }
    const auto& data = body.at("data");
    out.fresh = tokens{data.at("access_token").get<std::string>(), data.at("refresh_token").get<std::string>(), {}};
    if (const auto expires = data.find("expires_in"); expires != data.end() && expires->is_number_integer())
      out.fresh->expires_at = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) +
                              std::chrono::seconds{expires->get<long long>()};
    out.kind = outcome::success;
  } catch (const std::exception& e) {
    out.kind = outcome::transient;
    out.detail = std::string{"malformed answer: "} + e.what();
  }
  return out;
}

}  // namespace

struct client::attempt_outcome {
  outcome kind = outcome::transient;
  std::string detail;
  std::optional<page> value;
  ratelimit::throttle_kind throttle = ratelimit::throttle_kind::unknown;
  std::uint64_t token_generation = 0;
};

client::client(asio::any_io_executor ex, client_options options, const ratelimit::clock& clk, token_saver save)
    : executor_(ex),
      options_(std::move(options)),
      save_(std::move(save)),
      http_(ex, options_.http),
      limiter_(ex, options_.rates, clk),
      backoff_(options_.retry, pick_seed(options_.seed)),
      tokens_(options_.initial_tokens) {}

client::~client() = default;

void client::shutdown() {
  limiter_.shutdown();
  if (refresh_done_) refresh_done_->cancel();
}

asio::awaitable<void> client::sleep(std::chrono::milliseconds d) {
  if (d <= std::chrono::milliseconds{0}) co_return;
  asio::steady_timer timer{executor_, d};
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<fetch_result> client::fetch(const std::string& path, const nlohmann::json& biz,
                                            const std::string& list_key) {
  const std::string biz_text = ferry::json::dump_exact(biz);
  retry::attempt_state state{options_.retry, backoff_};
  std::chrono::nanoseconds throttle_wait{0};
  fetch_result result;
  for (;;) {
    const auto waited = co_await limiter_.acquire();
    counters_.limiter_wait += waited;
    if (options_.on_limiter_wait) options_.on_limiter_wait(waited);
    if (state.throttles() > 0) throttle_wait += waited;
    const auto sent = std::chrono::steady_clock::now();
    auto out = co_await attempt(path, biz_text, list_key);
    if (options_.on_call) options_.on_call(out.kind, std::chrono::steady_clock::now() - sent);
    if (out.kind == outcome::success) limiter_.on_success();
    if (out.kind == outcome::throttle) limiter_.on_throttle(out.throttle);
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
        logger()->error("source={} api={} gave up: {}", options_.source_name, path, decision.reason);
        co_return result;
      case action::refresh_token: {
        const auto error = co_await refresh_tokens(out.token_generation);
        if (!error.empty()) {
          ++counters_.failed;
          result.error = error;
          co_return result;
        }
        break;
      }
      case action::retry:
        logger()->warn("source={} api={} attempt={} retrying in {}ms: {}", options_.source_name, path,
                       state.attempts(), decision.delay.count(), out.detail);
        co_await sleep(decision.delay);
        break;
      case action::throttle_wait:
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
  const auto fields = business_call_fields(options_.app_key, options_.app_secret, tokens_.access_token, biz, unix_now());
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
  auto parsed = parse_envelope(answer.res.body, list_key);
  if (auto* bad = std::get_if<malformed>(&parsed)) {
    ++counters_.transient;
    out.detail = "malformed answer: " + bad->reason;
    co_return out;
  }
  if (auto* refused = std::get_if<api_error>(&parsed)) {
    const auto info = lookup(refused->code);
    out.kind = info.outcome;
    out.detail = "code " + std::to_string(refused->code) + " (" + std::string{info.meaning} + "): " + refused->message;
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

// One refresh at a time: a caller that saw an older token generation than the
// current one just retries with the new token; callers arriving while a
// refresh is under way wait for it.
asio::awaitable<std::string> client::refresh_tokens(std::uint64_t seen_generation) {
  while (refreshing_) {
    boost::system::error_code ec;
    co_await refresh_done_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (seen_generation != token_generation_) co_return std::string{};
  if (tokens_.refresh_token.empty())
    co_return "the access token expired and no refresh token is configured (refresh_token_env / refresh_token_file)";
  refreshing_ = true;
  refresh_done_ = std::make_unique<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
  std::string error;
  // The refresh call meets the same weather as data calls (resets, 5xx,
  // malformed answers, code 150, throttles): those are retried under the same
  // policy; a refusal of the refresh token itself fails at once.
  retry::attempt_state state{options_.retry, backoff_};
  std::chrono::milliseconds throttle_wait{0};
  // Set once an attempt's answer was lost after the request went out (a
  // timeout, a reset, a cut body): the platform may have replaced the tokens.
  bool answer_lost = false;
  for (;;) {
    co_await limiter_.acquire();
    ++counters_.calls;
    const auto fields = refresh_call_fields(options_.app_key, options_.app_secret, tokens_.refresh_token, unix_now());
    auto answer = co_await http_.send(options_.base, form_request("/openWeb/auth/refreshToken", fields, false));
    auto [kind, detail, throttle, fresh] = read_refresh_answer(answer);
    if (kind == outcome::transient) {
      ++counters_.transient;
      answer_lost = answer_lost || !answer.ok() || answer.res.status == 200;
    }
    if (kind == outcome::throttle) {
      ++counters_.throttled;
      limiter_.on_throttle(throttle);
    }
    if (kind == outcome::success) {
      limiter_.on_success();
      tokens_ = *fresh;
      ++token_generation_;
      ++counters_.token_refreshes;
      logger()->info("source={} refreshed the access token", options_.source_name);
      try {
        if (save_) co_await save_(tokens_);
      } catch (const std::exception& e) {
        error = std::string{"saving the refreshed tokens failed: "} + e.what();
        logger()->error("source={} {}", options_.source_name, error);
      }
      break;
    }
    const auto decision = state.next(kind, detail, throttle_wait);
    using action = retry::decision::action;
    if (decision.what == action::retry || decision.what == action::throttle_wait) {
      if (decision.what == action::throttle_wait) throttle_wait += decision.delay;
      logger()->warn("source={} refreshing the access token: attempt={} retrying in {}ms: {}",
                     options_.source_name, state.attempts(), decision.delay.count(), detail);
      co_await sleep(decision.delay);
      continue;
    }
    error = "refreshing the access token failed: " + (decision.reason.empty() ? detail : decision.reason);
    if (answer_lost && kind == outcome::fatal)
      error += " — an earlier refresh attempt's answer was lost, so the platform has probably replaced both "
               "tokens already: authorise ferry again and set the new access and refresh tokens";
    logger()->error("source={} {}", options_.source_name, error);
    break;
  }
  refreshing_ = false;
  refresh_done_->cancel();
  co_return error;
}

}  // namespace ferry::source::jushuitan
