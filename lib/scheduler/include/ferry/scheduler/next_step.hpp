#pragma once
// What a job's loop does next, decided from the job's timing and the time
// now, which the caller passes in: the daemon's loop asks, acts (run, or wait
// until a time or until woken), and asks again. Pure, so schedules, catch-ups,
// pauses and the wait after another ferryd held the job are unit-tested
// without a clock or a sleep.
#include "ferry/scheduler/schedule.hpp"

#include <chrono>
#include <optional>

namespace ferry::scheduler {

struct job_timing {
  const schedule* live = nullptr;              // the job's schedule (required)
  const schedule* catch_up = nullptr;          // its catch-up's schedule, if it has one
  std::optional<sys_seconds> last_start;       // the last live run's start (none yet: run at once)
  std::optional<sys_seconds> last_catch_up;    // when the last catch-up ran (or the daemon started)
  std::chrono::seconds jitter{0};              // drawn for this cycle; not applied to the first run
  bool paused = false;
  bool manual_queued = false;                  // a trigger asked for a run
  bool backfill_queued = false;
  std::optional<sys_seconds> not_before;       // another ferryd had the job: nothing starts before this
};

enum class step_kind { wait, manual, backfill, catch_up, scheduled };

struct next_step {
  step_kind kind = step_kind::wait;
  // For wait: when to ask again (nullopt: only when woken by a trigger,
  // resume, backfill or reload).
  std::optional<sys_seconds> wake_at;
  // The next run the schedule says, for the job's status (nullopt while paused).
  std::optional<sys_seconds> next_run;
};

// Queued work goes first (a trigger, then backfills, even while paused: the
// operator asked for them), then a due catch-up, then the schedule.
next_step decide_next(const job_timing& t, sys_seconds now);

}  // namespace ferry::scheduler
