#include "ferry/sim/limiter.hpp"

#include <catch2/catch.hpp>

using namespace ferry;
using std::chrono::milliseconds;
using verdict = sim::limit_verdict;

namespace {

const sim::sliding_limiter::time_point t0{};

}  // namespace

TEST_CASE("the 6th call within a second gets the per-second refusal") {
  sim::sliding_limiter limiter(5, 100);
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.try_acquire("demo", t0 + milliseconds{i * 100}) == verdict::accepted);
  CHECK(limiter.try_acquire("demo", t0 + milliseconds{999}) == verdict::per_second);
  // The first call leaves the window exactly one second after it was made.
  CHECK(limiter.try_acquire("demo", t0 + milliseconds{1000}) == verdict::accepted);
  CHECK(limiter.try_acquire("other", t0 + milliseconds{1000}) == verdict::accepted);
}

TEST_CASE("the 101st call within a minute gets the per-minute refusal") {
  sim::sliding_limiter limiter(5, 100);
  for (int i = 0; i < 100; ++i)
    REQUIRE(limiter.try_acquire("demo", t0 + milliseconds{i * 500}) == verdict::accepted);
  CHECK(limiter.try_acquire("demo", t0 + milliseconds{59'999}) == verdict::per_minute);
  CHECK(limiter.try_acquire("demo", t0 + milliseconds{60'000}) == verdict::accepted);
}

TEST_CASE("refused calls do not count") {
  sim::sliding_limiter limiter(5, 0);
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.try_acquire("demo", t0) == verdict::accepted);
  for (int i = 0; i < 50; ++i) REQUIRE(limiter.try_acquire("demo", t0 + milliseconds{500}) == verdict::per_second);
  // Had the refusals counted, the window would still be full at 1.0 s.
  CHECK(limiter.try_acquire("demo", t0 + milliseconds{1000}) == verdict::accepted);
}

TEST_CASE("a limit of 0 is off") {
  sim::sliding_limiter limiter(0, 0);
  for (int i = 0; i < 1000; ++i) REQUIRE(limiter.try_acquire("demo", t0) == verdict::accepted);
  sim::sliding_limiter minute_only(0, 3);
  for (int i = 0; i < 3; ++i) REQUIRE(minute_only.try_acquire("demo", t0) == verdict::accepted);
  CHECK(minute_only.try_acquire("demo", t0) == verdict::per_minute);
}
