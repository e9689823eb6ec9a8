// The job loop's decision, with the time passed in: no clock, no sleep.
#include "ferry/core/time.hpp"
#include "ferry/scheduler/next_step.hpp"

#include <catch2/catch.hpp>

using namespace ferry::scheduler;
using namespace std::chrono_literals;

namespace {
sys_seconds bj(const char* text) { return *ferry::core::parse_shanghai_datetime(text); }
std::string show(std::optional<sys_seconds> t) { return t ? ferry::core::format_shanghai_datetime(*t) : "none"; }

schedule daily_at_two() {
  std::string error;
  auto e = cron_expression::parse("0 2 * * *", "Asia/Shanghai", error);
  REQUIRE(e);
  return schedule::cron(*e);
}
}  // namespace

TEST_CASE("an interval job runs at once after start, then a period after each start plus its jitter",
          "[next_step]") {
  const auto every = schedule::every(std::chrono::minutes{10});
  job_timing t;
  t.live = &every;
  t.jitter = 7s;
  const auto now = bj("2026-03-01 10:00:00");
  // No run yet: at once, no jitter.
  CHECK(decide_next(t, now).kind == step_kind::scheduled);
  // Started at 10:00: wait until 10:10:07.
  t.last_start = now;
  auto step = decide_next(t, bj("2026-03-01 10:03:00"));
  CHECK(step.kind == step_kind::wait);
  CHECK(show(step.wake_at) == "2026-03-01 10:10:07");
  CHECK(show(step.next_run) == "2026-03-01 10:10:07");
  CHECK(decide_next(t, bj("2026-03-01 10:10:07")).kind == step_kind::scheduled);
  // Down for a day: one run now, not one per missed period.
  CHECK(decide_next(t, bj("2026-03-02 10:00:00")).kind == step_kind::scheduled);
}

TEST_CASE("a paused job waits until woken, but runs what the operator queued", "[next_step]") {
  const auto every = schedule::every(std::chrono::minutes{10});
  job_timing t;
  t.live = &every;
  t.paused = true;
  t.last_start = bj("2026-03-01 09:00:00");
  auto step = decide_next(t, bj("2026-03-01 10:00:00"));
  CHECK(step.kind == step_kind::wait);
  CHECK_FALSE(step.wake_at);
  CHECK_FALSE(step.next_run);
  t.backfill_queued = true;
  CHECK(decide_next(t, bj("2026-03-01 10:00:00")).kind == step_kind::backfill);
  t.manual_queued = true;  // a trigger goes before the backfills
  CHECK(decide_next(t, bj("2026-03-01 10:00:00")).kind == step_kind::manual);
}

TEST_CASE("after another ferryd held the job, nothing starts before the retry time", "[next_step]") {
  const auto every = schedule::every(std::chrono::minutes{10});
  job_timing t;
  t.live = &every;
  t.manual_queued = true;
  t.not_before = bj("2026-03-01 10:00:30");
  auto step = decide_next(t, bj("2026-03-01 10:00:00"));
  CHECK(step.kind == step_kind::wait);
  CHECK(show(step.wake_at) == "2026-03-01 10:00:30");
  CHECK(show(step.next_run) == "2026-03-01 10:00:30");
  CHECK(decide_next(t, bj("2026-03-01 10:00:30")).kind == step_kind::manual);
  t.paused = true;
  CHECK_FALSE(decide_next(t, bj("2026-03-01 10:00:00")).next_run);
}

TEST_CASE("a catch-up runs when due before the next scheduled run, never while paused", "[next_step]") {
  const auto every = schedule::every(std::chrono::hours{1});
  const auto nightly = daily_at_two();
  job_timing t;
  t.live = &every;
  t.catch_up = &nightly;
  t.last_start = bj("2026-03-02 01:30:00");
  t.last_catch_up = bj("2026-03-01 12:00:00");  // the daemon started at noon
  // 01:45: the next live run is at 02:30, the catch-up at 02:00: wait for the catch-up.
  auto step = decide_next(t, bj("2026-03-02 01:45:00"));
  CHECK(step.kind == step_kind::wait);
  CHECK(show(step.wake_at) == "2026-03-02 02:00:00");
  CHECK(show(step.next_run) == "2026-03-02 02:30:00");  // the status names the live schedule
  CHECK(decide_next(t, bj("2026-03-02 02:00:00")).kind == step_kind::catch_up);
  // Once it ran, its next is tomorrow: the live run comes first.
  t.last_catch_up = bj("2026-03-02 02:00:00");
  step = decide_next(t, bj("2026-03-02 02:10:00"));
  CHECK(show(step.wake_at) == "2026-03-02 02:30:00");
  // A catch-up due at the same time as the live run leaves it to the live run.
  t.last_start = bj("2026-03-03 01:00:00");
  t.last_catch_up = bj("2026-03-02 02:00:00");
  CHECK(decide_next(t, bj("2026-03-03 02:00:00")).kind == step_kind::scheduled);
  // Paused: neither.
  t.paused = true;
  CHECK(decide_next(t, bj("2026-03-03 02:05:00")).kind == step_kind::wait);
}

TEST_CASE("a cron job waits for its next time in its zone", "[next_step]") {
  const auto nightly = daily_at_two();
  job_timing t;
  t.live = &nightly;
  t.last_start = bj("2026-03-01 02:00:00");
  const auto step = decide_next(t, bj("2026-03-01 12:00:00"));
  CHECK(step.kind == step_kind::wait);
  CHECK(show(step.wake_at) == "2026-03-02 02:00:00");
  // With no run yet, a cron job waits for its first time too.
  t.last_start.reset();
  CHECK(show(decide_next(t, bj("2026-03-01 12:00:00")).wake_at) == "2026-03-02 02:00:00");
}
