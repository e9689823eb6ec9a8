#include "ferry/ratelimit/limiter.hpp"

#include <algorithm>
#include <boost/system/system_error.hpp>
#include <utility>

namespace ferry::ratelimit {

// One suspended acquire(): parked on a timer that never expires by itself;
// cancelling it is the wake-up, `granted` says which kind.
struct limiter::waiter {
  waiter(limiter& o, clock::time_point started)
      : owner{&o}, park{o.ex_, asio::steady_timer::time_point::max()}, start{started} {}
  waiter(const waiter&) = delete;
  waiter& operator=(const waiter&) = delete;
  // A coroutine frame destroyed while queued (its executor went away) must
  // leave no dangling pointer behind.
  ~waiter() {
    if (queued) owner->forget(this);
  }

  limiter* owner;
  asio::steady_timer park;
  clock::time_point start;
  std::chrono::nanoseconds waited{0};
  bool queued = false;
  bool granted = false;
};

namespace {

[[noreturn]] void throw_stopped() {
  throw boost::system::system_error(asio::error::operation_aborted, "rate limiter shut down");
}

}  // namespace

limiter::limiter(asio::any_io_executor ex, std::vector<rate> rates, const clock& clk,
                 std::chrono::milliseconds margin)
    : ex_{std::move(ex)}, clock_{clk}, core_{std::move(rates), margin}, head_timer_{ex_} {}

limiter::~limiter() { shutdown(); }

asio::awaitable<std::chrono::nanoseconds> limiter::acquire() {
  if (stopped_) throw_stopped();
  const auto start = clock_.now();
  // Joining behind others even when the window has room keeps the order fair.
  if (queue_.empty() && core_.wait_time(start) == std::chrono::nanoseconds::zero()) {
    core_.record(start);
    co_return std::chrono::nanoseconds::zero();
  }
  waiter w{*this, start};
  w.queued = true;
  queue_.push_back(&w);
  if (queue_.size() == 1) arm();
  boost::system::error_code ignored;
  co_await w.park.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  // Only `w` is touched from here: the limiter may be gone after a shutdown.
  if (!w.granted) throw_stopped();
  co_return w.waited;
}

void limiter::on_throttle(throttle_kind kind) {
  core_.on_throttle(clock_.now(), kind);
  arm();
}

void limiter::on_success() {
  core_.on_success(clock_.now());
  arm();
}

void limiter::poke() { arm(); }

void limiter::shutdown() {
  stopped_ = true;
  head_timer_.cancel();
  for (waiter* w : std::exchange(queue_, {})) {
    w->queued = false;
    w->park.cancel();
  }
}

// Grants are only ever made here, in a timer handler, never inline in a
// caller's code: a waiter is always parked before it can be woken.
void limiter::arm() {
  if (stopped_ || queue_.empty()) return;
  head_timer_.expires_after(core_.wait_time(clock_.now()));
  head_timer_.async_wait(
      [this, alive = std::weak_ptr<char>{alive_}](const boost::system::error_code& ec) {
        if (ec == asio::error::operation_aborted || alive.expired()) return;
        serve();
      });
}

void limiter::serve() {
  const auto now = clock_.now();
  while (!queue_.empty() && core_.wait_time(now) == std::chrono::nanoseconds::zero()) {
    waiter* w = queue_.front();
    queue_.pop_front();
    core_.record(now);
    w->queued = false;
    w->granted = true;
    w->waited = now - w->start;
    total_wait_ += w->waited;
    w->park.cancel();
  }
  arm();
}

void limiter::forget(const waiter* w) {
  queue_.erase(std::remove(queue_.begin(), queue_.end(), w), queue_.end());
}

}  // namespace ferry::ratelimit
