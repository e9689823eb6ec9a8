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

TEST_CASE("a window's verdict: complete, re-fetched, halved, incomplete or failed", "[windows][verdict]") {
  using ferry::sync::decide_window;
  using ferry::sync::window_round;
  using ferry::sync::window_rules;
  using ferry::sync::window_verdict;
  const window_rules rules{2, 0.01};
  // Every key the count promised: complete, whichever round.
  CHECK(decide_window({1, 500, 500, false, true, 500, 0}, rules) == window_verdict::complete);
  CHECK(decide_window({3, 500, 500, false, true, 500, 0}, rules) == window_verdict::complete);
  // More keys than the count (rows added while paging): complete.
  CHECK(decide_window({1, 501, 500, false, true, 501, 0}, rules) == window_verdict::complete);
  // No count to check against (the flow query's bare array): complete.
  CHECK(decide_window({1, 37, std::nullopt, false, true, 37, 0}, rules) == window_verdict::complete);
  // Short: read again for the rounds the job allows, then halved.
  CHECK(decide_window({1, 499, 500, false, true, 499, 0}, rules) == window_verdict::refetch);
  CHECK(decide_window({2, 499, 500, false, true, 499, 0}, rules) == window_verdict::refetch);
  CHECK(decide_window({3, 499, 500, false, true, 499, 0}, rules) == window_verdict::halve);
  // A half (or a one-second window) that stays short is incomplete, never skipped.
  CHECK(decide_window({3, 499, 500, false, false, 499, 0}, rules) == window_verdict::incomplete);
  CHECK(decide_window({1, 499, 500, false, false, 499, 0}, window_rules{0, 0.01}) == window_verdict::incomplete);
  // The page cap ends the window as incomplete at once: reading it again would stop there too.
  CHECK(decide_window({1, 100, 500, true, true, 100, 0}, rules) == window_verdict::incomplete);
  CHECK(decide_window({1, 100, std::nullopt, true, true, 100, 0}, rules) == window_verdict::incomplete);
  // Dead letters over the job's ratio fail the window once it is read in full ...
  CHECK(decide_window({1, 100, 100, false, true, 100, 2}, rules) == window_verdict::failed);
  CHECK(decide_window({3, 99, 100, false, false, 100, 2}, rules) == window_verdict::failed);
  // ... at the ratio, not above it, they do not; and an empty window never fails.
  CHECK(decide_window({1, 100, 100, false, true, 100, 1}, rules) == window_verdict::complete);
  CHECK(decide_window({1, 0, std::nullopt, false, true, 0, 0}, rules) == window_verdict::complete);
  // A short window is read again before its dead letters are judged.
  CHECK(decide_window({1, 90, 100, false, true, 100, 50}, rules) == window_verdict::refetch);
  CHECK(std::string{to_string(window_verdict::halve)} == "halve");
}

TEST_CASE("an explicit range is read once for the API and the command line, naming the bad bound", "[windows][range]") {
  std::string error;
  const auto r = parse_range("2026-01-01 00:00:00", "2026-01-02 12:00:00", {"from", "to"}, error);
  REQUIRE(r);
  CHECK(r->start == at("2026-01-01 00:00:00"));
  CHECK(r->end == at("2026-01-02 12:00:00"));
  CHECK_FALSE(parse_range("2026-01-01", "yesterday", {"--from", "--to"}, error));
  CHECK(error == R"(--to: "yesterday" is not yyyy-MM-dd HH:mm:ss (Beijing time) or RFC 3339 with an offset)");
  CHECK_FALSE(parse_range("2026-13-01 00:00:00", "2026-01-02 00:00:00", {"from", "to"}, error));
  CHECK(error == R"(from: "2026-13-01 00:00:00" is not yyyy-MM-dd HH:mm:ss (Beijing time) or RFC 3339 with an offset)");
  // RFC 3339 with an offset names the same instants.
  const auto rfc = parse_range("2025-12-31T16:00:00Z", "2026-01-02T12:00:00+08:00", {"from", "to"}, error);
  REQUIRE(rfc);
  CHECK(rfc->start == at("2026-01-01 00:00:00"));
  CHECK(rfc->end == at("2026-01-02 12:00:00"));
  CHECK_FALSE(parse_range("2026-01-02 00:00:00", "2026-01-02 00:00:00", {"from", "to"}, error));
  CHECK(error == "to must be after from");
}
