#include "ferry/retry/policy.hpp"

#include <stdexcept>
#include <string>

namespace ferry::retry {

std::string describe(outcome o) {
  switch (o) {
    case outcome::success: return "success";
    case outcome::transient: return "transient error";
    case outcome::throttle: return "throttled";
    case outcome::token_expired: return "access token expired";
    case outcome::fatal: return "fatal error";
  }
  return "unknown outcome " + std::to_string(static_cast<int>(o));
}

void validate(const policy& p) {
  using std::chrono::milliseconds;
  if (p.max_attempts < 1) throw std::invalid_argument("retry policy: max_attempts must be at least 1");
  if (p.base_delay < milliseconds::zero())
    throw std::invalid_argument("retry policy: base_delay must not be negative");
  if (p.max_delay < p.base_delay)
    throw std::invalid_argument("retry policy: max_delay must not be below base_delay");
  if (p.max_throttle_wait < milliseconds::zero())
    throw std::invalid_argument("retry policy: max_throttle_wait must not be negative");
}

}  // namespace ferry::retry
