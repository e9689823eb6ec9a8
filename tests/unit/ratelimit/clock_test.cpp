#include "ferry/ratelimit/clock.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

using namespace std::chrono_literals;
using ferry::ratelimit::manual_clock;
using ferry::ratelimit::steady_clock_source;

TEST_CASE("the manual clock moves only forward and only when told", "[clock]") {
  const auto start = manual_clock::time_point{} + 10s;
  manual_clock clock{start};
  CHECK(clock.now() == start);
  clock.advance(250ms);
  CHECK(clock.now() == start + 250ms);
  clock.advance(0ns);
  CHECK(clock.now() == start + 250ms);
  clock.set(start + 1s);
  CHECK(clock.now() == start + 1s);
  CHECK_THROWS_AS(clock.advance(-1ns), std::invalid_argument);
  CHECK_THROWS_AS(clock.set(start), std::invalid_argument);
  CHECK(clock.now() == start + 1s);
}

TEST_CASE("the steady clock source never goes back", "[clock]") {
  const steady_clock_source clock;
  const auto a = clock.now();
  const auto b = clock.now();
  CHECK(b >= a);
  CHECK(a.time_since_epoch() > 0ns);
}
