#pragma once
// The rate limiter one Jushuitan source account shares between all of its
// jobs: `auto call = co_await lim.acquire()` before each call, `call.done()`
// when its answer (or its failure) is in, then report the answer with
// on_success() or on_throttle(). A call counts as sent until it is done, so a
// request the network or the server held up is never counted too early. The
// rules live in `window_limiter` (see window_limiter.hpp for why sliding
// windows, why answer times and how it slows down).
//
// Waiters are served by priority, then first come, first served within a
// priority, so one job's page fan-out cannot starve another job: a token
// refresh goes before every queued page, and live pages before the pages of
// a verification pass, which so only ever use spare calls. One steady_timer waits for the head of the
// queue; nothing wakes while nothing can change. How long to wait comes from
// the injected clock, so tests drive a manual_clock and call poke() after
// moving it; the timer itself runs on real steady time.
//
// Owned by the source (one per app account). Not thread-safe: use it from
// the executor's thread only (ferry runs one io_context thread). Destroying
// it wakes the remaining waiters as shutdown() does; their coroutines must
// not outlive the executor.
#include <array>
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

// Who is asking, highest first.
enum class priority { token = 0, live = 1, verify = 2 };
inline constexpr std::size_t priority_count = 3;

class limiter;

// One granted call, open in its limiter until done() or until the grant is
// dropped, whichever comes first. Move-only; safe to outlive the limiter.
class call_grant {
 public:
  call_grant() = default;
  call_grant(call_grant&& other) noexcept { *this = std::move(other); }
  call_grant& operator=(call_grant&& other) noexcept;
  call_grant(const call_grant&) = delete;
  call_grant& operator=(const call_grant&) = delete;
  ~call_grant() { done(); }

  // How long the caller waited for its slot (by the limiter's clock).
  std::chrono::nanoseconds waited() const { return waited_; }
  // The call's answer, or the failure that ended it, is in. Idempotent.
  void done();
  // The call was not sent after all: its slot is given back, as if never
  // granted. Does nothing after done().
  void abandon();

 private:
  friend class limiter;
  limiter* owner_ = nullptr;
  std::weak_ptr<char> alive_;
  std::uint64_t id_ = 0;
  std::chrono::nanoseconds waited_{0};
};

class limiter {
 public:
  // `clk` must outlive the limiter. Throws std::invalid_argument for bad
  // rates (see window_limiter).
  limiter(asio::any_io_executor ex, std::vector<rate> rates, const clock& clk,
          std::chrono::milliseconds margin = std::chrono::milliseconds{25});
  ~limiter();
  limiter(const limiter&) = delete;
  limiter& operator=(const limiter&) = delete;

  // Waits until a call may go out and counts it as sent until the returned
  // grant is done. After shutdown(), and for callers still waiting when it
  // happens, throws boost::system::system_error with
  // asio::error::operation_aborted.
  asio::awaitable<call_grant> acquire(priority p = priority::live);

  // Keeps calls of each window for priority::token (window_limiter::reserve_for).
  void reserve_for(std::chrono::milliseconds max_wait, std::chrono::milliseconds every);
  // The account's rates changed (a reload): the calls already sent count
  // against the new ones, waiters are re-planned. Throws
  // std::invalid_argument for bad rates, changing nothing.
  void set_rates(std::vector<rate> rates);
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

  // Calls granted and not yet done.
  std::size_t open_calls() const { return core_.open_calls(); }
  // The sum of all granted callers' waits.
  std::chrono::nanoseconds total_wait() const { return total_wait_; }
  // Callers currently queued (of one priority).
  std::size_t waiting() const;
  std::size_t waiting(priority p) const { return queues_[static_cast<std::size_t>(p)].size(); }
  double factor() const { return core_.factor(); }
  std::uint32_t effective_calls(std::size_t rate_index) const {
    return core_.effective_calls(rate_index);
  }

 private:
  struct waiter;
  friend class call_grant;

  void give_back(std::uint64_t id);

  call_grant grant(clock::time_point now, std::chrono::nanoseconds waited);
  void arm();
  void serve();
  void forget(const waiter* w);
  bool empty() const { return waiting() == 0; }
  // The queue served next: the highest priority with a waiter.
  std::deque<waiter*>* head_queue();
  // How long the head of the queue must wait (a token caller may use the reserve).
  std::chrono::nanoseconds head_wait(clock::time_point now);

  asio::any_io_executor ex_;
  const clock& clock_;
  window_limiter core_;
  asio::steady_timer head_timer_;
  std::array<std::deque<waiter*>, priority_count> queues_;  // waiters live in their acquire() frames
  std::chrono::nanoseconds total_wait_{0};
  bool stopped_ = false;
  // Timer handlers hold a weak reference: one already queued when the limiter
  // dies must not touch it.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace ferry::ratelimit
