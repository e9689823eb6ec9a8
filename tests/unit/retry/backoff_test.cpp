#include "ferry/retry/backoff.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <climits>
#include <stdexcept>
#include <vector>

using namespace std::chrono_literals;
using ferry::retry::backoff;
using ferry::retry::policy;
using std::chrono::milliseconds;

TEST_CASE("the cap doubles from base_delay up to max_delay", "[backoff]") {
  const backoff b{policy{}, 1};
  CHECK(b.cap(1) == 500ms);
  CHECK(b.cap(2) == 1000ms);
  CHECK(b.cap(3) == 2000ms);
  CHECK(b.cap(6) == 16000ms);
  CHECK(b.cap(7) == 30000ms);  // 32 s, capped
  CHECK(b.cap(63) == 30000ms);
  CHECK(b.cap(64) == 30000ms);
  CHECK(b.cap(INT_MAX) == 30000ms);
  CHECK_THROWS_AS(b.cap(0), std::invalid_argument);
}

TEST_CASE("every delay lies in [0, cap] for every attempt", "[backoff]") {
  backoff b{policy{}, 7};
  for (int attempt = 1; attempt <= 70; ++attempt) {
    const milliseconds cap = std::min(milliseconds{30'000}, attempt < 20 ? 500ms * (1 << (attempt - 1))
                                                                         : milliseconds{30'000});
    REQUIRE(b.cap(attempt) == cap);
    for (int draw = 0; draw < 500; ++draw) {
      const milliseconds d = b.delay(attempt);
      REQUIRE(d >= 0ms);
      REQUIRE(d <= cap);
    }
  }
}

TEST_CASE("delays spread evenly: the mean is half the cap", "[backoff]") {
  backoff b{policy{}, 2024};
  for (const int attempt : {1, 3, 12}) {
    const double cap = static_cast<double>(b.cap(attempt).count());
    double sum = 0;
    milliseconds lowest = b.cap(attempt);
    milliseconds highest = 0ms;
    for (int draw = 0; draw < 10'000; ++draw) {
      const milliseconds d = b.delay(attempt);
      sum += static_cast<double>(d.count());
      lowest = std::min(lowest, d);
      highest = std::max(highest, d);
    }
    CHECK(sum / 10'000 == Approx(cap / 2).epsilon(0.03));
    CHECK(static_cast<double>(lowest.count()) < cap * 0.01);
    CHECK(static_cast<double>(highest.count()) > cap * 0.99);
  }
}

TEST_CASE("both ends of a tiny range are reached", "[backoff]") {
  backoff b{policy{6, 1ms, 1ms, 0ms}, 3};
  std::vector<int> seen(2, 0);
  for (int draw = 0; draw < 200; ++draw) ++seen.at(static_cast<std::size_t>(b.delay(1).count()));
  CHECK(seen[0] > 50);
  CHECK(seen[1] > 50);
}

TEST_CASE("a zero base delay retries at once", "[backoff]") {
  backoff b{policy{6, 0ms, 0ms, 0ms}, 3};
  for (int attempt = 1; attempt < 100; ++attempt) CHECK(b.delay(attempt) == 0ms);
}

TEST_CASE("a seed gives the same delays every time, another seed others", "[backoff]") {
  backoff a{policy{}, 99};
  backoff same{policy{}, 99};
  backoff other{policy{}, 100};
  int differing = 0;
  for (int i = 0; i < 100; ++i) {
    const int attempt = 1 + i % 8;
    const milliseconds d = a.delay(attempt);
    CHECK(same.delay(attempt) == d);
    if (other.delay(attempt) != d) ++differing;
  }
  CHECK(differing > 90);
  // The exact sequence is part of the contract (mt19937_64 is specified to
  // the bit and the range mapping is ours), so a run's delays can be replayed
  // from its seed on any platform and compiler.
  backoff fixed{policy{}, 1};
  for (const long long expected : {8732, 22, 9380, 23154}) CHECK(fixed.delay(7).count() == expected);
}

TEST_CASE("bad attempts and policies are refused", "[backoff]") {
  backoff b{policy{}, 1};
  CHECK_THROWS_AS(b.delay(0), std::invalid_argument);
  CHECK_THROWS_AS(b.delay(-3), std::invalid_argument);
  CHECK_THROWS_AS(backoff(policy{0, 500ms, 30s, 10min}, 1), std::invalid_argument);
  CHECK_THROWS_AS(backoff(policy{6, -1ms, 30s, 10min}, 1), std::invalid_argument);
  CHECK_THROWS_AS(backoff(policy{6, 500ms, 499ms, 10min}, 1), std::invalid_argument);
  CHECK_THROWS_AS(backoff(policy{6, 500ms, 30s, -1ms}, 1), std::invalid_argument);
}
