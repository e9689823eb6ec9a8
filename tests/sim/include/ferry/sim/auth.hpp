#pragma once
// Caller checks of jst-sim: timestamp tolerance, signature, and the access and
// refresh tokens with their expiry and rotation.
//
// The free functions are pure and thread-safe. token_state is owned by the
// engine and not thread-safe.
#include "ferry/core/time.hpp"
#include "ferry/source/jushuitan/signing.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::sim {

using core::sys_seconds;
namespace jst = ferry::source::jushuitan;

// True when `text` is exactly ten digits of Unix seconds within `tolerance`
// of `now`, either side (|now - t| == tolerance is still accepted).
bool timestamp_ok(std::string_view text, sys_seconds now, std::chrono::seconds tolerance);

// True when the form's "sign" field is the signature of its other fields.
bool sign_ok(const jst::form_fields& form, std::string_view app_secret, jst::empty_fields empties);

enum class token_verdict { valid, unknown, expired };

// The tokens one app holds now, as the documented platform keeps them: both
// expire `ttl` after they were issued (the initial ones: `ttl` after the
// first call that sees them), the refresh token with the access token, as
// both public SDKs assume; or, with `refresh_outlives`, the refresh token
// stays good until it is used (the older, kinder behaviour). An access
// token may also expire after `expire_after_calls` accepted calls (> 0).
// refresh() and mint() issue new tokens, derived from the seed and a
// generation number, and retire both old ones.
class token_state {
 public:
  token_state(std::string access_token, std::string refresh_token, std::uint64_t seed,
              std::chrono::seconds ttl = std::chrono::days{30}, bool refresh_outlives = false);

  token_verdict check(std::string_view access_token, sys_seconds now);
  // Counts one accepted call made with the current access token.
  void count_call() { ++calls_with_current_; }
  void set_expire_after_calls(std::int64_t calls) { expire_after_calls_ = calls; }

  // New tokens when `refresh_token` is the current one and alive; false otherwise.
  bool refresh(std::string_view refresh_token, sys_seconds now);
  // New tokens whatever the old ones were (getInitToken).
  void mint(sys_seconds now);
  // Ages the current tokens: they expire `after` from `now` (0: at once).
  void expire_in(std::chrono::seconds after, sys_seconds now);

  const std::string& access_token() const { return access_token_; }
  const std::string& refresh_token() const { return refresh_token_; }
  std::int64_t calls_with_current() const { return calls_with_current_; }
  std::chrono::seconds ttl() const { return ttl_; }
  std::optional<sys_seconds> expires_at() const { return expires_at_; }
  std::uint64_t generation() const { return generation_; }

 private:
  void issue(sys_seconds now);
  sys_seconds expiry(sys_seconds now);

  std::string access_token_;
  std::string refresh_token_;
  std::uint64_t seed_;
  std::chrono::seconds ttl_;
  bool refresh_outlives_;
  std::optional<sys_seconds> expires_at_;  // unset until the first call sees the initial tokens
  std::uint64_t generation_ = 0;
  std::int64_t calls_with_current_ = 0;
  std::int64_t expire_after_calls_ = 0;
};

}  // namespace ferry::sim
