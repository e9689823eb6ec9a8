#include "ferry/metrics/metrics.hpp"

#include "families.hpp"
#include "ferry/core/version.hpp"

#include <prometheus/text_serializer.h>

namespace ferry::metrics {
namespace detail {

families::families(prometheus::Registry& r)
    : records_fetched(add(prometheus::BuildCounter(), r, "ferry_records_fetched_total",
                          "Records received from the source API.")),
      rows_written(add(prometheus::BuildCounter(), r, "ferry_rows_written_total",
                       "Rows upserted into MySQL, by table and by what the upsert did (insert, update, unchanged).")),
      dead_letters(add(prometheus::BuildCounter(), r, "ferry_dead_letters_total",
                       "Records that could not be transformed and went to ferry_dead_letters.")),
      records_skipped(add(prometheus::BuildCounter(), r, "ferry_records_skipped_total",
                          "Records the job's filter (QEasy's condition) kept out, counted, not written.")),
      http_requests(add(prometheus::BuildCounter(), r, "ferry_http_requests_total",
                        "Source API calls by outcome (ok, transient, throttled, token_expired, fatal).")),
      http_duration(add(prometheus::BuildHistogram(), r, "ferry_http_request_duration_seconds",
                        "Duration of one source API call, from send to parsed reply.")),
      ratelimit_wait(add(prometheus::BuildCounter(), r, "ferry_ratelimit_wait_seconds_total",
                         "Time spent waiting for the source's rate limiter.")),
      throttled(add(prometheus::BuildCounter(), r, "ferry_throttled_total",
                    "Throttle signals from the source (HTTP 429 or a throttling business code).")),
      retries(add(prometheus::BuildCounter(), r, "ferry_retries_total", "API calls retried after a failure.")),
      job_runs(add(prometheus::BuildCounter(), r, "ferry_job_runs_total", "Finished job runs by outcome.")),
      run_duration(add(prometheus::BuildHistogram(), r, "ferry_job_run_duration_seconds",
                       "Duration of the daemon's finished runs, by kind: live (scheduled, manual) or "
                       "backfill (backfills and catch-ups).")),
      run_start(add(prometheus::BuildGauge(), r, "ferry_job_run_start_timestamp_seconds",
                    "Start of the run in progress, by kind, Unix seconds (0 = no run of that kind).")),
      job_running(add(prometheus::BuildGauge(), r, "ferry_job_running", "1 while a run of the job is in progress.")),
      job_paused(add(prometheus::BuildGauge(), r, "ferry_job_paused", "1 while the job is paused.")),
      watermark(add(prometheus::BuildGauge(), r, "ferry_watermark_timestamp_seconds",
                    "End of the job's last complete window, Unix seconds (0 = none yet).")),
      last_success(add(prometheus::BuildGauge(), r, "ferry_last_success_timestamp_seconds",
                       "End of the job's last successful run, Unix seconds (0 = none yet).")),
      windows_incomplete(add(prometheus::BuildGauge(), r, "ferry_windows_incomplete",
                             "Windows recorded as incomplete in the ledger and not yet redone.")),
      schedule_period(add(prometheus::BuildGauge(), r, "ferry_job_schedule_period_seconds",
                          "Longest gap between two scheduled runs of the job (0 = manual only).")),
      windows_verified(add(prometheus::BuildCounter(), r, "ferry_windows_verified_total",
                           "Windows read once more by the verification pass (the API gave no count for them).")),
      verify_found(add(prometheus::BuildCounter(), r, "ferry_verify_found_rows_total",
                       "Rows only the verification pass found: the first read of their window missed them.")),
      token_expiry(add(prometheus::BuildGauge(), r, "ferry_source_token_expiry_timestamp_seconds",
                       "When the source account's access token expires, Unix seconds (0 = unknown).")),
      token_refresh_due(add(prometheus::BuildGauge(), r, "ferry_source_token_refresh_due_timestamp_seconds",
                            "When ferry is due to renew the account's tokens, Unix seconds (0 = unknown, or "
                            "ferry cannot renew them).")),
      token_renewable(add(prometheus::BuildGauge(), r, "ferry_source_token_renewable",
                          "1 when ferry renews the account's tokens by itself (a self-built app with a refresh "
                          "token or mint_tokens), 0 when a person must (a service-provider app).")),
      token_renewals(add(prometheus::BuildCounter(), r, "ferry_source_token_renewals_total",
                         "Tokens renewed by this process (refreshed or minted).")),
      pool_connections(add(prometheus::BuildGauge(), r, "ferry_mysql_pool_connections",
                           "MySQL pool connections by state (idle, busy).")),
      batch_duration(add(prometheus::BuildHistogram(), r, "ferry_mysql_batch_duration_seconds",
                         "Duration of one batched upsert into MySQL.")),
      build_info(add(prometheus::BuildGauge(), r, "ferry_build_info", "Always 1; the version label says which ferryd.")),
      config_reloads(add(prometheus::BuildCounter(), r, "ferry_config_reloads_total",
                         "Config reloads (SIGHUP) by result: applied, or refused with the running config kept.")),
      config_reload_ok(add(prometheus::BuildGauge(), r, "ferry_config_last_reload_successful",
                           "1 when the last reload was applied (or none was asked for), 0 when it was refused.")),
      config_reload_time(add(prometheus::BuildGauge(), r, "ferry_config_last_reload_success_timestamp_seconds",
                             "When the running config was loaded, Unix seconds: the start, or the last applied "
                             "reload.")),
      process(std::make_unique<process_metrics>(r)) {
}

prometheus::Histogram::BucketBoundaries http_duration_buckets() {
  return {0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

prometheus::Histogram::BucketBoundaries run_duration_buckets() {
  return {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600};
}

prometheus::Histogram::BucketBoundaries batch_duration_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace detail

registry::registry()
    : registry_(std::make_shared<prometheus::Registry>()),
      families_(std::make_unique<detail::families>(*registry_)),
      mysql_(std::make_unique<mysql_metrics>(*families_)) {
  families_->build_info.Add({{"version", std::string(core::version())}}).Set(1);
  families_->config_reloads.Add({{"result", "applied"}});
  families_->config_reloads.Add({{"result", "refused"}});
  families_->config_reload_ok.Add({}).Set(1);
  families_->config_reload_time.Add({}).Set(
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void registry::config_reloaded(bool applied, std::chrono::system_clock::time_point at) {
  families_->config_reloads.Add({{"result", applied ? "applied" : "refused"}}).Increment();
  families_->config_reload_ok.Add({}).Set(applied ? 1 : 0);
  if (applied) families_->config_reload_time.Add({}).Set(std::chrono::duration<double>(at.time_since_epoch()).count());
}

registry::~registry() = default;

job_metrics& registry::job(const std::string& job, const std::string& source,
                           const std::vector<std::string>& tables, const std::string& api) {
  auto& account = this->source(source);
  if (!api.empty()) account.add_api(api);
  std::lock_guard lock(mutex_);
  auto found = jobs_.find(job);
  if (found == jobs_.end()) {
    found = jobs_.emplace(job, std::make_unique<job_metrics>(*families_, job, tables)).first;
    return *found->second;
  }
  for (const auto& table : tables) {
    for (auto op : all_write_ops) found->second->rows_written(table, op, 0);
  }
  return *found->second;
}

source_metrics& registry::source(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto found = sources_.find(name);
  if (found == sources_.end()) {
    found = sources_.emplace(name, std::make_unique<source_metrics>(*families_, name)).first;
  }
  return *found->second;
}

mysql_metrics& registry::mysql() { return *mysql_; }

void registry::forget_job(const std::string& job) {
  std::lock_guard lock(mutex_);
  jobs_.erase(job);
}

std::string registry::text() const {
  families_->process->refresh();
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace ferry::metrics
