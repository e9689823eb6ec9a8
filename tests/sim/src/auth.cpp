#include "ferry/sim/auth.hpp"

#include "ferry/sim/random.hpp"
#include "ferry/source/jushuitan/form.hpp"

#include <algorithm>
#include <charconv>

namespace ferry::sim {
namespace {

std::string hex16(std::uint64_t value) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = digits[value & 0xf];
  return out;
}

}  // namespace

bool timestamp_ok(std::string_view text, sys_seconds now, std::chrono::seconds tolerance) {
  if (text.size() != 10 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  std::int64_t seconds = 0;
  std::from_chars(text.data(), text.data() + text.size(), seconds);
  const auto skew = now.time_since_epoch().count() - seconds;
  return (skew < 0 ? -skew : skew) <= tolerance.count();
}

bool sign_ok(const jst::form_fields& form, std::string_view app_secret, jst::empty_fields empties) {
  const std::string* given = jst::find_field(form, "sign");
  if (given == nullptr) return false;
  return jst::constant_time_equal(jst::sign(form, app_secret, empties), *given);
}

token_state::token_state(std::string access_token, std::string refresh_token, std::uint64_t seed,
                         std::chrono::seconds ttl, bool refresh_outlives)
    : access_token_(std::move(access_token)),
      refresh_token_(std::move(refresh_token)),
      seed_(seed),
      ttl_(ttl),
      refresh_outlives_(refresh_outlives) {}

sys_seconds token_state::expiry(sys_seconds now) {
  if (!expires_at_) expires_at_ = now + ttl_;
  return *expires_at_;
}

token_verdict token_state::check(std::string_view access_token, sys_seconds now) {
  if (access_token.empty() || !jst::constant_time_equal(access_token, access_token_)) return token_verdict::unknown;
  if (now >= expiry(now)) return token_verdict::expired;
  if (expire_after_calls_ > 0 && calls_with_current_ >= expire_after_calls_) return token_verdict::expired;
  return token_verdict::valid;
}

bool token_state::refresh(std::string_view refresh_token, sys_seconds now) {
  if (refresh_token.empty() || !jst::constant_time_equal(refresh_token, refresh_token_)) return false;
  if (!refresh_outlives_ && now >= expiry(now)) return false;
  issue(now);
  return true;
}

void token_state::mint(sys_seconds now) { issue(now); }

void token_state::expire_in(std::chrono::seconds after, sys_seconds now) { expires_at_ = now + after; }

void token_state::issue(sys_seconds now) {
  ++generation_;
  const auto gen = std::to_string(generation_);
  access_token_ = "sim-at-" + gen + "-" + hex16(hash3(seed_, 0xacce55, generation_));
  refresh_token_ = "sim-rt-" + gen + "-" + hex16(hash3(seed_, 0x4ef4e5, generation_));
  calls_with_current_ = 0;
  expires_at_ = now + ttl_;
}

}  // namespace ferry::sim
