#pragma once
// The long-running ferryd: one loop per job that runs it when its schedule
// says (one run at a time; a trigger during a run queues exactly one more;
// after downtime one catch-up run, not a storm), pause and resume persisted
// in ferry_jobs, backfills queued behind the live runs without moving the
// watermark, the admin API (this class is its control), metrics, signals
// (SIGTERM/SIGINT drain, SIGHUP answered with a note) and systemd notify.
// Everything runs on one io_context thread.
#include "engine.hpp"

#include "ferry/admin/control.hpp"
#include "ferry/admin/server.hpp"
#include "ferry/metrics/metrics.hpp"
#include "ferry/scheduler/schedule.hpp"

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <optional>

namespace ferry::daemon {

class service final : public admin::control {
 public:
  service(asio::io_context& io, config::config cfg, std::string config_path);
  ~service() override;

  // Starts everything and runs the event loop until a stop signal; returns
  // the process exit code.
  int run();

  asio::awaitable<std::optional<std::string>> not_ready_reason() override;
  std::string metrics_text() override;
  asio::awaitable<admin::outcome> list_jobs() override;
  asio::awaitable<admin::outcome> get_job(const std::string& id) override;
  asio::awaitable<admin::outcome> set_paused(const std::string& id, bool paused) override;
  asio::awaitable<admin::outcome> trigger(const std::string& id) override;
  asio::awaitable<admin::outcome> list_runs(const std::string& id, std::size_t limit) override;
  asio::awaitable<admin::outcome> backfill(const std::string& id, const std::string& from, const std::string& to,
                                           bool dry_run) override;
  asio::awaitable<admin::outcome> list_windows(const std::string& id, std::optional<std::string> state) override;
  admin::outcome set_log_level(const std::string& level) override;

 private:
  struct job_slot;
  struct job_state_read;
  job_state_read read_job_state(mysql::connection& c, const std::string& id);
  void load_job_states();
  void apply_job_state(job_slot& slot, const job_state_read& read);
  asio::awaitable<void> job_loop(job_slot& slot);
  asio::awaitable<void> run_job(job_slot& slot, sync::run_request request);
  asio::awaitable<void> watchdog();
  void begin_shutdown(const char* why);
  // SIGHUP: loads the config file again, all or nothing. Everything is
  // built beside the running state, off the event loop (the file, its
  // schedules, clients, plans, added jobs' state), and swapped in only when
  // all of it was built; any failure is one "reload refused" line and
  // ferry_config_reloads_total{result="refused"}, with nothing changed.
  // Jobs added, removed and changed take effect without disturbing the
  // others (a changed or removed job's run in progress finishes first, with
  // the config, plan and client it started with). A SIGHUP during a reload
  // is answered by one more reload after it.
  asio::awaitable<void> reload();
  struct reload_build;
  asio::awaitable<void> reload_or_refuse();  // throws what refuses the reload, before any change
  // The slot's catch-up schedule from its job (none when the job has none).
  static void set_catch_up(job_slot& slot);
  void add_slot(engine::config_ptr cfg, const config::job_config& job);
  void spawn_loop(job_slot& slot);
  const config::config& current() const { return engine_.current(); }
  void stop_when_tokens_saved();
  void loop_ended();
  job_slot* find(const std::string& id);
  // A trigger or backfill: a job another ferryd had is tried again now.
  static void retry_now(job_slot& slot);
  nlohmann::json job_json(const job_slot& slot, std::optional<std::chrono::sys_seconds> watermark) const;
  nlohmann::json source_token_json(const std::string& source) const;

  asio::io_context& io_;
  std::string config_path_;
  std::map<std::string, std::string> fingerprints_;  // "job:<id>", "source:<name>", "mysql", "admin"
  metrics::registry metrics_;
  engine engine_;
  std::map<std::string, std::unique_ptr<job_slot>> slots_;
  // Jobs a reload removed whose loop has not ended yet (a run finishing);
  // each is freed when its loop ends.
  std::vector<std::unique_ptr<job_slot>> removed_slots_;
  bool reloading_ = false;
  bool reload_again_ = false;  // a SIGHUP came during a reload
  std::unique_ptr<admin::server> admin_;
  asio::signal_set signals_;
  std::atomic<bool> stopping_{false};
  std::size_t loops_running_ = 0;
  std::unique_ptr<asio::steady_timer> shutdown_deadline_;
};

}  // namespace ferry::daemon
