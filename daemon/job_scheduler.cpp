#include "job_scheduler.hpp"

#include "ferry/core/log.hpp"
#include "ferry/core/time.hpp"
#include "ferry/scheduler/next_step.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

namespace ferry::daemon {
namespace {

using std::chrono::sys_seconds;

std::shared_ptr<spdlog::logger> logger() { return core::module_logger("daemon"); }

// How long a job that another ferryd holds waits before it is tried again.
constexpr std::chrono::seconds busy_retry{30};

std::chrono::system_clock::time_point wall(sys_seconds t) { return std::chrono::system_clock::time_point{t}; }

}  // namespace

scheduler::schedule make_schedule(const config::schedule_config& s) {
  if (s.cron) {
    std::string error;
    auto expression = scheduler::cron_expression::parse(*s.cron, s.tz, error);
    if (!expression) throw std::invalid_argument("schedule.cron: " + error);
    return scheduler::schedule::cron(std::move(*expression));
  }
  return scheduler::schedule::every(
      std::chrono::duration_cast<std::chrono::seconds>(s.every.value_or(std::chrono::minutes{5})));
}

job_schedules make_schedules(const config::job_config& job) {
  job_schedules s{make_schedule(job.schedule), std::nullopt};
  if (job.catch_up) s.catch_up = make_schedule(job.catch_up->schedule);
  return s;
}

job_scheduler::job_scheduler(asio::io_context& io, engine& e, metrics::registry& m, sync::wall_clock now,
                             const std::atomic<bool>& stopping)
    : io_(io), engine_(e), metrics_(m), now_(std::move(now)), stopping_(stopping) {}

job_scheduler::~job_scheduler() = default;

// The catch-up's schedule counts from now the first time (a catch-up
// re-reads the past: nothing is lost by waiting for its first due time).
void job_scheduler::set_schedules(job_slot& slot, job_schedules schedules) {
  slot.schedule = std::move(schedules.live);
  slot.metrics->set_schedule_period(slot.schedule.period_hint());
  slot.catch_up = std::move(schedules.catch_up);
  if (!slot.catch_up) slot.last_catch_up.reset();
  else if (!slot.last_catch_up) slot.last_catch_up = now_();
}

void job_scheduler::add(engine::config_ptr cfg, const config::job_config& job) {
  add(std::move(cfg), job, make_schedules(job));
}

void job_scheduler::add(engine::config_ptr cfg, const config::job_config& job, job_schedules schedules) {
  auto slot = std::make_unique<job_slot>();
  slot->cfg = std::move(cfg);
  slot->job = &job;
  std::vector<std::string> tables;
  for (const auto& t : job.targets) tables.push_back(t.table);
  slot->metrics = &metrics_.job(job.id, job.source, tables, job.api);
  set_schedules(*slot, std::move(schedules));
  slot->wake = std::make_unique<asio::steady_timer>(io_);
  slots_[job.id] = std::move(slot);
}

job_state_read job_scheduler::read_state(mysql::connection& c, const std::string& id) {
  job_state_read r;
  r.job = state::load_job(c, id);
  r.abandoned = engine_.close_abandoned_runs(c, id);
  r.incomplete = state::open_incomplete_windows(c, id);
  r.runs = state::runs(c, id, 50);
  return r;
}

void job_scheduler::load_states() {
  for (auto& [id, slot] : slots_)
    apply_state(*slot, engine_.pool().run_blocking([&](mysql::connection& c) { return read_state(c, id); }));
}

void job_scheduler::apply_state(job_slot& slot, const job_state_read& read) {
  const auto& id = slot.job->id;
  slot.paused = read.job.paused;
  slot.metrics->set_paused(read.job.paused);
  if (read.job.watermark) slot.metrics->set_watermark(wall(*read.job.watermark));
  if (read.abandoned > 0)
    logger()->warn("job={} marked {} run(s) left running by an ended process as failed", id, read.abandoned);
  slot.metrics->set_windows_incomplete(read.incomplete);
  const auto& runs = read.runs;
  // The schedule counts from the last run's start; a last run that failed
  // or was cut off by a shutdown is redone at once. Catch-ups re-read the
  // past on a schedule of their own: they say nothing of the live runs.
  const auto last_live = std::find_if(runs.begin(), runs.end(), [](const auto& r) { return r.kind != "catch_up"; });
  if (last_live != runs.end() && last_live->state == "success") slot.last_start = last_live->started_at;
  // The last success of the live data: backfills re-read the past too.
  for (const auto& r : runs)
    if (r.state == "success" && r.finished_at && !state::rereads_past(r.kind)) {
      slot.metrics->set_last_success(wall(*r.finished_at));
      break;
    }
}

void job_scheduler::start() {
  for (auto& [id, slot] : slots_) spawn_loop(*slot);
}

void job_scheduler::wake_all() {
  for (auto& [id, slot] : slots_) slot->wake->cancel();
}

void job_scheduler::remove(const std::string& id) {
  const auto it = slots_.find(id);
  if (it == slots_.end()) return;
  it->second->removed = true;
  it->second->wake->cancel();
  removed_.push_back(std::move(it->second));
  slots_.erase(it);
}

void job_scheduler::change(const std::string& id, engine::config_ptr cfg, job_schedules schedules) {
  auto& slot = *slots_.at(id);
  slot.job = cfg->find_job(id);
  slot.cfg = std::move(cfg);
  set_schedules(slot, std::move(schedules));
  slot.wake->cancel();
}

void job_scheduler::add_running(engine::config_ptr cfg, const config::job_config& job, job_schedules schedules,
                                const job_state_read& read) {
  add(std::move(cfg), job, std::move(schedules));
  auto& slot = *slots_.at(job.id);
  apply_state(slot, read);
  spawn_loop(slot);
}

void job_scheduler::repoint(const engine::config_ptr& cfg) {
  for (auto& [id, slot] : slots_)
    if (slot->cfg != cfg) {
      slot->cfg = cfg;
      slot->job = cfg->find_job(id);
    }
}

job_slot* job_scheduler::find(const std::string& id) {
  const auto it = slots_.find(id);
  return it == slots_.end() ? nullptr : it->second.get();
}

std::vector<std::string> job_scheduler::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, slot] : slots_) out.push_back(id);
  return out;
}

void job_scheduler::retry_now(job_slot& slot) {
  ++slot.retries_asked;
  slot.not_before.reset();
  slot.wake->cancel();
}

void job_scheduler::spawn_loop(job_slot& slot) {
  ++loops_running_;
  asio::co_spawn(io_, job_loop(slot), [this, &slot](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        logger()->error("job={} loop failed: {}", slot.job->id, ex.what());
      }
    }
    // A job removed and then added back by a later reload keeps its series.
    if (slot.removed && !stopping_ && !slots_.count(slot.job->id)) metrics_.forget_job(slot.job->id);
    // A removed job's slot (and through it its config) goes with its loop:
    // freed once this handler has returned.
    if (slot.removed)
      asio::post(io_, [this, gone = &slot] {
        std::erase_if(removed_, [gone](const auto& s) { return s.get() == gone; });
      });
    if (--loops_running_ == 0 && stopping_ && all_ended_) all_ended_();
  });
}

// The loop asks scheduler::decide_next what to do (lib/scheduler, unit-tested
// with the time passed in), does it, and asks again. A trigger, pause,
// backfill or reload cancels a wait.
asio::awaitable<void> job_scheduler::job_loop(job_slot& slot) {
  while (!stopping_ && !slot.removed) {
    const auto now = now_();
    if (slot.job->schedule.jitter.count() > 0 && slot.jitter_for != slot.last_start) {
      // Drawn once per run cycle, so operators' many jobs do not all call the platform at the same second.
      static thread_local std::mt19937_64 random{std::random_device{}()};
      const auto span = static_cast<std::uint64_t>(slot.job->schedule.jitter.count());
      slot.jitter_offset = std::chrono::milliseconds{static_cast<long long>(random() % (span + 1))};
      slot.jitter_for = slot.last_start;
    }
    scheduler::job_timing timing;
    timing.live = &slot.schedule;
    timing.catch_up = slot.catch_up ? &*slot.catch_up : nullptr;
    timing.last_start = slot.last_start;
    timing.last_catch_up = slot.last_catch_up;
    timing.jitter = std::chrono::duration_cast<std::chrono::seconds>(slot.jitter_offset);
    timing.paused = slot.paused;
    timing.manual_queued = slot.manual_queued;
    timing.backfill_queued = !slot.backfills.empty();
    timing.not_before = slot.not_before;
    const auto step = scheduler::decide_next(timing, now);
    slot.next_run = step.next_run;
    switch (step.kind) {
      case scheduler::step_kind::wait: {
        // The timer sleeps for the span the clock gives; the time is read
        // again when it ends, so a clock that jumps is followed at the next
        // wake-up.
        if (step.wake_at) slot.wake->expires_after(*step.wake_at - now);
        else slot.wake->expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await slot.wake->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
      case scheduler::step_kind::manual:
        slot.manual_queued = false;
        co_await run_job(slot, {state::run_kind::manual, std::nullopt, &stopping_});
        break;
      case scheduler::step_kind::backfill: {
        const auto r = slot.backfills.front();
        slot.backfills.pop_front();
        co_await run_job(slot, {state::run_kind::backfill, r, &stopping_});
        break;
      }
      case scheduler::step_kind::catch_up:
        if (const auto range = sync::catch_up_range(*slot.job, now)) {
          co_await run_job(slot, {state::run_kind::catch_up, *range, &stopping_});
          // Held by another ferryd: it is tried again with the job, not dropped until its next time.
          if (!slot.held_elsewhere) slot.last_catch_up = now;
        } else {
          logger()->info("job={} catch-up: its range lies outside the job's window; nothing to read", slot.job->id);
          slot.last_catch_up = now;
        }
        break;
      case scheduler::step_kind::scheduled:
        co_await run_job(slot, {state::run_kind::scheduled, std::nullopt, &stopping_});
        break;
    }
  }
}

asio::awaitable<void> job_scheduler::run_job(job_slot& slot, sync::run_request request) {
  auto& m = *slot.metrics;
  // A ferryd killed a moment ago may still hold the job's lock until the
  // server has noticed its connection end.
  request.lock_wait = std::chrono::seconds{5};
  const auto retries_asked = slot.retries_asked;
  slot.running = true;
  const auto previous_start = slot.last_start;
  // A catch-up re-reads the past: the live schedule goes on as it was.
  if (request.kind != state::run_kind::catch_up) slot.last_start = now_();
  const bool live = !state::rereads_past(request.kind);
  m.run_started(wall(now_()), live ? metrics::run_kind::live : metrics::run_kind::backfill);
  sync::run_observer observer;
  observer.rows_written = [&m](const std::string& table, const mysql::upsert_counts& c) {
    m.rows_written(table, metrics::write_op::insert, c.inserted);
    m.rows_written(table, metrics::write_op::update, c.updated);
    m.rows_written(table, metrics::write_op::unchanged, c.unchanged);
    m.rows_written(table, metrics::write_op::remove, c.deleted);
  };
  observer.records_fetched = [&m](std::uint64_t n) { m.records_fetched(n); };
  observer.dead_letters = [&m](std::uint64_t n) { m.dead_letters(n); };
  observer.records_skipped = [&m](std::uint64_t n) { m.records_skipped(n); };
  observer.retried = [&m](std::uint64_t n) { for (std::uint64_t i = 0; i < n; ++i) m.retried(); };
  observer.watermark_moved = [&m](sys_seconds w) { m.set_watermark(wall(w)); };
  observer.batch_written = [this](std::chrono::duration<double> d) { metrics_.mysql().batch_written(d); };
  observer.window_verified = [&m](std::uint64_t found) { m.window_verified(found); };
  try {
    auto result = co_await engine_.run_once(slot.job->id, request, std::move(observer));
    if (result.held_elsewhere) {
      // Nothing ran: the schedule stays where it was, a manual run or
      // backfill stays queued, and the job is tried again in 30 s.
      m.run_not_started();
      slot.last_start = previous_start;
      // A trigger or backfill that came while this attempt waited for the
      // lock asks for another attempt at once.
      if (slot.retries_asked == retries_asked) slot.not_before = now_() + busy_retry;
      else slot.not_before.reset();
      slot.held_elsewhere = result.held_elsewhere;
      if (request.kind == state::run_kind::manual) slot.manual_queued = true;
      if (request.kind == state::run_kind::backfill && request.explicit_range)
        slot.backfills.push_front(*request.explicit_range);
      logger()->warn("job={} kind={} not run: {}; trying again {}", slot.job->id, state::to_string(request.kind),
                     *result.held_elsewhere,
                     slot.not_before ? "in " + core::format_duration(busy_retry)
                                     : std::string{"now (a run was asked for meanwhile)"});
      slot.running = false;
      co_return;
    }
    slot.not_before.reset();
    slot.held_elsewhere.reset();
    const auto outcome = result.summary.error.empty() ? metrics::run_outcome::success
                         : result.summary.interrupted  ? metrics::run_outcome::interrupted
                                                       : metrics::run_outcome::failed;
    m.run_finished(outcome, wall(now_()));
    if (!result.nothing_to_do)
      logger()->info("job={} run={} kind={} {}: fetched={} inserted={} updated={} unchanged={} dead_letters={} {:.1f}s",
                     slot.job->id, result.run_id, state::to_string(request.kind), metrics::to_string(outcome),
                     result.summary.fetched, result.summary.inserted, result.summary.updated,
                     result.summary.unchanged, result.summary.dead_letters, result.seconds);
    slot.last_result = std::move(result);
    const auto incomplete = co_await engine_.pool().run(
        [&](mysql::connection& c) { return state::open_incomplete_windows(c, slot.job->id); });
    m.set_windows_incomplete(incomplete);
  } catch (const std::exception& e) {
    m.run_finished(metrics::run_outcome::failed, wall(now_()));
    logger()->error("job={} run failed: {}", slot.job->id, e.what());
  }
  slot.running = false;
}

}  // namespace ferry::daemon
