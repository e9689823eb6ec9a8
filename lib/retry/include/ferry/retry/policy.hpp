#pragma once
// The classes of outcome a call to a source can have, and the knobs that say
// how hard ferry tries before giving up. The source module maps its answers
// (transport errors, HTTP statuses, Jushuitan codes) onto `outcome`; this
// module decides what follows (attempt_state.hpp). Plain values; thread-safe.
#include <chrono>
#include <string>

namespace ferry::retry {

enum class outcome {
  success,
  transient,      // network error, timeout, HTTP 5xx, Jushuitan code 150, malformed body
  throttle,       // Jushuitan codes 199/200, HTTP 429
  token_expired,  // Jushuitan code 100
  fatal,          // codes 10/110/140/190, other HTTP 4xx, config errors
};

// "success", "transient error", "throttled", "access token expired", "fatal error".
std::string describe(outcome o);

struct policy {
  int max_attempts = 6;  // calls counted against the budget, the first one included
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{30'000};
  std::chrono::milliseconds max_throttle_wait{600'000};  // per fetch, over all throttles
};

// Throws std::invalid_argument naming the bad field: max_attempts < 1, a
// negative duration, or max_delay < base_delay.
void validate(const policy& p);

}  // namespace ferry::retry
