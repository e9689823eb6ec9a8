#include "ferry/core/time.hpp"
#include "ferry/sync/windows.hpp"

#include <catch2/catch.hpp>

using namespace ferry::sync;
using namespace std::chrono_literals;

namespace {
sys_seconds at(const char* text) { return *ferry::core::parse_shanghai_datetime(text); }

window_policy policy() {
  window_policy p;
  p.start = at("2026-01-01 00:00:00");
  p.max_span = 24h * 30;
  p.lag = 60s;
  p.lookback = 5min;
  return p;
}
}  // namespace

TEST_CASE("a first run starts at the configured start and ends lag before now", "[windows]") {
  const auto r = live_range(policy(), std::nullopt, at("2026-01-10 12:00:00"));
  REQUIRE(r);
  CHECK(r->start == at("2026-01-01 00:00:00"));
  CHECK(r->end == at("2026-01-10 11:59:00"));
}

TEST_CASE("later runs reach back by lookback from the watermark", "[windows]") {
  const auto r = live_range(policy(), at("2026-01-10 11:59:00"), at("2026-01-10 12:10:00"));
  REQUIRE(r);
  CHECK(r->start == at("2026-01-10 11:54:00"));
  CHECK(r->end == at("2026-01-10 12:09:00"));
}

TEST_CASE("lookback never reaches before the configured start", "[windows]") {
  const auto r = live_range(policy(), at("2026-01-01 00:02:00"), at("2026-01-02 00:00:00"));
  REQUIRE(r);
  CHECK(r->start == at("2026-01-01 00:00:00"));
}

TEST_CASE("nothing to do until now - lag passes the watermark", "[windows]") {
  CHECK_FALSE(live_range(policy(), at("2026-01-10 11:59:00"), at("2026-01-10 12:00:00")));
  CHECK_FALSE(live_range(policy(), std::nullopt, at("2026-01-01 00:00:30")));
  CHECK(live_range(policy(), at("2026-01-10 11:59:00"), at("2026-01-10 12:00:01")));
}

TEST_CASE("a configured stop caps the range", "[windows]") {
  auto p = policy();
  p.stop = at("2026-01-05 00:00:00");
  const auto r = live_range(p, std::nullopt, at("2026-02-01 00:00:00"));
  REQUIRE(r);
  CHECK(r->end == at("2026-01-05 00:00:00"));
  CHECK_FALSE(live_range(p, at("2026-01-05 00:00:00"), at("2026-02-01 00:00:00")));
}

TEST_CASE("ranges split into max_span windows sharing their edges", "[windows]") {
  const auto windows = split_range({at("2026-01-01 00:00:00"), at("2026-03-01 00:00:00")}, 24h * 30);
  REQUIRE(windows.size() == 2);
  CHECK(windows[0] == window{at("2026-01-01 00:00:00"), at("2026-01-31 00:00:00")});
  CHECK(windows[1] == window{at("2026-01-31 00:00:00"), at("2026-03-01 00:00:00")});
}

TEST_CASE("a range exactly one span long is one window", "[windows]") {
  const auto windows = split_range({at("2026-01-01 00:00:00"), at("2026-01-08 00:00:00")}, 24h * 7);
  REQUIRE(windows.size() == 1);
  CHECK(windows[0].end == at("2026-01-08 00:00:00"));
}

TEST_CASE("windows cover the range with no gap and never exceed the span", "[windows]") {
  const range r{at("2026-01-01 00:00:00"), at("2026-01-01 00:00:00") + 1000h + 17s};
  const auto windows = split_range(r, 7h);
  REQUIRE_FALSE(windows.empty());
  CHECK(windows.front().start == r.start);
  CHECK(windows.back().end == r.end);
  for (std::size_t i = 0; i < windows.size(); ++i) {
    CHECK(windows[i].end - windows[i].start <= 7h);
    CHECK(windows[i].end > windows[i].start);
    if (i > 0) CHECK(windows[i].start == windows[i - 1].end);
  }
}

TEST_CASE("halving splits a window at its middle", "[windows]") {
  const auto halves = halve({at("2026-01-01 00:00:00"), at("2026-01-01 02:00:00")});
  REQUIRE(halves.size() == 2);
  CHECK(halves[0].end == at("2026-01-01 01:00:00"));
  CHECK(halves[1].start == at("2026-01-01 01:00:00"));
  CHECK(halve({at("2026-01-01 00:00:00"), at("2026-01-01 00:00:01")}).size() == 1);
}
