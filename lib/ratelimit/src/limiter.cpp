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
  call_grant slot;
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

std::size_t limiter::waiting() const {
  std::size_t n = 0;
  for (const auto& q : queues_) n += q.size();
  return n;
}

std::deque<limiter::waiter*>* limiter::head_queue() {
  for (auto& q : queues_)
    if (!q.empty()) return &q;
  return nullptr;
}

call_grant& call_grant::operator=(call_grant&& other) noexcept {
  if (this != &other) {
    done();
    owner_ = std::exchange(other.owner_, nullptr);
    alive_ = std::move(other.alive_);
    id_ = other.id_;
    waited_ = other.waited_;
  }
  return *this;
}

void call_grant::done() {
  if (owner_ == nullptr) return;
  limiter* owner = std::exchange(owner_, nullptr);
  if (alive_.expired()) return;
  owner->core_.close(id_, owner->clock_.now());
}

void call_grant::abandon() {
  if (owner_ == nullptr) return;
  limiter* owner = std::exchange(owner_, nullptr);
  if (alive_.expired()) return;
  owner->give_back(id_);
}

void limiter::give_back(std::uint64_t id) {
  core_.cancel(id);
  arm();  // the slot may let the head go now
}

call_grant limiter::grant(clock::time_point now, std::chrono::nanoseconds waited) {
  call_grant g;
  g.owner_ = this;
  g.alive_ = alive_;
  g.id_ = core_.open(now);
  g.waited_ = waited;
  return g;
}

asio::awaitable<call_grant> limiter::acquire(priority p) {
  if (stopped_) throw_stopped();
  const auto start = clock_.now();
  // Joining behind others even when the window has room keeps the order fair.
  if (empty() && core_.wait_time(start, p == priority::token) == std::chrono::nanoseconds::zero())
    co_return grant(start, std::chrono::nanoseconds::zero());
  waiter w{*this, start};
  w.queued = true;
  auto& queue = queues_[static_cast<std::size_t>(p)];
  queue.push_back(&w);
  // A new head (the first waiter, or one of a higher priority than those
  // queued, which may use the reserved calls) re-plans the timer.
  if (head_queue() == &queue && queue.size() == 1) arm();
  boost::system::error_code ignored;
  co_await w.park.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  // Only `w` is touched from here: the limiter may be gone after a shutdown.
  if (!w.granted) throw_stopped();
  co_return std::move(w.slot);
}

void limiter::on_throttle(throttle_kind kind) {
  core_.on_throttle(clock_.now(), kind);
  arm();
}

void limiter::set_rates(std::vector<rate> rates) {
  core_.set_rates(std::move(rates));
  arm();
}

void limiter::reserve_for(std::chrono::milliseconds max_wait, std::chrono::milliseconds every) {
  core_.reserve_for(max_wait, every);
  arm();
}

std::chrono::nanoseconds limiter::head_wait(clock::time_point now) {
  const bool token = !queues_[static_cast<std::size_t>(priority::token)].empty();
  return core_.wait_time(now, token);
}

void limiter::on_success() {
  core_.on_success(clock_.now());
  arm();
}

void limiter::poke() { arm(); }

void limiter::shutdown() {
  stopped_ = true;
  head_timer_.cancel();
  for (auto& q : queues_)
    for (waiter* w : std::exchange(q, {})) {
      w->queued = false;
      w->park.cancel();
    }
}

// Grants are only ever made here, in a timer handler, never inline in a
// caller's code: a waiter is always parked before it can be woken.
void limiter::arm() {
  if (stopped_ || empty()) return;
  head_timer_.expires_after(head_wait(clock_.now()));
  head_timer_.async_wait(
      [this, alive = std::weak_ptr<char>{alive_}](const boost::system::error_code& ec) {
        if (ec == asio::error::operation_aborted || alive.expired()) return;
        serve();
      });
}

void limiter::serve() {
  const auto now = clock_.now();
  for (auto* queue = head_queue(); queue != nullptr && head_wait(now) == std::chrono::nanoseconds::zero();
       queue = head_queue()) {
    waiter* w = queue->front();
    queue->pop_front();
    w->queued = false;
    w->granted = true;
    w->waited = now - w->start;
    w->slot = grant(now, w->waited);
    total_wait_ += w->waited;
    w->park.cancel();
  }
  arm();
}

void limiter::forget(const waiter* w) {
  for (auto& q : queues_) q.erase(std::remove(q.begin(), q.end(), w), q.end());
}

}  // namespace ferry::ratelimit
