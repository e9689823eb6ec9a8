#pragma once
// The scheduling state of one job, kept by the job_scheduler, read by the
// controller, changed by the reloader. Everything on the event loop.
#include "engine.hpp"

#include "ferry/metrics/metrics.hpp"
#include "ferry/scheduler/schedule.hpp"
#include "ferry/state/store.hpp"

#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace ferry::daemon {

scheduler::schedule make_schedule(const config::schedule_config& s);

// A job's schedules, built (and so checked) before they are used: a reload
// builds them off the loop, and the swap only moves them into place.
struct job_schedules {
  scheduler::schedule live;
  std::optional<scheduler::schedule> catch_up;  // the job's catch-up's, when it has one
};
job_schedules make_schedules(const config::job_config& job);  // throws what a bad cron is

struct job_slot {
  // The config the job came from, shared: `job` points into it, and a reload
  // that changes the job hands the slot the new one.
  engine::config_ptr cfg;
  const config::job_config* job = nullptr;
  scheduler::schedule schedule = scheduler::schedule::every(std::chrono::minutes{5});
  metrics::job_metrics* metrics = nullptr;
  bool paused = false;
  bool running = false;
  bool manual_queued = false;
  std::deque<sync::range> backfills;
  // The job's catch-up (QEasy's omissionRemedy): its own schedule, counted
  // from the daemon's start, then from the last catch-up.
  std::optional<scheduler::schedule> catch_up;
  std::optional<std::chrono::sys_seconds> last_catch_up;
  std::optional<std::chrono::sys_seconds> last_start;
  std::optional<std::chrono::sys_seconds> next_run;
  // Another ferryd held the job when a run was due: nothing starts before this.
  std::optional<std::chrono::sys_seconds> not_before;
  std::optional<std::string> held_elsewhere;  // who, when the last attempt found the job held
  std::uint64_t retries_asked = 0;  // triggers and backfills so far (one during an attempt retries it at once)
  std::optional<sync::run_result> last_result;
  std::unique_ptr<asio::steady_timer> wake;
  bool removed = false;  // by a reload: the loop ends after the current run
  // Jitter: drawn once per run cycle, so operators' many jobs do not all
  // call the platform at the same second.
  std::chrono::milliseconds jitter_offset{0};
  std::optional<std::chrono::sys_seconds> jitter_for;
};

// What the daemon reads of a job's state when it starts the job: whether
// it is paused, its progress and its last runs. Read on a connection of the
// pool; runs left running by an ended process are closed on the way.
struct job_state_read {
  state::job_state job;
  std::uint64_t abandoned = 0;
  std::uint64_t incomplete = 0;
  std::vector<state::run_record> runs;
};

}  // namespace ferry::daemon
