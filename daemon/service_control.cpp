// The admin API's side of the service: each route's meaning.
#include "job_slot.hpp"

#include "ferry/core/log.hpp"
#include "ferry/core/time.hpp"
#include "ferry/state/store.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

namespace ferry::daemon {
namespace {

using std::chrono::sys_seconds;
using nlohmann::json;

// Most windows one backfill may cover: a year of 5-minute windows.
constexpr std::int64_t max_backfill_windows = 100000;

admin::api_error no_job(const std::string& id) { return {404, "job_not_found", "no job \"" + id + "\""}; }

json time_or_null(std::optional<sys_seconds> t) {
  return t ? json(core::format_shanghai_datetime(*t)) : json(nullptr);
}

json counts_json(const state::run_summary& s) {
  return {{"windows", s.windows},     {"incomplete_windows", s.incomplete_windows},
          {"pages", s.pages},         {"fetched", s.fetched},
          {"inserted", s.inserted},   {"updated", s.updated},
          {"unchanged", s.unchanged}, {"dead_letters", s.dead_letters},
          {"retries", s.retries},     {"throttles", s.throttles}};
}

json run_json(const state::run_record& r) {
  return {{"id", r.id},
          {"kind", r.kind},
          {"state", r.state},
          {"from", core::format_shanghai_datetime(r.range_start)},
          {"to", core::format_shanghai_datetime(r.range_end)},
          {"started_at", core::format_shanghai_datetime(r.started_at)},
          {"finished_at", time_or_null(r.finished_at)},
          {"counts", counts_json(r.summary)},
          {"error", r.summary.error.empty() ? json(nullptr) : json(r.summary.error)}};
}

json window_json(const state::window_record& w) {
  return {{"run_id", w.run_id},
          {"from", core::format_shanghai_datetime(w.start)},
          {"to", core::format_shanghai_datetime(w.end)},
          {"state", state::to_string(w.state)},
          {"pages", w.pages},
          {"fetched", w.fetched},
          {"distinct_keys", w.distinct_keys},
          {"data_count", w.data_count ? json(*w.data_count) : json(nullptr)},
          {"inserted", w.inserted},
          {"updated", w.updated},
          {"unchanged", w.unchanged},
          {"dead_letters", w.dead_letters},
          {"fetch_rounds", w.fetch_rounds},
          {"note", w.note}};
}

}  // namespace

nlohmann::json service::job_json(const job_slot& slot, std::optional<sys_seconds> watermark) const {
  const auto now = sync::system_now();
  std::string state = slot.running ? "running" : slot.paused ? "paused" : "idle";
  json last = nullptr;
  if (slot.last_result && !slot.last_result->nothing_to_do) {
    const auto& r = *slot.last_result;
    last = {{"id", r.run_id},
            {"state", r.summary.error.empty() ? "success" : "failed"},
            {"seconds", r.seconds},
            {"counts", counts_json(r.summary)},
            {"error", r.summary.error.empty() ? json(nullptr) : json(r.summary.error)}};
  }
  return {{"id", slot.job->id},
          {"source", slot.job->source},
          {"api", slot.job->api},
          {"schedule", slot.schedule.describe()},
          {"paused", slot.paused},
          {"state", state},
          {"queued", slot.manual_queued},
          {"backfills_queued", slot.backfills.size()},
          {"watermark", time_or_null(watermark)},
          {"freshness_seconds", watermark ? json((now - *watermark).count()) : json(nullptr)},
          {"last_run_started", time_or_null(slot.last_start)},
          {"next_run", time_or_null(slot.next_run)},
          {"held_elsewhere", slot.held_elsewhere ? json(*slot.held_elsewhere) : json(nullptr)},
          {"source_token", source_token_json(slot.job->source)},
          {"last_run", last}};
}

// The source's access token: when it expires (null: not known yet) and
// whether ferry renews it by itself (false: a person must, before then).
nlohmann::json service::source_token_json(const std::string& source) const {
  const auto* client = engine_.client(source);
  if (client == nullptr) return nullptr;
  return {{"expires_at", time_or_null(client->current_tokens().expires_at)}, {"renewable", client->renewable()}};
}

asio::awaitable<std::optional<std::string>> service::not_ready_reason() {
  if (stopping_) co_return std::string{"ferryd is stopping"};
  try {
    co_await engine_.pool().run([](mysql::connection& c) { return c.query("SELECT 1").size(); });
  } catch (const std::exception& e) {
    co_return std::string{"MySQL unreachable: "} + e.what();
  }
  co_return std::nullopt;
}

std::string service::metrics_text() {
  const auto stats = engine_.pool().stats();
  metrics_.mysql().set_connections(stats.size - stats.busy, stats.busy);
  return metrics_.text();
}

asio::awaitable<admin::outcome> service::list_jobs() {
  const auto ids = [this] {
    std::vector<std::string> out;
    for (const auto& [id, slot] : slots_) out.push_back(id);
    return out;
  }();
  const auto states = co_await engine_.pool().run([&](mysql::connection& c) {
    std::vector<state::job_state> out;
    for (const auto& id : ids) out.push_back(state::load_job(c, id));
    return out;
  });
  json jobs = json::array();
  // A reload may have removed a job while its state was read.
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (const auto* slot = find(ids[i])) jobs.push_back(job_json(*slot, states[i].watermark));
  co_return admin::api_reply{200, {{"jobs", jobs}}};
}

asio::awaitable<admin::outcome> service::get_job(const std::string& id) {
  if (find(id) == nullptr) co_return no_job(id);
  const auto st = co_await engine_.pool().run([&](mysql::connection& c) { return state::load_job(c, id); });
  // Looked up again: a reload may have removed the job meanwhile.
  const auto* slot = find(id);
  if (slot == nullptr) co_return no_job(id);
  co_return admin::api_reply{200, job_json(*slot, st.watermark)};
}

asio::awaitable<admin::outcome> service::set_paused(const std::string& id, bool paused) {
  if (find(id) == nullptr) co_return no_job(id);
  // Persisted first: a pause survives a restart.
  co_await engine_.pool().run([&](mysql::connection& c) { return state::set_paused(c, id, paused); });
  auto* slot = find(id);  // a reload may have removed the job meanwhile
  if (slot == nullptr) co_return no_job(id);
  slot->paused = paused;
  slot->metrics->set_paused(paused);
  slot->wake->cancel();
  core::module_logger("daemon")->info("job={} {}", id, paused ? "paused" : "resumed");
  co_return co_await get_job(id);
}

void service::retry_now(job_slot& slot) {
  ++slot.retries_asked;
  slot.not_before.reset();
  slot.wake->cancel();
}

asio::awaitable<admin::outcome> service::trigger(const std::string& id) {
  auto* slot = find(id);
  if (slot == nullptr) co_return no_job(id);
  if (stopping_) co_return admin::api_error{503, "stopping", "ferryd is shutting down"};
  // A run queued while another ferryd had the job waits for the retry: a
  // trigger makes it try now instead of being refused.
  if (slot->manual_queued && !slot->not_before)
    co_return admin::api_error{409, "run_already_queued", "a run of " + id + " is already queued"};
  slot->manual_queued = true;
  retry_now(*slot);
  co_return admin::api_reply{202, {{"queued", true}, {"running", slot->running}, {"paused", slot->paused}}};
}

asio::awaitable<admin::outcome> service::list_runs(const std::string& id, std::size_t limit) {
  if (find(id) == nullptr) co_return no_job(id);
  const auto runs = co_await engine_.pool().run([&](mysql::connection& c) { return state::runs(c, id, limit); });
  json out = json::array();
  for (const auto& r : runs) out.push_back(run_json(r));
  co_return admin::api_reply{200, {{"runs", out}}};
}

asio::awaitable<admin::outcome> service::backfill(const std::string& id, const std::string& from,
                                                  const std::string& to, bool dry_run) {
  auto* slot = find(id);
  if (slot == nullptr) co_return no_job(id);
  std::string range_error;
  const auto requested = sync::parse_range(from, to, {"from", "to"}, range_error);
  if (!requested) co_return admin::api_error{422, "invalid_range", range_error};
  const auto start = std::optional{requested->start};
  const auto end = std::optional{requested->end};
  const auto plan_held = engine_.plan(id);
  const auto& plan = *plan_held;
  // Counted before the range is split: listing (or running) millions of
  // windows would hold up every other request and run for years.
  const auto count = (*end - *start + plan.windows.max_span - std::chrono::seconds{1}) / plan.windows.max_span;
  if (count > max_backfill_windows)
    co_return admin::api_error{422, "invalid_range",
                               "the range covers " + std::to_string(count) + " windows of " +
                                   std::to_string(plan.windows.max_span.count()) + " s; at most " +
                                   std::to_string(max_backfill_windows) + " in one backfill"};
  const auto windows = sync::split_range({*start, *end}, plan.windows.max_span);
  json listed = json::array();
  for (const auto& w : windows)
    listed.push_back({{"from", core::format_shanghai_datetime(w.start)}, {"to", core::format_shanghai_datetime(w.end)}});
  if (dry_run) {
    // At least one call per window; the slowest configured rate bounds the time.
    double calls_per_second = 1e9;
    const auto* source = slot->cfg->find_source(slot->job->source);
    for (const auto& r : source->rate_limits)
      calls_per_second = std::min(calls_per_second, r.calls / std::chrono::duration<double>(r.per).count());
    const auto calls = static_cast<double>(windows.size());
    co_return admin::api_reply{200, {{"dry_run", true},
                                     {"windows", listed},
                                     {"estimated_calls_min", windows.size()},
                                     {"estimated_seconds_min", std::ceil(calls / calls_per_second)},
                                     {"note", "one call per window at least; each page of more than page_size rows adds one"}}};
  }
  if (stopping_) co_return admin::api_error{503, "stopping", "ferryd is shutting down"};
  slot->backfills.push_back({*start, *end});
  retry_now(*slot);
  co_return admin::api_reply{202, {{"queued", true}, {"windows", listed}, {"position", slot->backfills.size()}}};
}

asio::awaitable<admin::outcome> service::list_windows(const std::string& id, std::optional<std::string> state) {
  if (find(id) == nullptr) co_return no_job(id);
  std::optional<state::window_state> filter;
  if (state) {
    filter = state::parse_window_state(*state);
    if (!filter) co_return admin::api_error{422, "invalid_state", "state must be complete, incomplete or failed"};
  }
  const auto rows = co_await engine_.pool().run([&](mysql::connection& c) { return state::windows(c, id, filter, 500); });
  json out = json::array();
  for (const auto& w : rows) out.push_back(window_json(w));
  co_return admin::api_reply{200, {{"windows", out}}};
}

admin::outcome service::set_log_level(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off")
    return admin::api_error{422, "invalid_level", "level must be trace, debug, info, warn or error"};
  spdlog::set_level(parsed);
  spdlog::apply_all([parsed](const std::shared_ptr<spdlog::logger>& l) { l->set_level(parsed); });
  return admin::api_reply{200, {{"level", level}}};
}

}  // namespace ferry::daemon
