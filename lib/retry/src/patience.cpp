#include "ferry/retry/patience.hpp"

#include <algorithm>

namespace ferry::retry {

patience::patience(patience_rules rules, std::uint64_t seed) : rules_(rules), random_(seed) {}

std::optional<std::chrono::milliseconds> patience::next(bool lock_conflict, std::chrono::nanoseconds elapsed) {
  using std::chrono::milliseconds;
  ++failures_;
  if (elapsed > rules_.give_up) return std::nullopt;
  if (lock_conflict) {
    ++lock_conflicts_;
    const auto steady = std::min(rules_.lock_longest, rules_.lock_step * lock_conflicts_);
    const auto span = static_cast<std::uint64_t>(rules_.jitter.count());
    return steady + milliseconds{static_cast<long long>(span == 0 ? 0 : random_() % (span + 1))};
  }
  // Doubling stops once it passes `longest`: the shift never overflows.
  auto delay = rules_.first;
  for (int i = 0; i < std::min(failures_, 20) && delay < rules_.longest; ++i) delay *= 2;
  return std::min(delay, rules_.longest);
}

}  // namespace ferry::retry
