#pragma once
// The time source of everything in ferry that waits or measures (limiter,
// backoff bookkeeping, windows, schedules): production code reads the real
// steady clock through `steady_clock_source`, tests drive a `manual_clock` by
// hand and never sleep. Both are monotonic steady-clock time points, so a
// limiter never sees wall-clock jumps (NTP, DST, an operator's `date -s`).
#include <chrono>

namespace ferry::ratelimit {

// The interface. Owned by whoever builds the object graph (the daemon, a
// test); users hold a const reference that must not outlive it.
class clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~clock() = default;
  virtual time_point now() const = 0;
};

// std::chrono::steady_clock. Stateless; thread-safe.
class steady_clock_source final : public clock {
 public:
  time_point now() const override;
};

// A clock that moves only when told to. Starts at `start` (the steady clock's
// epoch by default). Not thread-safe: tests use it from one thread.
class manual_clock final : public clock {
 public:
  explicit manual_clock(time_point start = time_point{}) : now_{start} {}
  time_point now() const override { return now_; }
  // Moves the clock forward; a negative step is a broken test and throws
  // std::invalid_argument, since a steady clock never goes back.
  void advance(std::chrono::nanoseconds step);
  // Jumps to `t`; like advance, refuses to go back.
  void set(time_point t);

 private:
  time_point now_;
};

}  // namespace ferry::ratelimit
