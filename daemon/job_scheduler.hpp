#pragma once
// When runs start: one loop per job that runs it when its schedule says (one
// run at a time; a trigger during a run queues exactly one more; after
// downtime one catch-up run, not a storm), backfills queued behind the live
// runs, another ferryd's hold waited out. Each loop asks
// scheduler::decide_next (pure, unit-tested with the time passed in) what to
// do at the time the injected clock says, does it, and asks again; a
// trigger, pause, backfill or reload wakes it. Everything on the event loop.
#include "job_slot.hpp"

#include "ferry/sync/runner.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ferry::daemon {

class job_scheduler {
 public:
  // `now` is the wall clock every decision reads; `stopping` is the
  // daemon's: set, loops end after their current run.
  job_scheduler(asio::io_context& io, engine& e, metrics::registry& m, sync::wall_clock now,
                const std::atomic<bool>& stopping);
  ~job_scheduler();
  job_scheduler(const job_scheduler&) = delete;
  job_scheduler& operator=(const job_scheduler&) = delete;

  // A slot for `job` (of `cfg`), its loop not started. Throws on a bad
  // schedule (at start; a reload has built them already).
  void add(engine::config_ptr cfg, const config::job_config& job);
  // Reads every slot's stored state (pause, progress, last runs). Blocking:
  // before the loop runs.
  void load_states();
  // What add_running needs; on a pool thread.
  job_state_read read_state(mysql::connection& c, const std::string& id);
  // Starts every slot's loop.
  void start();
  // Called when the last loop has ended (after a stop).
  void on_all_ended(std::function<void()> f) { all_ended_ = std::move(f); }
  std::size_t loops_running() const { return loops_running_; }
  // Wakes every loop (a stop: they see `stopping` and end).
  void wake_all();

  // A reload's changes, applied at its swap; none can fail.
  void remove(const std::string& id);  // its run in progress finishes first
  void change(const std::string& id, engine::config_ptr cfg, job_schedules schedules);
  void add_running(engine::config_ptr cfg, const config::job_config& job, job_schedules schedules,
                   const job_state_read& read);
  // Unchanged jobs point at the same job in `cfg`.
  void repoint(const engine::config_ptr& cfg);

  job_slot* find(const std::string& id);
  std::vector<std::string> ids() const;
  std::size_t size() const { return slots_.size(); }
  // A trigger or backfill: a job another ferryd had is tried again now.
  void retry_now(job_slot& slot);
  std::chrono::sys_seconds now() const { return now_(); }

 private:
  void apply_state(job_slot& slot, const job_state_read& read);
  void add(engine::config_ptr cfg, const config::job_config& job, job_schedules schedules);
  void set_schedules(job_slot& slot, job_schedules schedules);
  void spawn_loop(job_slot& slot);
  asio::awaitable<void> job_loop(job_slot& slot);
  asio::awaitable<void> run_job(job_slot& slot, sync::run_request request);

  asio::io_context& io_;
  engine& engine_;
  metrics::registry& metrics_;
  sync::wall_clock now_;
  const std::atomic<bool>& stopping_;
  std::map<std::string, std::unique_ptr<job_slot>> slots_;
  // Jobs a reload removed whose loop has not ended yet (a run finishing);
  // each is freed when its loop ends.
  std::vector<std::unique_ptr<job_slot>> removed_;
  std::size_t loops_running_ = 0;
  std::function<void()> all_ended_;
};

}  // namespace ferry::daemon
