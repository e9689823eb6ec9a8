#pragma once
// The daemon behind the admin API: each route's meaning, in the typed values
// of admin::control (the router parses requests and renders answers; nothing
// here reads or writes JSON). Reads the jobs' scheduling state from the
// job_scheduler, their stored state through the engine's pool, and the time
// from the injected clock. On the event loop.
#include "job_scheduler.hpp"

#include "ferry/admin/control.hpp"

#include <atomic>

namespace ferry::daemon {

class controller final : public admin::control {
 public:
  controller(engine& e, job_scheduler& jobs, metrics::registry& m, sync::wall_clock now,
             const std::atomic<bool>& stopping)
      : engine_(e), jobs_(jobs), metrics_(m), now_(std::move(now)), stopping_(stopping) {}

  asio::awaitable<std::optional<std::string>> not_ready_reason() override;
  std::string metrics_text() override;
  asio::awaitable<std::vector<admin::job_view>> list_jobs() override;
  asio::awaitable<admin::result<admin::job_view>> get_job(const std::string& id) override;
  asio::awaitable<admin::result<admin::job_view>> set_paused(const std::string& id, bool paused) override;
  asio::awaitable<admin::result<admin::trigger_receipt>> trigger(const std::string& id) override;
  asio::awaitable<admin::result<std::vector<admin::run_view>>> list_runs(const std::string& id,
                                                                         admin::run_query q) override;
  asio::awaitable<admin::result<admin::backfill_receipt>> backfill(const std::string& id,
                                                                   admin::backfill_request r) override;
  asio::awaitable<admin::result<std::vector<admin::window_view>>> list_windows(const std::string& id,
                                                                               admin::window_query q) override;
  void set_log_level(admin::log_level level) override;

 private:
  admin::job_view view(const job_slot& slot, std::optional<std::chrono::sys_seconds> watermark) const;

  engine& engine_;
  job_scheduler& jobs_;
  metrics::registry& metrics_;
  sync::wall_clock now_;
  const std::atomic<bool>& stopping_;
};

}  // namespace ferry::daemon
