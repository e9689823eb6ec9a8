#pragma once
// An in-memory ferry::admin::control for the admin fuzz target: two jobs
// ("skusn", "orders"), pause flags, queued runs and backfills kept in
// vectors, answering with the statuses and error codes ferryd's service
// gives. It is the admin API's seam, not a database mock. Every call checks
// that the router passed on only what it promised to check (a valid job id,
// a limit of 1..1000, a range whose end is after its start). One thread.
#include "ferry/admin/control.hpp"

#include <map>
#include <string>
#include <vector>

namespace ferry::fuzz {

class memory_control final : public admin::control {
 public:
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
  struct job {
    bool paused = false;
    bool run_queued = false;
    std::vector<admin::time_range> backfills;
  };
  // The job named `id` after checking the id is one the router may pass; null when unknown.
  job* find(const std::string& id);
  static admin::job_view view(const std::string& id, const job& j);

  std::map<std::string, job> jobs_{{"orders", {}}, {"skusn", {}}};
  admin::log_level level_ = admin::log_level::info;
};

}  // namespace ferry::fuzz
