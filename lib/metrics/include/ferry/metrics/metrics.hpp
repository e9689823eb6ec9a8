#pragma once
// ferry's metrics: one registry holding every family of DESIGN.md, and small
// per-job, per-source and MySQL handles that the engine moves. Names use base
// units (seconds, counts); labels stay low-cardinality (ferry_job, source,
// api, table, op, outcome, kind, state). A job's series carry `ferry_job`, not
// `job`: Prometheus gives every scraped series its own `job` (the scrape job),
// and one label must not mean two things. The registry does no networking: the admin API serves
// registry::text() at GET /metrics.
//
// Thread-safety: every handle method may be called from any thread (they are
// prometheus-cpp counters, gauges and histograms: atomics and short locks).
// registry's methods are thread-safe too. A handle reference stays valid until
// registry::forget_job() for that job (job handles) or the registry's end.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::metrics {

// ferry_rows_written_total{op}: what an upsert did to a row; delete is a
// child row of an exploded target that its parent no longer lists.
enum class write_op { insert, update, unchanged, remove };
// ferry_http_requests_total{outcome}: how one API call ended, as the retry
// policy classified it.
enum class request_outcome { ok, transient, throttled, token_expired, fatal };
// ferry_job_runs_total{outcome}.
// interrupted: ended by a shutdown between windows (a deploy, not a fault).
enum class run_outcome { success, failed, interrupted };
// ferry_job_run_duration_seconds{kind} and ferry_job_run_start_timestamp_seconds{kind}:
// live = the daemon's scheduled and manual runs (whose length is the job's
// usual one; ferryd --once keeps no metrics); backfill = backfills and
// catch-ups, which re-read the past and take as long as the range they cover.
enum class run_kind { live, backfill };

std::string_view to_string(write_op op);
std::string_view to_string(request_outcome outcome);
std::string_view to_string(run_outcome outcome);
std::string_view to_string(run_kind kind);

inline constexpr std::array all_write_ops{write_op::insert, write_op::update, write_op::unchanged,
                                          write_op::remove};
inline constexpr std::array all_request_outcomes{request_outcome::ok, request_outcome::transient,
                                                 request_outcome::throttled, request_outcome::token_expired,
                                                 request_outcome::fatal};
inline constexpr std::array all_run_outcomes{run_outcome::success, run_outcome::failed, run_outcome::interrupted};
inline constexpr std::array all_run_kinds{run_kind::live, run_kind::backfill};

using seconds_f = std::chrono::duration<double>;

namespace detail {
struct families;
}

// One job's series, all labelled {ferry_job}. Made by registry::job().
class job_metrics {
 public:
  job_metrics(detail::families& families, std::string job, const std::vector<std::string>& tables);
  ~job_metrics();
  job_metrics(const job_metrics&) = delete;
  job_metrics& operator=(const job_metrics&) = delete;

  const std::string& name() const { return job_; }

  void records_fetched(std::uint64_t n);                                  // ferry_records_fetched_total
  // ferry_rows_written_total{table,op}; a table not named at job() is added on first use.
  void rows_written(const std::string& table, write_op op, std::uint64_t n);
  void dead_letters(std::uint64_t n);                                     // ferry_dead_letters_total
  void records_skipped(std::uint64_t n);                                  // ferry_records_skipped_total
  void retried();                                                         // ferry_retries_total
  // ferry_windows_verified_total + 1 and ferry_verify_found_rows_total + found.
  void window_verified(std::uint64_t found);
  // ferry_job_running = 1 and ferry_job_run_start_timestamp_seconds{kind} = at.
  void run_started(std::chrono::system_clock::time_point at, run_kind kind = run_kind::live);
  // ferry_job_running = 0 (and the start time 0) for a run that did not start
  // after all (another ferryd holds the job); no outcome or duration is counted.
  void run_not_started();
  // ferry_job_running = 0, the start time 0, ferry_job_runs_total{outcome} + 1,
  // ferry_job_run_duration_seconds{kind} observes finished_at - the start, and
  // on the success of a live run ferry_last_success_timestamp_seconds = finished_at.
  void run_finished(run_outcome outcome, std::chrono::system_clock::time_point finished_at);
  // ferry_last_success_timestamp_seconds without a run (e.g. from ferry_runs at start-up).
  void set_last_success(std::chrono::system_clock::time_point at);
  void set_paused(bool paused);                                           // ferry_job_paused
  void set_watermark(std::chrono::system_clock::time_point watermark);    // ferry_watermark_timestamp_seconds
  void set_windows_incomplete(std::uint64_t n);                           // ferry_windows_incomplete
  // ferry_job_schedule_period_seconds: the longest gap between two scheduled
  // runs (an interval job's "every"; a cron job's widest step); 0 = manual only.
  // FerryNoRecentSuccess compares the last success with twice this period.
  void set_schedule_period(seconds_f period);

 private:
  prometheus::Counter& rows_counter(const std::string& table, write_op op);

  detail::families& families_;
  std::string job_;
  prometheus::Counter* records_fetched_;
  prometheus::Counter* dead_letters_;
  prometheus::Counter* records_skipped_;
  prometheus::Counter* retries_;
  prometheus::Counter* windows_verified_;
  prometheus::Counter* verify_found_;
  std::array<prometheus::Counter*, all_run_outcomes.size()> runs_;
  std::array<prometheus::Histogram*, all_run_kinds.size()> durations_;
  std::array<prometheus::Gauge*, all_run_kinds.size()> run_start_;
  std::mutex run_mutex_;  // guards started_ and kind_
  std::optional<std::chrono::system_clock::time_point> started_;
  run_kind kind_ = run_kind::live;
  prometheus::Gauge* running_;
  prometheus::Gauge* paused_;
  prometheus::Gauge* watermark_;
  prometheus::Gauge* last_success_;
  prometheus::Gauge* windows_incomplete_;
  prometheus::Gauge* schedule_period_;
  std::mutex tables_mutex_;  // guards rows_
  std::map<std::string, std::array<prometheus::Counter*, all_write_ops.size()>, std::less<>> rows_;
};

// One source account's series, labelled {source}; its API calls also by
// {api} (the endpoint's path). Made by registry::source().
class source_metrics {
 public:
  source_metrics(detail::families& families, std::string source);
  source_metrics(const source_metrics&) = delete;
  source_metrics& operator=(const source_metrics&) = delete;

  // Makes the endpoint's request series (at 0) if they do not exist yet.
  void add_api(const std::string& api);
  // ferry_http_requests_total{api,outcome} + 1 and ferry_http_request_duration_seconds{api};
  // a throttled outcome also counts in ferry_throttled_total.
  void request(const std::string& api, request_outcome outcome, seconds_f elapsed);
  // ferry_throttled_total for a throttle signal that did not end a request.
  void throttled();
  void ratelimit_waited(seconds_f waited);  // ferry_ratelimit_wait_seconds_total
  // ferry_source_token_expiry_timestamp_seconds and _refresh_due_timestamp_seconds
  // (0 when unknown or never), and ferry_source_token_renewable.
  void set_token(std::optional<std::chrono::system_clock::time_point> expires_at,
                 std::optional<std::chrono::system_clock::time_point> refresh_due, bool renewable);
  void token_renewed();  // ferry_source_token_renewals_total

 private:
  struct api_series {
    std::array<prometheus::Counter*, all_request_outcomes.size()> requests{};
    prometheus::Histogram* duration = nullptr;
  };
  api_series& series(const std::string& api);

  detail::families& families_;
  std::string source_;
  prometheus::Gauge* token_expiry_;
  prometheus::Gauge* token_refresh_due_;
  prometheus::Gauge* token_renewable_;
  prometheus::Counter* token_renewals_;
  std::mutex apis_mutex_;  // guards apis_
  std::map<std::string, api_series, std::less<>> apis_;
  prometheus::Counter* ratelimit_wait_;
  prometheus::Counter* throttled_;
};

// The MySQL pool's series (one pool per daemon, no labels but state).
class mysql_metrics {
 public:
  explicit mysql_metrics(detail::families& families);
  mysql_metrics(const mysql_metrics&) = delete;
  mysql_metrics& operator=(const mysql_metrics&) = delete;

  void set_connections(std::uint64_t idle, std::uint64_t busy);  // ferry_mysql_pool_connections{state}
  void batch_written(seconds_f elapsed);                          // ferry_mysql_batch_duration_seconds

 private:
  prometheus::Gauge* idle_;
  prometheus::Gauge* busy_;
  prometheus::Histogram* batch_duration_;
};

// Owns every family and every handle. Thread-safe.
class registry {
 public:
  registry();
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  // The job's handle, made on first call with every series of the job (and
  // of its source and its api, when given) at 0 so dashboards and alerts see
  // them before the first event; later calls return the same handle and add
  // tables not seen yet.
  job_metrics& job(const std::string& job, const std::string& source, const std::vector<std::string>& tables,
                   const std::string& api = {});
  source_metrics& source(const std::string& name);
  mysql_metrics& mysql();
  // A reload was applied or refused: ferry_config_reloads_total{result},
  // ferry_config_last_reload_successful and, when applied, its timestamp.
  void config_reloaded(bool applied, std::chrono::system_clock::time_point at = std::chrono::system_clock::now());
  // Removes every series labelled with this job (a job dropped by a reload).
  // Its job_metrics reference dies here: callers drop it first.
  void forget_job(const std::string& job);
  // Every family in Prometheus text exposition format 0.0.4.
  std::string text() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<detail::families> families_;
  std::unique_ptr<mysql_metrics> mysql_;
  mutable std::mutex mutex_;  // guards jobs_ and sources_
  std::map<std::string, std::unique_ptr<job_metrics>, std::less<>> jobs_;
  std::map<std::string, std::unique_ptr<source_metrics>, std::less<>> sources_;
};

}  // namespace ferry::metrics
