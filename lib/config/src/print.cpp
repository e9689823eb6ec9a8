// A job as ferry's own config spells it: what `ferryd --print-job` shows,
// for a job given as a QEasy pair above all. Loading the printed job gives
// the same job back.
#include "ferry/config/config.hpp"

#include "ferry/core/time.hpp"

namespace ferry::config {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json schedule_json(const schedule_config& s) {
  ordered_json out = ordered_json::object();
  if (s.cron) {
    out["cron"] = *s.cron;
    out["tz"] = s.tz;
  } else {
    out["every"] = core::format_duration(s.every.value_or(std::chrono::minutes{5}));
  }
  if (s.jitter.count() > 0) out["jitter"] = core::format_duration(s.jitter);
  return out;
}

ordered_json request_json(const templating::request_template& request) {
  ordered_json out = ordered_json::object();
  for (const auto& f : request.fields()) {
    if (const auto* c = std::get_if<templating::compiled_value>(&f.value)) out[f.name] = c->text();
    else out[f.name] = std::get<ordered_json>(f.value);
  }
  return out;
}

ordered_json target_json(const target_config& t) {
  ordered_json out = ordered_json::object();
  out["table"] = t.table;
  if (!t.key.empty()) out["key"] = t.key;
  if (t.from_table) out["from_table"] = true;
  if (t.create_table) out["create_table"] = true;
  if (t.explode) out["explode"] = *t.explode;
  if (t.version) out["version"] = *t.version;
  if (t.batch_rows) out["batch_rows"] = *t.batch_rows;
  ordered_json columns = ordered_json::object();
  for (const auto& c : t.columns) {
    ordered_json column = ordered_json::object();
    column["path"] = c.path;
    if (!t.from_table) {
      column["type"] = c.type.sql;
      if (c.default_value) column["default"] = ordered_json::parse(c.default_value->dump());
      if (c.required) column["required"] = true;
    }
    columns[c.name] = std::move(column);
  }
  out["columns"] = std::move(columns);
  return out;
}

}  // namespace

nlohmann::ordered_json to_json(const job_config& job) {
  ordered_json out = ordered_json::object();
  out["id"] = job.id;
  out["source"] = job.source;
  out["api"] = job.api;
  out["list_key"] = job.list_key;
  out["page_size"] = job.page_size;
  out["max_pages"] = job.max_pages;
  out["request"] = request_json(job.request);
  if (job.full_refresh) {
    out["full_refresh"] = {{"allow_empty", job.full_refresh->allow_empty}, {"min_ratio", job.full_refresh->min_ratio}};
    if (!job.full_refresh->mark.empty()) out["full_refresh"]["mark"] = job.full_refresh->mark;
  } else if (job.cursor) {
    ordered_json cursor = ordered_json::object();
    cursor["field"] = job.cursor->field;
    cursor["row_field"] = job.cursor->row_field;
    cursor["start"] = job.cursor->start;
    cursor["count"] = job.cursor->count;
    out["cursor"] = std::move(cursor);
  } else {
    ordered_json window = ordered_json::object();
    window["start"] = core::format_shanghai_datetime(job.window.start);
    window["max_span"] = core::format_duration(job.window.max_span);
    window["lag"] = core::format_duration(job.window.lag);
    window["lookback"] = core::format_duration(job.window.lookback);
    if (job.window.end) window["end"] = core::format_shanghai_datetime(*job.window.end);
    out["window"] = std::move(window);
  }
  if (job.for_each) {
    ordered_json each = ordered_json::object();
    each["field"] = job.for_each->field;
    if (!job.for_each->values.empty()) each["values"] = job.for_each->values;
    else each["from"] = {{"table", job.for_each->table}, {"column", job.for_each->column}};
    if (!job.for_each->after.empty()) each["after"] = job.for_each->after;
    out["for_each"] = std::move(each);
  }
  out["schedule"] = schedule_json(job.schedule);
  out["dead_letter_max_ratio"] = job.dead_letter_max_ratio;
  out["enabled"] = job.enabled;
  out["verify"] = job.verify;
  out["verify_after"] = core::format_duration(job.verify_after);
  if (!job.filter.empty()) {
    ordered_json groups = ordered_json::array();
    for (const auto& group : job.filter) {
      ordered_json tests = ordered_json::array();
      for (const auto& t : group) {
        ordered_json test = ordered_json::object();
        test["field"] = t.field;
        test["logic"] = std::string{transform::to_string(t.logic)};
        if (!t.value.is_null()) test["value"] = ordered_json::parse(t.value.dump());
        if (t.strict) test["strict"] = true;
        tests.push_back(std::move(test));
      }
      groups.push_back(std::move(tests));
    }
    out["filter"] = std::move(groups);
  }
  if (!job.flatten.empty()) out["flatten"] = job.flatten;
  if (job.catch_up) {
    ordered_json c = ordered_json::object();
    c["schedule"] = schedule_json(job.catch_up->schedule);
    c["from"] = "{{DAYS_AGO_" + std::to_string(job.catch_up->from_days) + "|datetime}}";
    c["to"] = "{{DAYS_AGO_" + std::to_string(job.catch_up->to_days) + "|datetime}}";
    out["catch_up"] = std::move(c);
  }
  ordered_json targets = ordered_json::array();
  for (const auto& t : job.targets) targets.push_back(target_json(t));
  out["targets"] = std::move(targets);
  return out;
}

}  // namespace ferry::config
