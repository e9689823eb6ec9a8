#include "ferry/scheduler/next_step.hpp"

#include <algorithm>
#include <stdexcept>

namespace ferry::scheduler {

next_step decide_next(const job_timing& t, sys_seconds now) {
  if (t.live == nullptr) throw std::invalid_argument("decide_next: the job has no schedule");
  next_step step;
  if (t.not_before && *t.not_before > now) {
    step.wake_at = t.not_before;
    if (!t.paused) step.next_run = t.not_before;
    return step;
  }
  if (t.manual_queued) {
    step.kind = step_kind::manual;
    return step;
  }
  if (t.backfill_queued) {
    step.kind = step_kind::backfill;
    return step;
  }
  // The first run after start (no last start) goes at once, without jitter.
  const auto offset = t.last_start ? t.jitter : std::chrono::seconds{0};
  const auto scheduled_due = t.live->next_due(t.last_start, now) + offset;
  std::optional<sys_seconds> catch_up_due;
  if (t.catch_up != nullptr) catch_up_due = t.catch_up->next_due(t.last_catch_up, now);
  if (!t.paused && catch_up_due && *catch_up_due <= now && *catch_up_due < scheduled_due) {
    step.kind = step_kind::catch_up;
    return step;
  }
  if (!t.paused) step.next_run = scheduled_due;
  const auto due = catch_up_due ? std::min(scheduled_due, *catch_up_due) : scheduled_due;
  if (t.paused) return step;  // until resumed (or a trigger or backfill wakes it)
  if (due > now) {
    step.wake_at = due;
    return step;
  }
  step.kind = step_kind::scheduled;
  return step;
}

}  // namespace ferry::scheduler
