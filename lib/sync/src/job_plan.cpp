#include "ferry/sync/job_plan.hpp"

#include "ferry/config/config.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace ferry::sync {
namespace {

std::chrono::seconds whole_seconds(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d);
}

void plan_children(target_plan& plan, const config::target_config& t,
                   const std::vector<std::set<std::string>>& record_keys);

target_plan make_target(const config::target_config& t, const std::vector<std::set<std::string>>& record_keys,
                        const config::mysql_config& mysql) {
  target_plan plan;
  plan.table.table = t.table;
  for (const auto& c : t.columns) plan.table.columns.push_back({c.name, c.type.sql});
  plan.table.key = t.key;
  plan.table.version = t.version;
  plan.table.as_is = t.from_table;
  plan.table.unindexed = t.key_unindexed;
  plan.create_table = t.create_table;
  plan_children(plan, t, record_keys);
  plan.writer = std::make_unique<sink::upsert_writer>(
      plan.table, sink::write_limits{t.batch_rows.value_or(mysql.batch_rows), mysql.batch_bytes});
  return plan;
}

// A path as a non-exploded target reads it: there "$.o_id" and "o_id" are the same.
std::string record_path(const std::string& path) { return path.starts_with("$.") ? path.substr(2) : path; }

// The key paths of each non-exploded target of the job: what identifies one source record.
std::vector<std::set<std::string>> record_keys(const config::job_config& job) {
  std::vector<std::set<std::string>> out;
  for (const auto& t : job.targets) {
    if (t.explode) continue;
    std::set<std::string> paths;
    for (const auto& k : t.key)
      if (const auto* c = t.find_column(k)) paths.insert(record_path(c->path));
    out.push_back(std::move(paths));
  }
  return out;
}

// Whether an exploded target keeps each parent's children as the parent's
// latest copy lists them (docs/configuration.md, "Children an order no
// longer has"), and if so what it needs for that. Only when nothing can be
// mistaken: the key columns read from the parent are exactly the key of one
// of the job's non-exploded targets (so they name one source record), the
// key has columns of the element's own, and the version is the parent's.
void plan_children(target_plan& plan, const config::target_config& t,
                   const std::vector<std::set<std::string>>& record_keys) {
  if (!t.explode || !t.version) return;
  const auto* version = t.find_column(*t.version);
  if (version == nullptr) throw std::invalid_argument("table " + t.table + ": version column " + *t.version + " is not a column");
  if (!version->path.starts_with("$.")) return;
  transform::target_spec parent{t.table + " (parent)", std::nullopt, {}};
  std::vector<std::string> parent_key;
  std::set<std::string> parent_paths;
  bool own_key = false;
  for (const auto& k : t.key) {
    const auto* c = t.find_column(k);
    if (c == nullptr) throw std::invalid_argument("table " + t.table + ": key column " + k + " is not a column");
    if (!c->path.starts_with("$.")) {
      own_key = true;
      continue;
    }
    parent_key.push_back(k);
    parent_paths.insert(record_path(c->path));
    // A parent without its key deletes nothing: no default stands in for it.
    auto column = *c;
    column.default_value.reset();
    column.required = true;
    parent.columns.push_back(std::move(column));
  }
  if (!own_key || parent_key.empty() ||
      std::find(record_keys.begin(), record_keys.end(), parent_paths) == record_keys.end())
    return;
  auto v = *version;
  v.default_value.reset();
  v.required = false;  // missing: NULL, and the record deletes nothing
  parent.columns.push_back(std::move(v));
  std::string error;
  plan.explode = transform::json_path::compile(*t.explode, error);
  if (!plan.explode) throw std::invalid_argument("table " + t.table + ": explode path: " + error);
  plan.parent = std::make_unique<transform::mapper>(std::vector<transform::target_spec>{std::move(parent)});
  plan.table.parent_key = std::move(parent_key);
}

}  // namespace

job_plan make_job_plan(const config::job_config& job, const config::source_config& source,
                       const config::mysql_config& mysql) {
  job_plan plan;
  plan.job_id = job.id;
  plan.source = job.source;
  plan.api = job.api;
  plan.list_key = job.list_key;
  plan.page_size = static_cast<std::uint32_t>(job.page_size);
  plan.max_pages = static_cast<std::uint64_t>(job.max_pages);
  plan.max_in_flight = static_cast<std::size_t>(std::max(1, source.max_in_flight));
  plan.request = job.request;
  plan.windows.start = job.window.start;
  plan.windows.stop = job.window.end;
  plan.windows.max_span = whole_seconds(job.window.max_span);
  plan.windows.lag = whole_seconds(job.window.lag);
  plan.windows.lookback = whole_seconds(job.window.lookback);
  plan.full_refresh = job.full_refresh;
  if (plan.full_refresh) {
    // No windows to split or verify: every run reads the whole list again.
    plan.windows.max_span = std::chrono::days{1};
    if (job.targets.size() != 1 || job.targets.front().explode)
      throw std::invalid_argument("job " + job.id + ": a full refresh writes one plain table");
  }
  plan.cursor = job.cursor;
  plan.for_each = job.for_each;
  if (plan.cursor) plan.windows.max_span = std::chrono::days{1};  // no windows: the cursor chooses the rows
  if (plan.windows.max_span <= std::chrono::seconds{0})
    throw std::invalid_argument("job " + job.id + ": window.max_span must be at least 1s");
  plan.dead_letter_max_ratio = job.dead_letter_max_ratio;
  if (job.verify && !plan.full_refresh && !plan.cursor)
    plan.verify_after = std::max(std::chrono::seconds{1}, whole_seconds(job.verify_after));
  std::vector<transform::target_spec> specs;
  const auto keys = record_keys(job);
  for (const auto& t : job.targets) {
    plan.targets.push_back(make_target(t, keys, mysql));
    specs.push_back(t.mapping());
  }
  plan.mapper = std::make_unique<transform::mapper>(std::move(specs));
  plan.filter = transform::record_filter{job.filter};
  plan.flatten = job.flatten;
  plan.needs_binding = needs_binding(job);
  if (job.qeasy) {
    plan.number_field = job.qeasy->number;
    plan.name_field = job.qeasy->name;
    plan.record_id_field = job.qeasy->id;
  }
  for (const auto& t : job.targets) {
    if (!t.key_unindexed) continue;
    repeat_guard g;
    const auto* fallback = t.find_column(t.key.front());
    g.id_field = job.qeasy ? job.qeasy->id : (fallback != nullptr ? fallback->path : t.key.front());
    g.table = t.table;
    g.no_key_error = "table " + t.table + " has no PRIMARY or UNIQUE key of the columns main_sql names, and QEasy's id (" +
                     g.id_field + ") is not one of its keys either, so ferry cannot write it without doubling rows; add "
                     "a key that tells the records apart, e.g. ALTER TABLE " + t.table + " ADD UNIQUE KEY (" +
                     t.key.front() + ", ...)";
    plan.guard = std::move(g);
  }
  for (std::size_t i = 0; i < job.targets.size() && !plan.key_target; ++i) {
    if (job.targets[i].explode) continue;
    plan.key_target = i;
    for (const auto& k : job.targets[i].key) {
      const auto& cols = job.targets[i].columns;
      const auto at = std::find_if(cols.begin(), cols.end(), [&](const auto& c) { return c.name == k; });
      if (at == cols.end()) throw std::invalid_argument("job " + job.id + ": key column " + k + " is not a column");
      plan.key_columns.push_back(static_cast<std::size_t>(at - cols.begin()));
    }
  }
  return plan;
}

}  // namespace ferry::sync
