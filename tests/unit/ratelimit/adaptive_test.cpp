// The limiter's reaction to throttle answers: halve, cool down, recover.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "ferry/ratelimit/window_limiter.hpp"

using namespace std::chrono;
using namespace std::chrono_literals;
using ferry::ratelimit::throttle_kind;
using ferry::ratelimit::window_limiter;
using instant = window_limiter::time_point;

namespace {

const instant t0 = instant{} + hours{1};

void burst(window_limiter& lim, instant at, int calls) {
  for (int i = 0; i < calls; ++i) lim.record(at);
}

}  // namespace

TEST_CASE("a throttle halves the rate and blocks every call for its period", "[adaptive]") {
  window_limiter lim{{{5, 1s}}};
  burst(lim, t0, 5);
  lim.on_throttle(t0 + 200ms, throttle_kind::per_second);
  CHECK(lim.effective_calls(0) == 2);
  CHECK(lim.factor() == Approx(0.4));
  CHECK(lim.wait_time(t0 + 200ms) == 1s);  // blocked until 1.2 s, past the window's 1.025 s
  CHECK(lim.wait_time(t0 + 1199ms) == 1ms);
  CHECK(lim.wait_time(t0 + 1200ms) == 0ns);
  burst(lim, t0 + 1200ms, 2);
  CHECK(lim.wait_time(t0 + 1200ms) == 1025ms);  // only 2 per second now
}

TEST_CASE("throttles that arrive during the cool-down are the same overload", "[adaptive]") {
  window_limiter lim{{{5, 1s}}};
  lim.on_throttle(t0, throttle_kind::per_second);
  lim.on_throttle(t0 + 300ms, throttle_kind::per_second);
  lim.on_throttle(t0 + 999ms, throttle_kind::per_second);
  CHECK(lim.effective_calls(0) == 2);
  CHECK(lim.wait_time(t0 + 999ms) == 1ms);  // and the block was not extended
  lim.on_throttle(t0 + 1s, throttle_kind::per_second);
  CHECK(lim.effective_calls(0) == 1);
  lim.on_throttle(t0 + 2s, throttle_kind::per_second);
  CHECK(lim.effective_calls(0) == 1);  // never below one call
  CHECK(lim.wait_time(t0 + 2s) == 1s);
}

TEST_CASE("recovery is stepwise: one step per clean period after the cool-down", "[adaptive]") {
  window_limiter lim{{{5, 1s}}};
  lim.on_throttle(t0, throttle_kind::per_second);  // 2, blocked until 1 s
  lim.on_success(t0 + 1500ms);
  CHECK(lim.effective_calls(0) == 2);
  lim.on_success(t0 + 1999ms);
  CHECK(lim.effective_calls(0) == 2);
  lim.on_success(t0 + 2s);  // a full period after the cool-down ended
  CHECK(lim.effective_calls(0) == 3);
  lim.on_success(t0 + 2500ms);
  CHECK(lim.effective_calls(0) == 3);
  lim.on_success(t0 + 3s);
  CHECK(lim.effective_calls(0) == 4);
  // A long idle gap with one success is one step, not several.
  lim.on_success(t0 + 60s);
  CHECK(lim.effective_calls(0) == 5);
  lim.on_success(t0 + 120s);
  CHECK(lim.effective_calls(0) == 5);  // never above the configured rate
  CHECK(lim.factor() == 1.0);
}

TEST_CASE("a throttle during recovery starts it over from half", "[adaptive]") {
  window_limiter lim{{{5, 1s}}};
  lim.on_throttle(t0, throttle_kind::per_second);
  lim.on_success(t0 + 2s);
  lim.on_success(t0 + 3s);
  REQUIRE(lim.effective_calls(0) == 4);
  lim.on_throttle(t0 + 3500ms, throttle_kind::per_second);
  CHECK(lim.effective_calls(0) == 2);
  lim.on_success(t0 + 4s);  // would have been a step without the throttle
  CHECK(lim.effective_calls(0) == 2);
  lim.on_success(t0 + 5500ms);
  CHECK(lim.effective_calls(0) == 3);
}

TEST_CASE("code 199 slows the per-second rate, 200 the per-minute one", "[adaptive]") {
  SECTION("199") {
    window_limiter lim{{{100, 1min}, {5, 1s}}};
    lim.on_throttle(t0, throttle_kind::per_second);
    CHECK(lim.effective_calls(0) == 100);
    CHECK(lim.effective_calls(1) == 2);
    CHECK(lim.wait_time(t0) == 1s);
  }
  SECTION("200, then recovery by 10 a minute") {
    window_limiter lim{{{5, 1s}, {100, 1min}}};
    lim.on_throttle(t0, throttle_kind::per_minute);
    CHECK(lim.effective_calls(0) == 5);
    CHECK(lim.effective_calls(1) == 50);
    CHECK(lim.wait_time(t0) == 1min);
    lim.on_success(t0 + 1min + 59s);
    CHECK(lim.effective_calls(1) == 50);
    int minutes_to_full = 0;
    for (int m = 2; lim.effective_calls(1) < 100 && m < 20; ++m, ++minutes_to_full) {
      const auto before = lim.effective_calls(1);
      lim.on_success(t0 + minutes{m});
      CHECK(lim.effective_calls(1) == before + 10);
    }
    CHECK(minutes_to_full == 5);
    CHECK(lim.effective_calls(1) == 100);
  }
}

TEST_CASE("HTTP 429 slows every rate and blocks for the longest period", "[adaptive]") {
  window_limiter lim{{{5, 1s}, {100, 1min}}};
  lim.on_throttle(t0, throttle_kind::unknown);
  CHECK(lim.effective_calls(0) == 2);
  CHECK(lim.effective_calls(1) == 50);
  CHECK(lim.factor() == Approx(0.4));
  CHECK(lim.wait_time(t0 + 59s) == 1s);
  CHECK_THROWS_AS(lim.effective_calls(2), std::out_of_range);
}

TEST_CASE("a throttled greedy caller keeps to the lowered rate", "[adaptive]") {
  window_limiter lim{{{10, 1s}}, 0ms};
  lim.on_throttle(t0, throttle_kind::per_second);
  REQUIRE(lim.effective_calls(0) == 5);
  int calls = 0;
  for (instant now = t0 + lim.wait_time(t0); now < t0 + 11s; now += lim.wait_time(now)) {
    lim.record(now);
    ++calls;
  }
  // Blocked for 1 s, then 5 per second for 10 s (no successes reported).
  CHECK(calls == 50);
}
