#pragma once
// jst-sim's call-rate limits: sliding windows of 1 s and 60 s per app_key.
//
// A call is accepted when fewer than `per_second` calls were accepted in the
// last second and fewer than `per_minute` in the last 60 s (0 turns a limit
// off). Refused calls are not recorded, so they do not count against later
// calls. Time is passed in, never read: unit tests drive it by hand.
// Not thread-safe; owned by the engine.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>

namespace ferry::sim {

enum class limit_verdict { accepted, per_second, per_minute };

class sliding_limiter {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  sliding_limiter(std::int64_t per_second, std::int64_t per_minute)
      : per_second_(per_second), per_minute_(per_minute) {}

  // Decides one call by `key` at `now` (non-decreasing between calls) and
  // records it when accepted. The per-second limit is checked first.
  limit_verdict try_acquire(std::string_view key, time_point now);

 private:
  std::int64_t per_second_;
  std::int64_t per_minute_;
  std::map<std::string, std::deque<time_point>, std::less<>> accepted_;
};

}  // namespace ferry::sim
