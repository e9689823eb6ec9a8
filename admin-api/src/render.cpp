#include "render.hpp"

#include "ferry/core/time.hpp"

#include <array>

namespace ferry::admin {

std::string_view to_string(log_level level) {
  switch (level) {
    case log_level::trace: return "trace";
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    case log_level::critical: return "critical";
    case log_level::off: return "off";
  }
  return "info";
}

std::string_view to_string(job_activity activity) {
  switch (activity) {
    case job_activity::idle: return "idle";
    case job_activity::running: return "running";
    case job_activity::paused: return "paused";
  }
  return "idle";
}

}  // namespace ferry::admin

namespace ferry::admin::detail {
namespace {

using nlohmann::json;

json time_json(time_point t) { return core::format_rfc3339(t); }

json time_json(const std::optional<time_point>& t) { return t ? time_json(*t) : json(nullptr); }

template <class T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json counts_json(const run_counts& c) {
  return {{"windows", c.windows},     {"incomplete_windows", c.incomplete_windows},
          {"pages", c.pages},         {"fetched", c.fetched},
          {"inserted", c.inserted},   {"updated", c.updated},
          {"unchanged", c.unchanged}, {"dead_letters", c.dead_letters},
          {"retries", c.retries},     {"throttles", c.throttles}};
}

json range_json(const time_range& r) { return {{"from", time_json(r.from)}, {"to", time_json(r.to)}}; }

}  // namespace

std::string dump(const json& body) { return body.dump(-1, ' ', false, json::error_handler_t::replace); }

json to_json(const job_view& job) {
  json last = nullptr;
  if (job.last_run) {
    const auto& r = *job.last_run;
    last = {{"id", r.id},
            {"state", r.state},
            {"seconds", r.seconds},
            {"counts", counts_json(r.counts)},
            {"error", or_null(r.error)}};
  }
  json token = nullptr;
  if (job.source_token)
    token = {{"expires_at", time_json(job.source_token->expires_at)}, {"renewable", job.source_token->renewable}};
  return {{"id", job.id},
          {"source", job.source},
          {"api", job.api},
          {"schedule", job.schedule},
          {"paused", job.paused},
          {"state", to_string(job.activity)},
          {"queued", job.queued},
          {"backfills_queued", job.backfills_queued},
          {"watermark", time_json(job.watermark)},
          {"freshness_seconds", or_null(job.freshness_seconds)},
          {"last_run_started", time_json(job.last_run_started)},
          {"next_run", time_json(job.next_run)},
          {"held_elsewhere", or_null(job.held_elsewhere)},
          {"source_token", token},
          {"last_run", last}};
}

json to_json(const run_view& run) {
  return {{"id", run.id},
          {"kind", run.kind},
          {"state", run.state},
          {"from", time_json(run.from)},
          {"to", time_json(run.to)},
          {"started_at", time_json(run.started_at)},
          {"finished_at", time_json(run.finished_at)},
          {"counts", counts_json(run.counts)},
          {"error", or_null(run.error)}};
}

json to_json(const window_view& w) {
  return {{"run_id", w.run_id},
          {"from", time_json(w.from)},
          {"to", time_json(w.to)},
          {"state", core::to_string(w.state)},
          {"pages", w.pages},
          {"fetched", w.fetched},
          {"distinct_keys", w.distinct_keys},
          {"data_count", or_null(w.data_count)},
          {"inserted", w.inserted},
          {"updated", w.updated},
          {"unchanged", w.unchanged},
          {"dead_letters", w.dead_letters},
          {"fetch_rounds", w.fetch_rounds},
          {"note", w.note}};
}

json to_json(const trigger_receipt& receipt) {
  return {{"queued", true}, {"running", receipt.job_running}, {"paused", receipt.job_paused}};
}

json to_json(const backfill_receipt& receipt) {
  json windows = json::array();
  for (const auto& w : receipt.windows) windows.push_back(range_json(w));
  if (receipt.dry_run)
    return {{"dry_run", true},
            {"windows", windows},
            {"estimated_calls_min", receipt.estimated_calls_min},
            {"estimated_seconds_min", receipt.estimated_seconds_min},
            {"note", "one call per window at least; each page of more than page_size rows adds one"}};
  return {{"queued", true}, {"windows", windows}, {"position", receipt.position}};
}

problem problem_of(refusal_kind kind) {
  switch (kind) {
    case refusal_kind::job_not_found: return problem::job_not_found;
    case refusal_kind::run_already_queued: return problem::run_already_queued;
    case refusal_kind::stopping: return problem::stopping;
    case refusal_kind::invalid_range: return problem::invalid_range;
  }
  return problem::internal;
}

std::optional<log_level> parse_log_level(std::string_view text) {
  constexpr std::array levels{log_level::trace, log_level::debug,    log_level::info, log_level::warn,
                              log_level::error, log_level::critical, log_level::off};
  for (const auto l : levels)
    if (text == to_string(l)) return l;
  return std::nullopt;
}

}  // namespace ferry::admin::detail
