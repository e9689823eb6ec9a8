#include "controller.hpp"

#include "ferry/core/log.hpp"
#include "ferry/state/store.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

namespace ferry::daemon {
namespace {

using std::chrono::sys_seconds;

// Most windows one backfill may cover: a year of 5-minute windows.
constexpr std::int64_t max_backfill_windows = 100000;

admin::refusal no_job(const std::string& id) {
  return {admin::refusal_kind::job_not_found, "no job \"" + id + "\""};
}

admin::refusal stopping() { return {admin::refusal_kind::stopping, "ferryd is shutting down"}; }

std::optional<std::string> error_of(const state::run_summary& s) {
  if (s.error.empty()) return std::nullopt;
  return s.error;
}

admin::run_counts counts_of(const state::run_summary& s) {
  return {s.windows,  s.incomplete_windows, s.pages,        s.fetched, s.inserted,
          s.updated,  s.unchanged,          s.dead_letters, s.retries, s.throttles};
}

admin::run_view run_view(const state::run_record& r) {
  return {static_cast<std::int64_t>(r.id), r.kind,        r.state, r.range_start, r.range_end, r.started_at,
          r.finished_at,                   counts_of(r.summary), error_of(r.summary)};
}

admin::window_view window_view(const state::window_record& w) {
  return {static_cast<std::int64_t>(w.run_id), w.start,    w.end,        w.state,     w.pages,
          w.fetched,                          w.distinct_keys, w.data_count, w.inserted, w.updated,
          w.unchanged,                        w.dead_letters,  w.fetch_rounds, w.note};
}

spdlog::level::level_enum spdlog_level(admin::log_level level) {
  switch (level) {
    case admin::log_level::trace: return spdlog::level::trace;
    case admin::log_level::debug: return spdlog::level::debug;
    case admin::log_level::info: return spdlog::level::info;
    case admin::log_level::warn: return spdlog::level::warn;
    case admin::log_level::error: return spdlog::level::err;
    case admin::log_level::critical: return spdlog::level::critical;
    case admin::log_level::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

admin::job_view controller::view(const job_slot& slot, std::optional<sys_seconds> watermark) const {
  admin::job_view v;
  v.id = slot.job->id;
  v.source = slot.job->source;
  v.api = slot.job->api;
  v.schedule = slot.schedule.describe();
  v.paused = slot.paused;
  v.activity = slot.running  ? admin::job_activity::running
               : slot.paused ? admin::job_activity::paused
                             : admin::job_activity::idle;
  v.queued = slot.manual_queued;
  v.backfills_queued = slot.backfills.size();
  v.watermark = watermark;
  if (watermark) v.freshness_seconds = (now_() - *watermark).count();
  v.last_run_started = slot.last_start;
  v.next_run = slot.next_run;
  v.held_elsewhere = slot.held_elsewhere;
  if (const auto* client = engine_.client(slot.job->source))
    v.source_token = admin::token_view{client->current_tokens().expires_at, client->renewable()};
  if (slot.last_result && !slot.last_result->nothing_to_do) {
    const auto& r = *slot.last_result;
    v.last_run = admin::last_run_view{static_cast<std::int64_t>(r.run_id), std::string{state::end_state(r.summary)},
                                      r.seconds, counts_of(r.summary), error_of(r.summary)};
  }
  return v;
}

asio::awaitable<std::optional<std::string>> controller::not_ready_reason() {
  if (stopping_) co_return std::string{"ferryd is stopping"};
  try {
    co_await engine_.pool().run([](mysql::connection& c) { return c.query("SELECT 1").size(); });
  } catch (const std::exception& e) {
    co_return std::string{"MySQL unreachable: "} + e.what();
  }
  co_return std::nullopt;
}

std::string controller::metrics_text() {
  const auto stats = engine_.pool().stats();
  metrics_.mysql().set_connections(stats.size - stats.busy, stats.busy);
  return metrics_.text();
}

asio::awaitable<std::vector<admin::job_view>> controller::list_jobs() {
  const auto ids = jobs_.ids();
  const auto states = co_await engine_.pool().run([&](mysql::connection& c) {
    std::vector<state::job_state> out;
    for (const auto& id : ids) out.push_back(state::load_job(c, id));
    return out;
  });
  std::vector<admin::job_view> out;
  // A reload may have removed a job while its state was read.
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (const auto* slot = jobs_.find(ids[i])) out.push_back(view(*slot, states[i].watermark));
  co_return out;
}

asio::awaitable<admin::result<admin::job_view>> controller::get_job(const std::string& id) {
  if (jobs_.find(id) == nullptr) co_return no_job(id);
  const auto st = co_await engine_.pool().run([&](mysql::connection& c) { return state::load_job(c, id); });
  // Looked up again: a reload may have removed the job meanwhile.
  const auto* slot = jobs_.find(id);
  if (slot == nullptr) co_return no_job(id);
  co_return view(*slot, st.watermark);
}

asio::awaitable<admin::result<admin::job_view>> controller::set_paused(const std::string& id, bool paused) {
  if (jobs_.find(id) == nullptr) co_return no_job(id);
  // Persisted first: a pause survives a restart.
  co_await engine_.pool().run([&](mysql::connection& c) { return state::set_paused(c, id, paused); });
  auto* slot = jobs_.find(id);  // a reload may have removed the job meanwhile
  if (slot == nullptr) co_return no_job(id);
  slot->paused = paused;
  slot->metrics->set_paused(paused);
  slot->wake->cancel();
  core::module_logger("daemon")->info("job={} {}", id, paused ? "paused" : "resumed");
  co_return co_await get_job(id);
}

asio::awaitable<admin::result<admin::trigger_receipt>> controller::trigger(const std::string& id) {
  auto* slot = jobs_.find(id);
  if (slot == nullptr) co_return no_job(id);
  if (stopping_) co_return stopping();
  // A run queued while another ferryd had the job waits for the retry: a
  // trigger makes it try now instead of being refused.
  if (slot->manual_queued && !slot->not_before)
    co_return admin::refusal{admin::refusal_kind::run_already_queued, "a run of " + id + " is already queued"};
  slot->manual_queued = true;
  jobs_.retry_now(*slot);
  co_return admin::trigger_receipt{slot->running, slot->paused};
}

asio::awaitable<admin::result<std::vector<admin::run_view>>> controller::list_runs(const std::string& id,
                                                                                   admin::run_query q) {
  if (jobs_.find(id) == nullptr) co_return no_job(id);
  const auto runs = co_await engine_.pool().run([&](mysql::connection& c) { return state::runs(c, id, q.limit); });
  std::vector<admin::run_view> out;
  for (const auto& r : runs) out.push_back(run_view(r));
  co_return out;
}

asio::awaitable<admin::result<admin::backfill_receipt>> controller::backfill(const std::string& id,
                                                                             admin::backfill_request r) {
  auto* slot = jobs_.find(id);
  if (slot == nullptr) co_return no_job(id);
  const auto start = r.range.from;
  const auto end = r.range.to;
  const auto plan_held = engine_.plan(id);
  const auto& plan = *plan_held;
  if (plan.cursor)
    co_return admin::refusal{admin::refusal_kind::invalid_range,
                             "job " + id + " reads by its " + plan.cursor->field +
                                 " cursor: it has no time range to backfill (each run reads every row changed since "
                                 "the cursor)"};
  // Counted before the range is split: listing (or running) millions of
  // windows would hold up every other request and run for years.
  const auto count = (end - start + plan.windows.max_span - std::chrono::seconds{1}) / plan.windows.max_span;
  if (count > max_backfill_windows && !plan.full_refresh)
    co_return admin::refusal{admin::refusal_kind::invalid_range,
                             "the range covers " + std::to_string(count) + " windows of " +
                                 std::to_string(plan.windows.max_span.count()) + " s; at most " +
                                 std::to_string(max_backfill_windows) + " in one backfill"};
  admin::backfill_receipt receipt;
  receipt.dry_run = r.dry_run;
  // A full refresh reads the whole list once, whatever the range.
  if (plan.full_refresh) receipt.windows.push_back({start, end});
  else
    for (const auto& w : sync::split_range({start, end}, plan.windows.max_span)) receipt.windows.push_back({w.start, w.end});
  if (r.dry_run) {
    // At least one call per window; the slowest configured rate bounds the time.
    double calls_per_second = 1e9;
    const auto* source = slot->cfg->find_source(slot->job->source);
    for (const auto& limit : source->rate_limits)
      calls_per_second = std::min(calls_per_second, limit.calls / std::chrono::duration<double>(limit.per).count());
    receipt.estimated_calls_min = receipt.windows.size();
    receipt.estimated_seconds_min = std::ceil(static_cast<double>(receipt.windows.size()) / calls_per_second);
    co_return receipt;
  }
  if (stopping_) co_return stopping();
  slot->backfills.push_back({start, end});
  jobs_.retry_now(*slot);
  receipt.position = slot->backfills.size();
  co_return receipt;
}

asio::awaitable<admin::result<std::vector<admin::window_view>>> controller::list_windows(const std::string& id,
                                                                                         admin::window_query q) {
  if (jobs_.find(id) == nullptr) co_return no_job(id);
  const auto rows =
      co_await engine_.pool().run([&](mysql::connection& c) { return state::windows(c, id, q.state, q.limit); });
  std::vector<admin::window_view> out;
  for (const auto& w : rows) out.push_back(window_view(w));
  co_return out;
}

void controller::set_log_level(admin::log_level level) {
  const auto parsed = spdlog_level(level);
  spdlog::set_level(parsed);
  spdlog::apply_all([parsed](const std::shared_ptr<spdlog::logger>& l) { l->set_level(parsed); });
  core::module_logger("daemon")->info("log level set to {}", admin::to_string(level));
}

}  // namespace ferry::daemon
