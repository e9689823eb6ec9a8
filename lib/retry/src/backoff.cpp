#include "ferry/retry/backoff.hpp"

#include <stdexcept>

namespace ferry::retry {

namespace {

// Uniform in [0, n) by rejection: drawing again below 2^64 mod n removes the
// bias a bare modulo would have. n >= 1.
std::uint64_t uniform_below(std::mt19937_64& random, std::uint64_t n) {
  const std::uint64_t threshold = (std::uint64_t{0} - n) % n;
  for (;;) {
    const std::uint64_t r = random();
    if (r >= threshold) return r % n;
  }
}

}  // namespace

backoff::backoff(policy p, std::uint64_t seed) : policy_{p}, random_{seed} { validate(policy_); }

std::chrono::milliseconds backoff::cap(int attempt) const {
  if (attempt < 1) throw std::invalid_argument("backoff: attempt must be at least 1");
  const auto base = policy_.base_delay.count();
  const auto max = policy_.max_delay.count();
  const int doublings = attempt - 1;
  // base * 2^doublings without overflow: past max it no longer matters.
  if (base == 0) return std::chrono::milliseconds::zero();
  if (doublings >= 62 || base > (max >> doublings)) return policy_.max_delay;
  return std::chrono::milliseconds{base << doublings};
}

std::chrono::milliseconds backoff::delay(int attempt) {
  const auto bound = static_cast<std::uint64_t>(cap(attempt).count());
  return std::chrono::milliseconds{static_cast<std::int64_t>(uniform_below(random_, bound + 1))};
}

}  // namespace ferry::retry
