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

// The tokens one app holds now.
//
// An access token expires after `expire_after_calls` accepted calls when that
// is > 0. refresh() with the current refresh token issues new tokens, derived
// from the seed and a generation number, and retires both old ones.
class token_state {
 public:
  token_state(std::string access_token, std::string refresh_token, std::uint64_t seed);

  token_verdict check(std::string_view access_token) const;
  // Counts one accepted call made with the current access token.
  void count_call() { ++calls_with_current_; }
  void set_expire_after_calls(std::int64_t calls) { expire_after_calls_ = calls; }

  // New tokens when `refresh_token` is the current one; false otherwise.
  bool refresh(std::string_view refresh_token);

  const std::string& access_token() const { return access_token_; }
  const std::string& refresh_token() const { return refresh_token_; }
  std::int64_t calls_with_current() const { return calls_with_current_; }

 private:
  std::string access_token_;
  std::string refresh_token_;
  std::uint64_t seed_;
  std::uint64_t generation_ = 0;
  std::int64_t calls_with_current_ = 0;
  std::int64_t expire_after_calls_ = 0;
};

}  // namespace ferry::sim
