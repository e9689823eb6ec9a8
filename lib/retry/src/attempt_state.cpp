#include "ferry/retry/attempt_state.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "ferry/core/time.hpp"

namespace ferry::retry {

namespace {

std::string name_of(outcome o, std::string_view detail) {
  return detail.empty() ? describe(o) : std::string{detail};
}

}  // namespace

attempt_state::attempt_state(const policy& p, backoff& b) : policy_{p}, backoff_{b} {
  validate(policy_);
}

decision attempt_state::next(outcome o, std::string_view detail,
                             std::chrono::milliseconds throttle_waited_so_far) {
  if (finished_) throw std::logic_error("attempt_state::next called after the fetch finished");
  switch (o) {
    case outcome::success:
      ++attempts_;
      return finish(decision::action::done, {});
    case outcome::transient:
      ++attempts_;
      return on_transient(name_of(o, detail));
    case outcome::throttle:
      ++throttles_;
      return on_throttle(name_of(o, detail), throttle_waited_so_far);
    case outcome::token_expired:
      ++attempts_;
      return on_token_expired(name_of(o, detail));
    case outcome::fatal:
      ++attempts_;
      return finish(decision::action::give_up, name_of(o, detail));
  }
  throw std::logic_error("attempt_state::next: " + describe(o));
}

decision attempt_state::on_transient(std::string_view detail) {
  if (attempts_ >= policy_.max_attempts)
    return finish(decision::action::give_up,
                  "gave up after " + std::to_string(attempts_) + " attempts: " + std::string{detail});
  return {decision::action::retry, backoff_.delay(attempts_),
          std::string{detail} + " (attempt " + std::to_string(attempts_) + " of " +
              std::to_string(policy_.max_attempts) + ")"};
}

decision attempt_state::on_throttle(std::string_view detail, std::chrono::milliseconds waited) {
  if (waited > policy_.max_throttle_wait)
    return finish(decision::action::give_up,
                  "throttled for " + core::format_duration(waited) + ", over the " +
                      core::format_duration(policy_.max_throttle_wait) +
                      " limit: " + std::string{detail});
  // The limiter holds the next call through the cool-down; this short jitter
  // only keeps concurrent pages from lining up behind it in lockstep.
  return {decision::action::throttle_wait, backoff_.delay(1),
          "throttled (" + std::to_string(throttles_) + "): " + std::string{detail}};
}

decision attempt_state::on_token_expired(std::string_view detail) {
  if (refreshed_)
    return finish(decision::action::give_up,
                  "access token still refused after a refresh: " + std::string{detail});
  refreshed_ = true;
  return {decision::action::refresh_token, std::chrono::milliseconds::zero(),
          "access token refused, refreshing: " + std::string{detail}};
}

decision attempt_state::finish(decision::action what, std::string reason) {
  finished_ = true;
  return {what, std::chrono::milliseconds::zero(), std::move(reason)};
}

}  // namespace ferry::retry
