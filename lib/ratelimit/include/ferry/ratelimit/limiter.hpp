#pragma once
// The rate limiter one Jushuitan source account shares between all of its
// jobs: `co_await lim.acquire()` before each call, then report the answer
// with on_success() or on_throttle(). The rules live in `window_limiter`
// (see window_limiter.hpp for why sliding windows and how it slows down).
//
// Waiters are served first come, first served, so one job's page fan-out
// cannot starve another job. One steady_timer waits for the head of the
// queue; nothing wakes while nothing can change. How long to wait comes from
// the injected clock, so tests drive a manual_clock and call poke() after
// moving it; the timer itself runs on real steady time.
//
// Owned by the source (one per app account). Not thread-safe: use it from
// the executor's thread only (ferry runs one io_context thread). Destroying
// it wakes the remaining waiters as shutdown() does; their coroutines must
// not outlive the executor.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "ferry/core/asio.hpp"
#include "ferry/ratelimit/clock.hpp"
#include "ferry/ratelimit/window_limiter.hpp"

namespace ferry::ratelimit {

class limiter {
 public:
  // `clk` must outlive the limiter. Throws std::invalid_argument for bad
  // rates (see window_limiter).
  limiter(asio::any_io_executor ex, std::vector<rate> rates, const clock& clk,
          std::chrono::milliseconds margin = std::chrono::milliseconds{25});
  ~limiter();
  limiter(const limiter&) = delete;
  limiter& operator=(const limiter&) = delete;

  // Waits until a call may go out and counts it as sent. Returns how long
  // this caller waited (by the injected clock). After shutdown(), and for
  // callers still waiting when it happens, throws boost::system::system_error
  // with asio::error::operation_aborted.
  asio::awaitable<std::chrono::nanoseconds> acquire();

  // The answer to a call was a throttle code: slow down (and re-plan the head).
  void on_throttle(throttle_kind kind);
  // The answer to a call was normal: lets a slowed-down limiter recover.
  void on_success();
  // Re-reads the clock and re-plans the head of the queue; for clocks that
  // jump (a manual_clock in tests). Never needed with steady_clock_source.
  void poke();
  // Wakes every waiter with operation_aborted and refuses later acquires, so
  // a stopping daemon does not hang on a long cool-down.
  void shutdown();

  // The sum of all granted callers' waits.
  std::chrono::nanoseconds total_wait() const { return total_wait_; }
  // Callers currently queued.
  std::size_t waiting() const { return queue_.size(); }
  double factor() const { return core_.factor(); }
  std::uint32_t effective_calls(std::size_t rate_index) const {
    return core_.effective_calls(rate_index);
  }

 private:
  struct waiter;

  void arm();
  void serve();
  void forget(const waiter* w);

  asio::any_io_executor ex_;
  const clock& clock_;
  window_limiter core_;
  asio::steady_timer head_timer_;
  std::deque<waiter*> queue_;  // waiters live in their acquire() frames
  std::chrono::nanoseconds total_wait_{0};
  bool stopped_ = false;
  // Timer handlers hold a weak reference: one already queued when the limiter
  // dies must not touch it.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace ferry::ratelimit
