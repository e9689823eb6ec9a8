#include "ferry/retry/patience.hpp"

#include <catch2/catch.hpp>

using namespace ferry::retry;
using namespace std::chrono_literals;

TEST_CASE("a server that is away is given more and more time, up to 30 s between tries", "[patience]") {
  patience p{{}, 1};
  // The same pace the runner had: 250 ms << min(attempt, 7), at most 30 s.
  const std::chrono::milliseconds expected[] = {500ms, 1000ms, 2000ms, 4000ms, 8000ms, 16000ms, 30000ms, 30000ms};
  for (const auto want : expected) CHECK(p.next(false, 1min) == want);
  CHECK(p.failures() == 8);
}

TEST_CASE("a lock conflict is redone soon, with jitter, at most 2 s plus jitter", "[patience]") {
  patience p{{}, 7};
  for (int n = 1; n <= 30; ++n) {
    const auto d = p.next(true, 1s);
    REQUIRE(d);
    const auto steady = std::min(2000ms, 100ms * n);
    CHECK(*d >= steady);
    CHECK(*d <= steady + 250ms);
  }
  // A server failure in between keeps its own pace.
  patience mixed{{}, 7};
  CHECK(mixed.next(true, 0s) <= 350ms);
  CHECK(mixed.next(false, 0s) == 1000ms);
}

TEST_CASE("after ten minutes of failing, patience ends", "[patience]") {
  patience p{{}, 3};
  CHECK(p.next(false, 9min + 59s));
  CHECK_FALSE(p.next(false, 10min + 1s));
  CHECK_FALSE(p.next(true, 11min));
  patience quick{{.give_up = 2s}, 3};
  CHECK_FALSE(quick.next(false, 3s));
}

TEST_CASE("the jitter comes from the seed: the same seed, the same delays", "[patience]") {
  patience a{{}, 42}, b{{}, 42};
  for (int i = 0; i < 10; ++i) CHECK(a.next(true, 0s) == b.next(true, 0s));
}
