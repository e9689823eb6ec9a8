#include "families.hpp"
#include "ferry/metrics/metrics.hpp"

#include <algorithm>

namespace ferry::metrics {
namespace {

double to_unix_seconds(std::chrono::system_clock::time_point at) {
  return std::chrono::duration<double>(at.time_since_epoch()).count();
}

template <class E>
std::size_t index(E value) {
  return static_cast<std::size_t>(value);
}

}  // namespace

std::string_view to_string(write_op op) {
  switch (op) {
    case write_op::insert: return "insert";
    case write_op::update: return "update";
    case write_op::unchanged: return "unchanged";
    case write_op::remove: return "delete";
  }
  return "unknown";
}

std::string_view to_string(request_outcome outcome) {
  switch (outcome) {
    case request_outcome::ok: return "ok";
    case request_outcome::transient: return "transient";
    case request_outcome::throttled: return "throttled";
    case request_outcome::token_expired: return "token_expired";
    case request_outcome::fatal: return "fatal";
  }
  return "unknown";
}

std::string_view to_string(run_kind kind) {
  switch (kind) {
    case run_kind::live: return "live";
    case run_kind::backfill: return "backfill";
  }
  return "unknown";
}

std::string_view to_string(run_outcome outcome) {
  switch (outcome) {
    case run_outcome::success: return "success";
    case run_outcome::failed: return "failed";
    case run_outcome::interrupted: return "interrupted";
  }
  return "unknown";
}

job_metrics::job_metrics(detail::families& f, std::string job, const std::vector<std::string>& tables)
    : families_(f),
      job_(std::move(job)),
      records_fetched_(&f.records_fetched.Add({{"ferry_job", job_}})),
      dead_letters_(&f.dead_letters.Add({{"ferry_job", job_}})),
      records_skipped_(&f.records_skipped.Add({{"ferry_job", job_}})),
      retries_(&f.retries.Add({{"ferry_job", job_}})),
      windows_verified_(&f.windows_verified.Add({{"ferry_job", job_}})),
      verify_found_(&f.verify_found.Add({{"ferry_job", job_}})),
      runs_{},
      durations_{},
      run_start_{},
      running_(&f.job_running.Add({{"ferry_job", job_}})),
      paused_(&f.job_paused.Add({{"ferry_job", job_}})),
      watermark_(&f.watermark.Add({{"ferry_job", job_}})),
      last_success_(&f.last_success.Add({{"ferry_job", job_}})),
      windows_incomplete_(&f.windows_incomplete.Add({{"ferry_job", job_}})),
      schedule_period_(&f.schedule_period.Add({{"ferry_job", job_}})) {
  for (auto outcome : all_run_outcomes) {
    runs_[index(outcome)] = &f.job_runs.Add({{"ferry_job", job_}, {"outcome", std::string(to_string(outcome))}});
  }
  for (auto kind : all_run_kinds) {
    const prometheus::Labels labels{{"ferry_job", job_}, {"kind", std::string(to_string(kind))}};
    durations_[index(kind)] = &f.run_duration.Add(labels, detail::run_duration_buckets());
    run_start_[index(kind)] = &f.run_start.Add(labels);
  }
  for (const auto& table : tables) rows_counter(table, write_op::insert);
}

job_metrics::~job_metrics() {
  families_.records_fetched.Remove(records_fetched_);
  families_.dead_letters.Remove(dead_letters_);
  families_.records_skipped.Remove(records_skipped_);
  families_.retries.Remove(retries_);
  families_.windows_verified.Remove(windows_verified_);
  families_.verify_found.Remove(verify_found_);
  for (auto* runs : runs_) families_.job_runs.Remove(runs);
  for (auto* duration : durations_) families_.run_duration.Remove(duration);
  for (auto* start : run_start_) families_.run_start.Remove(start);
  families_.job_running.Remove(running_);
  families_.job_paused.Remove(paused_);
  families_.watermark.Remove(watermark_);
  families_.last_success.Remove(last_success_);
  families_.windows_incomplete.Remove(windows_incomplete_);
  families_.schedule_period.Remove(schedule_period_);
  for (auto& [table, ops] : rows_) {
    for (auto* counter : ops) families_.rows_written.Remove(counter);
  }
}

// Every op of a table is added together so a table's three series appear at once.
prometheus::Counter& job_metrics::rows_counter(const std::string& table, write_op op) {
  std::lock_guard lock(tables_mutex_);
  auto found = rows_.find(table);
  if (found == rows_.end()) {
    std::array<prometheus::Counter*, all_write_ops.size()> ops{};
    for (auto each : all_write_ops) {
      ops[index(each)] =
          &families_.rows_written.Add({{"ferry_job", job_}, {"table", table}, {"op", std::string(to_string(each))}});
    }
    found = rows_.emplace(table, ops).first;
  }
  return *found->second[index(op)];
}

void job_metrics::records_fetched(std::uint64_t n) { records_fetched_->Increment(static_cast<double>(n)); }

void job_metrics::rows_written(const std::string& table, write_op op, std::uint64_t n) {
  rows_counter(table, op).Increment(static_cast<double>(n));
}

void job_metrics::dead_letters(std::uint64_t n) { dead_letters_->Increment(static_cast<double>(n)); }
void job_metrics::records_skipped(std::uint64_t n) { records_skipped_->Increment(static_cast<double>(n)); }
void job_metrics::retried() { retries_->Increment(); }
void job_metrics::window_verified(std::uint64_t found) {
  windows_verified_->Increment();
  verify_found_->Increment(static_cast<double>(found));
}
void job_metrics::run_started(std::chrono::system_clock::time_point at, run_kind kind) {
  std::lock_guard lock(run_mutex_);
  started_ = at;
  kind_ = kind;
  run_start_[index(kind)]->Set(to_unix_seconds(at));
  running_->Set(1);
}

void job_metrics::run_not_started() {
  std::lock_guard lock(run_mutex_);
  started_.reset();
  for (auto* start : run_start_) start->Set(0);
  running_->Set(0);
}

void job_metrics::run_finished(run_outcome outcome, std::chrono::system_clock::time_point finished_at) {
  std::lock_guard lock(run_mutex_);
  running_->Set(0);
  for (auto* start : run_start_) start->Set(0);
  runs_[index(outcome)]->Increment();
  if (started_) {
    // A wall clock set back during the run must not make a negative duration.
    durations_[index(kind_)]->Observe(std::max(0.0, seconds_f(finished_at - *started_).count()));
    started_.reset();
  }
  // A backfill's or catch-up's success says nothing of the live data's freshness.
  if (outcome == run_outcome::success && kind_ == run_kind::live) set_last_success(finished_at);
}

void job_metrics::set_last_success(std::chrono::system_clock::time_point at) {
  last_success_->Set(to_unix_seconds(at));
}

void job_metrics::set_paused(bool paused) { paused_->Set(paused ? 1 : 0); }

void job_metrics::set_watermark(std::chrono::system_clock::time_point watermark) {
  watermark_->Set(to_unix_seconds(watermark));
}

void job_metrics::set_windows_incomplete(std::uint64_t n) { windows_incomplete_->Set(static_cast<double>(n)); }
void job_metrics::set_schedule_period(seconds_f period) { schedule_period_->Set(period.count()); }

source_metrics::source_metrics(detail::families& f, std::string source)
    : families_(f),
      source_(std::move(source)),
      token_expiry_(&f.token_expiry.Add({{"source", source_}})),
      token_refresh_due_(&f.token_refresh_due.Add({{"source", source_}})),
      token_renewable_(&f.token_renewable.Add({{"source", source_}})),
      token_renewals_(&f.token_renewals.Add({{"source", source_}})),
      ratelimit_wait_(&f.ratelimit_wait.Add({{"source", source_}})),
      throttled_(&f.throttled.Add({{"source", source_}})) {}

// Every outcome of an endpoint is added together, so its series appear at once.
source_metrics::api_series& source_metrics::series(const std::string& api) {
  std::lock_guard lock(apis_mutex_);
  auto found = apis_.find(api);
  if (found == apis_.end()) {
    api_series made;
    for (auto outcome : all_request_outcomes) {
      made.requests[index(outcome)] = &families_.http_requests.Add(
          {{"source", source_}, {"api", api}, {"outcome", std::string(to_string(outcome))}});
    }
    made.duration =
        &families_.http_duration.Add({{"source", source_}, {"api", api}}, detail::http_duration_buckets());
    found = apis_.emplace(api, made).first;
  }
  return found->second;
}

void source_metrics::add_api(const std::string& api) { series(api); }

void source_metrics::request(const std::string& api, request_outcome outcome, seconds_f elapsed) {
  auto& s = series(api);
  s.requests[index(outcome)]->Increment();
  s.duration->Observe(elapsed.count());
  if (outcome == request_outcome::throttled) throttled_->Increment();
}

void source_metrics::throttled() { throttled_->Increment(); }
void source_metrics::ratelimit_waited(seconds_f waited) { ratelimit_wait_->Increment(waited.count()); }

void source_metrics::set_token(std::optional<std::chrono::system_clock::time_point> expires_at,
                               std::optional<std::chrono::system_clock::time_point> refresh_due, bool renewable) {
  const auto seconds = [](const auto& t) { return t ? std::chrono::duration<double>(t->time_since_epoch()).count() : 0.0; };
  token_expiry_->Set(seconds(expires_at));
  token_refresh_due_->Set(renewable ? seconds(refresh_due) : 0.0);
  token_renewable_->Set(renewable ? 1.0 : 0.0);
}

void source_metrics::token_renewed() { token_renewals_->Increment(); }

mysql_metrics::mysql_metrics(detail::families& f)
    : idle_(&f.pool_connections.Add({{"state", "idle"}})),
      busy_(&f.pool_connections.Add({{"state", "busy"}})),
      batch_duration_(&f.batch_duration.Add({}, detail::batch_duration_buckets())) {}

void mysql_metrics::set_connections(std::uint64_t idle, std::uint64_t busy) {
  idle_->Set(static_cast<double>(idle));
  busy_->Set(static_cast<double>(busy));
}

void mysql_metrics::batch_written(seconds_f elapsed) { batch_duration_->Observe(elapsed.count()); }

}  // namespace ferry::metrics
