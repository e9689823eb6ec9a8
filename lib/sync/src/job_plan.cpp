#include "ferry/sync/job_plan.hpp"

#include "ferry/config/config.hpp"

#include <algorithm>
#include <stdexcept>

namespace ferry::sync {
namespace {

std::chrono::seconds whole_seconds(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d);
}

target_plan make_target(const config::target_config& t, const config::mysql_config& mysql) {
  target_plan plan;
  plan.table.table = t.table;
  for (const auto& c : t.columns) plan.table.columns.push_back({c.name, c.type.sql});
  plan.table.key = t.key;
  plan.table.version = t.version;
  plan.create_table = t.create_table;
  // An exploded target keeps each parent's children as the parent's latest
  // copy lists them, when its key tells the parent apart (some key columns
  // read the parent, some the element) and its version is the parent's.
  const auto reads_parent = [](const config::column_config& c) { return c.path.starts_with("$."); };
  if (t.explode) {
    transform::target_spec parent{t.table + " (parent)", std::nullopt, {}};
    bool own_key = false;
    for (const auto& k : t.key) {
      const auto* c = t.find_column(k);
      if (c == nullptr) throw std::invalid_argument("table " + t.table + ": key column " + k + " is not a column");
      if (!reads_parent(*c)) {
        own_key = true;
        continue;
      }
      plan.table.parent_key.push_back(k);
      auto column = *c;
      column.required = !column.default_value;
      parent.columns.push_back(std::move(column));
    }
    const auto* version = t.version ? t.find_column(*t.version) : nullptr;
    const bool parent_version = version == nullptr || reads_parent(*version);
    if (!own_key || !parent_version || plan.table.parent_key.empty()) {
      plan.table.parent_key.clear();
    } else {
      if (version != nullptr) parent.columns.push_back(*version);
      plan.parent = std::make_unique<transform::mapper>(std::vector<transform::target_spec>{std::move(parent)});
    }
  }
  plan.writer = std::make_unique<sink::upsert_writer>(plan.table, sink::write_limits{mysql.batch_rows, mysql.batch_bytes});
  return plan;
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
  if (plan.windows.max_span <= std::chrono::seconds{0})
    throw std::invalid_argument("job " + job.id + ": window.max_span must be at least 1s");
  plan.dead_letter_max_ratio = job.dead_letter_max_ratio;
  std::vector<transform::target_spec> specs;
  for (const auto& t : job.targets) {
    plan.targets.push_back(make_target(t, mysql));
    specs.push_back(t.mapping());
  }
  plan.mapper = std::make_unique<transform::mapper>(std::move(specs));
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
