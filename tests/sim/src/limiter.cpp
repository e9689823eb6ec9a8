#include "ferry/sim/limiter.hpp"

#include <algorithm>

namespace ferry::sim {

limit_verdict sliding_limiter::try_acquire(std::string_view key, time_point now) {
  using std::chrono::seconds;
  if (per_second_ <= 0 && per_minute_ <= 0) return limit_verdict::accepted;
  auto it = accepted_.find(key);
  if (it == accepted_.end()) it = accepted_.emplace(std::string{key}, std::deque<time_point>{}).first;
  auto& times = it->second;
  // A call at t is inside the window of `now` while now - t < window.
  const auto keep_for = per_minute_ > 0 ? seconds{60} : seconds{1};
  while (!times.empty() && now - times.front() >= keep_for) times.pop_front();
  if (per_second_ > 0) {
    const auto in_last_second =
        std::count_if(times.rbegin(), times.rend(), [&](time_point t) { return now - t < seconds{1}; });
    if (in_last_second >= per_second_) return limit_verdict::per_second;
  }
  if (per_minute_ > 0 && std::ssize(times) >= per_minute_) return limit_verdict::per_minute;
  times.push_back(now);
  return limit_verdict::accepted;
}

}  // namespace ferry::sim
