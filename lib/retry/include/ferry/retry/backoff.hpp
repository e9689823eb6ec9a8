#pragma once
// Exponential backoff with full jitter: the delay before retry n is uniform
// in [0, min(max_delay, base_delay * 2^(n-1))] whole milliseconds. Full
// jitter spreads the retries of many concurrent page fetches that failed
// together, so they do not come back together. The random generator is
// seeded by the owner, so a seed gives the same delays on every platform
// (std::mt19937_64 is specified exactly; the mapping to a range is ours,
// because std::uniform_int_distribution's is not).
//
// One per job run, shared by its page fetches; not thread-safe (each call
// advances the generator).
#include <chrono>
#include <cstdint>
#include <random>

#include "ferry/retry/policy.hpp"

namespace ferry::retry {

class backoff {
 public:
  // Throws std::invalid_argument for an invalid policy (see validate).
  backoff(policy p, std::uint64_t seed);

  // The delay before the retry that follows `attempt` failed attempts
  // (attempt >= 1; throws std::invalid_argument otherwise).
  std::chrono::milliseconds delay(int attempt);
  // The upper bound delay(attempt) draws from.
  std::chrono::milliseconds cap(int attempt) const;
  const policy& settings() const { return policy_; }

 private:
  policy policy_;
  std::mt19937_64 random_;
};

}  // namespace ferry::retry
