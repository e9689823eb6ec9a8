// The coroutine wrapper: fairness, wake-ups and shutdown, driven by a manual
// clock and io_context::poll (nothing here waits on real time but the last
// test, which waits about 20 ms).
#include "ferry/ratelimit/limiter.hpp"

#include <boost/system/system_error.hpp>
#include <catch2/catch.hpp>
#include <exception>
#include <optional>
#include <vector>

#include "ferry/core/asio.hpp"

using namespace std::chrono_literals;
namespace asio = ferry::asio;
using ferry::ratelimit::call_grant;
using ferry::ratelimit::limiter;
using ferry::ratelimit::manual_clock;
using ferry::ratelimit::steady_clock_source;
using ferry::ratelimit::throttle_kind;

namespace {

struct grants {
  std::vector<int> order;
  std::vector<std::chrono::nanoseconds> waits;
  std::vector<std::exception_ptr> errors;
};

asio::awaitable<void> take(limiter& lim, int id, ferry::ratelimit::priority p, grants& out) {
  // The grant is dropped at once: a call answered the moment it went out.
  const auto waited = (co_await lim.acquire(p)).waited();
  out.order.push_back(id);
  out.waits.push_back(waited);
}

void spawn(asio::io_context& ctx, limiter& lim, int id, grants& out,
           ferry::ratelimit::priority p = ferry::ratelimit::priority::live) {
  asio::co_spawn(ctx, take(lim, id, p, out), [&out](std::exception_ptr e) {
    if (e) out.errors.push_back(e);
  });
}

// Runs whatever is ready now, without waiting on real time.
std::size_t settle(asio::io_context& ctx) {
  std::size_t ran = 0;
  for (std::size_t n = 1; n != 0; ran += n) {
    ctx.restart();
    n = ctx.poll();
  }
  return ran;
}

bool is_aborted(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const boost::system::system_error& error) {
    return error.code() == asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

}  // namespace

TEST_CASE("waiters are served first come, first served", "[limiter]") {
  asio::io_context ctx;
  manual_clock clock;
  limiter lim{ctx.get_executor(), {{2, 1s}}, clock, 0ms};
  grants got;
  for (int id = 0; id < 6; ++id) spawn(ctx, lim, id, got);
  settle(ctx);
  CHECK(got.order == std::vector<int>{0, 1});
  CHECK(lim.waiting() == 4);
  CHECK(settle(ctx) == 0);  // nothing wakes while nothing changes

  clock.advance(1s);
  spawn(ctx, lim, 6, got);  // the window has room, but others came first
  settle(ctx);
  CHECK(got.order == std::vector<int>{0, 1});
  lim.poke();
  settle(ctx);
  CHECK(got.order == std::vector<int>{0, 1, 2, 3});

  for (int second = 0; second < 2; ++second) {
    clock.advance(1s);
    lim.poke();
    settle(ctx);
  }
  CHECK(got.order == std::vector<int>{0, 1, 2, 3, 4, 5, 6});
  CHECK(got.waits == std::vector<std::chrono::nanoseconds>{0s, 0s, 1s, 1s, 2s, 2s, 2s});
  CHECK(lim.total_wait() == 8s);
  CHECK(lim.waiting() == 0);
  CHECK(got.errors.empty());
}

TEST_CASE("a token refresh goes before queued pages, verification only after them", "[limiter]") {
  using ferry::ratelimit::priority;
  asio::io_context ctx;
  manual_clock clock;
  limiter lim{ctx.get_executor(), {{1, 1s}}, clock, 0ms};
  grants got;
  spawn(ctx, lim, 0, got);  // takes the only call of this second
  spawn(ctx, lim, 1, got, priority::verify);
  spawn(ctx, lim, 2, got);
  spawn(ctx, lim, 3, got);
  spawn(ctx, lim, 4, got, priority::token);
  settle(ctx);
  CHECK(got.order == std::vector<int>{0});
  CHECK(lim.waiting() == 4);
  CHECK(lim.waiting(priority::verify) == 1);
  for (int second = 0; second < 4; ++second) {
    clock.advance(1s);
    lim.poke();
    settle(ctx);
  }
  // The refresh first, then the live pages in order, the verification last,
  // although it queued before them.
  CHECK(got.order == std::vector<int>{0, 4, 2, 3, 1});
  CHECK(got.errors.empty());
}

TEST_CASE("a refresh arriving behind waiting pages takes a reserved call at once", "[limiter]") {
  using ferry::ratelimit::priority;
  asio::io_context ctx;
  manual_clock clock;
  limiter lim{ctx.get_executor(), {{3, 60s}}, clock, 0ms};
  lim.reserve_for(1s, 18s);  // keeps 1 of the 3 (at most half) for refreshes
  grants got;
  for (int id = 0; id < 3; ++id) spawn(ctx, lim, id, got);
  settle(ctx);
  CHECK(got.order == std::vector<int>{0, 1});  // the third page waits out the minute
  spawn(ctx, lim, 9, got, priority::token);
  settle(ctx);  // no clock change, no poke: the new head re-plans the timer
  CHECK(got.order == std::vector<int>{0, 1, 9});
  CHECK(lim.waiting() == 1);
  CHECK(got.errors.empty());
}

TEST_CASE("poking without a clock change grants nothing early", "[limiter]") {
  asio::io_context ctx;
  manual_clock clock;
  limiter lim{ctx.get_executor(), {{1, 1s}}, clock};
  grants got;
  spawn(ctx, lim, 0, got);
  spawn(ctx, lim, 1, got);
  settle(ctx);
  clock.advance(1024ms);  // the margin is not over yet
  lim.poke();
  settle(ctx);
  CHECK(got.order == std::vector<int>{0});
  clock.advance(1ms);
  lim.poke();
  settle(ctx);
  CHECK(got.order == std::vector<int>{0, 1});
}

TEST_CASE("a throttle holds the queue through the cool-down", "[limiter]") {
  asio::io_context ctx;
  manual_clock clock;
  limiter lim{ctx.get_executor(), {{5, 1s}}, clock, 0ms};
  grants got;
  for (int id = 0; id < 5; ++id) spawn(ctx, lim, id, got);
  settle(ctx);
  clock.advance(100ms);
  lim.on_throttle(throttle_kind::per_second);
  CHECK(lim.effective_calls(0) == 2);
  for (int id = 5; id < 8; ++id) spawn(ctx, lim, id, got);
  clock.advance(999ms);
  lim.poke();
  settle(ctx);
  CHECK(got.order.size() == 5);
  clock.advance(1ms);  // the cool-down ends at 1.1 s
  lim.poke();
  settle(ctx);
  CHECK(got.order == std::vector<int>{0, 1, 2, 3, 4, 5, 6});
  CHECK(lim.waiting() == 1);
}

TEST_CASE("recovery after a throttle lets the head go sooner", "[limiter]") {
  asio::io_context ctx;
  manual_clock clock;
  limiter lim{ctx.get_executor(), {{2, 1s}}, clock, 25ms};
  grants got;
  lim.on_throttle(throttle_kind::per_second);  // 1 a second, cool-down to 1 s
  clock.advance(1s);
  spawn(ctx, lim, 0, got);
  spawn(ctx, lim, 1, got);
  settle(ctx);
  REQUIRE(got.order == std::vector<int>{0});
  clock.advance(1s);  // at 1 a second the head could go at 2.025 s
  lim.poke();
  settle(ctx);
  REQUIRE(got.order == std::vector<int>{0});
  lim.on_success();  // a clean period since the cool-down: back to 2 a second
  CHECK(lim.effective_calls(0) == 2);
  CHECK(lim.factor() == 1.0);
  settle(ctx);
  CHECK(got.order == std::vector<int>{0, 1});
  CHECK(got.waits.back() == 1s);
}

namespace {

// Takes a call and keeps it open in `held` until the test says it was answered.
asio::awaitable<void> hold(limiter& lim, std::optional<call_grant>& held) { held = co_await lim.acquire(); }

// A call the limiter grants at once, kept open until the test ends it.
std::optional<call_grant> open_call(asio::io_context& ctx, limiter& lim) {
  std::optional<call_grant> held;
  asio::co_spawn(ctx, hold(lim, held), asio::detached);
  settle(ctx);
  REQUIRE(held.has_value());
  return held;
}

}  // namespace

TEST_CASE("a call counts as sent until its answer is in, then from its answer", "[limiter]") {
  asio::io_context ctx;
  manual_clock clock;
  limiter lim{ctx.get_executor(), {{1, 1s}}, clock, 0ms};
  auto first = open_call(ctx, lim);
  CHECK(lim.open_calls() == 1);
  grants got;
  spawn(ctx, lim, 1, got);
  settle(ctx);
  clock.advance(3s);  // no answer yet: the server may not even have the call
  lim.poke();
  settle(ctx);
  CHECK(got.order.empty());
  first->done();  // answered 3 s after it went out: counted from then
  first->done();  // once is enough
  CHECK(lim.open_calls() == 0);
  clock.advance(999ms);
  lim.poke();
  settle(ctx);
  CHECK(got.order.empty());
  clock.advance(1ms);
  lim.poke();
  settle(ctx);
  CHECK(got.order == std::vector<int>{1});
  CHECK(got.waits == std::vector<std::chrono::nanoseconds>{4s});
}

TEST_CASE("a grant dropped without done() ends its call, and may outlive its limiter", "[limiter]") {
  asio::io_context ctx;
  manual_clock clock;
  std::optional<call_grant> kept;
  {
    limiter lim{ctx.get_executor(), {{1, 1s}}, clock, 0ms};
    auto held = open_call(ctx, lim);
    clock.advance(500ms);
    held.reset();  // the call failed and its grant went with the coroutine
    CHECK(lim.open_calls() == 0);
    grants got;
    spawn(ctx, lim, 1, got);
    settle(ctx);
    clock.advance(999ms);
    lim.poke();
    settle(ctx);
    CHECK(got.order.empty());
    clock.advance(1ms);
    lim.poke();
    settle(ctx);
    CHECK(got.order == std::vector<int>{1});
    asio::co_spawn(ctx, hold(lim, kept), asio::detached);
    clock.advance(2s);
    lim.poke();
    settle(ctx);
    REQUIRE(kept.has_value());
  }
  kept->done();  // the limiter is gone: nothing to tell, nothing touched
  kept.reset();
}

TEST_CASE("an abandoned grant gives its slot to the next waiter at once", "[limiter]") {
  asio::io_context ctx;
  manual_clock clock;
  limiter lim{ctx.get_executor(), {{1, 1s}}, clock, 0ms};
  auto held = open_call(ctx, lim);
  grants got;
  spawn(ctx, lim, 1, got);
  settle(ctx);
  CHECK(got.order.empty());
  held->abandon();  // it never went out: no clock change, no poke needed
  held->done();     // and nothing is left to end
  settle(ctx);
  CHECK(got.order == std::vector<int>{1});
  CHECK(lim.open_calls() == 0);
}

TEST_CASE("shutdown wakes every waiter with operation_aborted", "[limiter]") {
  asio::io_context ctx;
  manual_clock clock;
  limiter lim{ctx.get_executor(), {{1, 1min}}, clock};
  grants got;
  for (int id = 0; id < 4; ++id) spawn(ctx, lim, id, got);
  settle(ctx);
  REQUIRE(lim.waiting() == 3);
  lim.shutdown();
  CHECK(lim.waiting() == 0);
  settle(ctx);
  CHECK(got.order == std::vector<int>{0});
  REQUIRE(got.errors.size() == 3);
  for (const auto& e : got.errors) CHECK(is_aborted(e));

  spawn(ctx, lim, 9, got);  // and later callers are refused at once
  settle(ctx);
  REQUIRE(got.errors.size() == 4);
  CHECK(is_aborted(got.errors.back()));
  CHECK(got.order == std::vector<int>{0});
}

TEST_CASE("destroying the limiter releases its waiters", "[limiter]") {
  asio::io_context ctx;
  manual_clock clock;
  grants got;
  {
    limiter lim{ctx.get_executor(), {{1, 1min}}, clock};
    spawn(ctx, lim, 0, got);
    spawn(ctx, lim, 1, got);
    settle(ctx);
  }
  settle(ctx);
  CHECK(got.order == std::vector<int>{0});
  REQUIRE(got.errors.size() == 1);
  CHECK(is_aborted(got.errors.front()));
}

TEST_CASE("on the real steady clock the timer wakes the head", "[limiter]") {
  asio::io_context ctx;
  steady_clock_source clock;
  limiter lim{ctx.get_executor(), {{1, 20ms}}, clock, 0ms};
  grants got;
  spawn(ctx, lim, 0, got);
  spawn(ctx, lim, 1, got);
  ctx.run_for(2s);  // returns as soon as both are served
  CHECK(got.order == std::vector<int>{0, 1});
  REQUIRE(got.waits.size() == 2);
  CHECK(got.waits[1] > 0ns);
  CHECK(lim.total_wait() == got.waits[1]);
}
