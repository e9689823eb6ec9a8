#pragma once
// An in-memory ferry::admin::control for the admin fuzz target: two jobs
// ("skusn", "orders"), pause flags, queued runs and backfills kept in
// vectors, answering with the statuses and error codes ferryd's service
// gives. It is the admin API's seam, not a database mock. Every call checks
// that the router passed on only what it promised to check (a valid job id,
// a limit of 1..1000, string bounds). One thread.
#include "ferry/admin/control.hpp"

#include <map>
#include <string>
#include <vector>

namespace ferry::fuzz {

class memory_control final : public admin::control {
 public:
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
  struct job {
    bool paused = false;
    bool run_queued = false;
    std::vector<std::pair<std::string, std::string>> backfills;
  };
  // The job named `id` after checking the id is one the router may pass; null when unknown.
  job* find(const std::string& id);
  nlohmann::json job_json(const std::string& id, const job& j) const;

  std::map<std::string, job> jobs_{{"orders", {}}, {"skusn", {}}};
  std::string level_ = "info";
};

}  // namespace ferry::fuzz
