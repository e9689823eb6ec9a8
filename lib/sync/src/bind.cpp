// Binding a from_table target (a QEasy batchexecute target) to the table it
// writes: the columns' types and the key come from MySQL's own definition,
// read when the job first runs.
#include "ferry/sync/job_plan.hpp"

#include "ferry/config/config.hpp"
#include "ferry/sink/table.hpp"

#include <algorithm>
#include <regex>
#include <stdexcept>

namespace ferry::sync {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// MySQL's COLUMN_TYPE as ferry's casts read it: integer display widths
// ("bigint(20)") dropped. A type ferry does not check (enum, float, time,
// binary, ...) goes as text, and MySQL casts it as QEasy's statements had it.
transform::sql_type column_type(const std::string& column_type, std::string& note) {
  static const std::regex width{R"(^(tinyint|smallint|mediumint|int|bigint)\(\d+\)(.*)$)", std::regex::icase};
  std::string text = std::regex_replace(column_type, width, "$1$2");
  std::string error;
  if (auto t = transform::parse_sql_type(text, error)) return *t;
  note = column_type + " is not a type ferry checks (" + error + "): its values go as text and MySQL casts them";
  return *transform::parse_sql_type("longtext", error);
}

}  // namespace

bound_job bind_tables(const config::job_config& job, mysql::connection& conn) {
  bound_job out{job, {}};
  for (auto& t : out.job.targets) {
    if (!t.from_table) continue;
    const auto shape = sink::read_table_shape(conn, t.table);
    if (!shape.exists)
      throw std::invalid_argument("table " + t.table + " does not exist; create it first, as QEasy's batchexecute "
                                  "needed it, with a PRIMARY KEY that tells the records apart");
    std::vector<std::string> missing;
    for (auto& c : t.columns) {
      const auto found = std::find_if(shape.columns.begin(), shape.columns.end(),
                                      [&](const auto& col) { return col.first == c.name; });
      if (found == shape.columns.end()) {
        missing.push_back(c.name);
        continue;
      }
      std::string note;
      c.type = column_type(found->second, note);
      if (!note.empty()) out.notes.push_back("table " + t.table + " column " + c.name + ": " + note);
    }
    if (!missing.empty())
      throw std::invalid_argument("table " + t.table + " has no column " + joined(missing) +
                                  " that main_sql names; add it or take it out of main_sql and request");
    std::vector<std::string> names;
    for (const auto& c : t.columns) names.push_back(c.name);
    const auto covered = [&](const std::vector<std::string>& key) {
      return std::all_of(key.begin(), key.end(),
                         [&](const std::string& k) { return std::find(names.begin(), names.end(), k) != names.end(); });
    };
    const auto key = std::find_if(shape.unique_keys.begin(), shape.unique_keys.end(),
                                  [&](const auto& k) { return covered(k.second); });
    if (key != shape.unique_keys.end()) {
      t.key = key->second;
      out.notes.push_back("table " + t.table + ": rows are keyed by its " +
                          (key->first == "PRIMARY" ? std::string{"PRIMARY KEY"} : "UNIQUE KEY " + key->first) + " (" +
                          joined(t.key) + ")");
    } else if (!t.key.empty()) {
      t.key_unindexed = true;  // QEasy's id; the run stops before writing and says why
    } else {
      throw std::invalid_argument("table " + t.table + " has no PRIMARY or UNIQUE key of the columns main_sql names" +
                                  std::string{shape.has_auto_increment ? " (an AUTO_INCREMENT id is not a record's key)" : ""} +
                                  ", so ferry cannot write it without doubling rows; add one that tells the records "
                                  "apart, e.g. ALTER TABLE " + t.table + " ADD UNIQUE KEY (...)");
    }
    if (t.version) {
      const auto* v = t.find_column(*t.version);
      if (v == nullptr || (v->type.cast != transform::cast_kind::datetime && v->type.cast != transform::cast_kind::integer))
        throw std::invalid_argument("table " + t.table + " column " + *t.version + " is " + (v ? v->type.sql : "missing") +
                                    ": a version holds the record's modification time, a datetime or integer column");
      if (std::find(t.key.begin(), t.key.end(), *t.version) != t.key.end())
        throw std::invalid_argument("table " + t.table + ": version column " + *t.version + " is part of the key");
    }
  }
  return out;
}

bool needs_binding(const config::job_config& job) {
  return std::any_of(job.targets.begin(), job.targets.end(), [](const config::target_config& t) {
    return t.from_table && std::any_of(t.columns.begin(), t.columns.end(), [](const auto& c) { return c.type.sql.empty(); });
  });
}

std::optional<range> catch_up_range(const config::job_config& job, sys_seconds now) {
  if (!job.catch_up) return std::nullopt;
  range r{now - std::chrono::days{job.catch_up->from_days}, now - std::chrono::days{job.catch_up->to_days}};
  r.start = std::max(r.start, job.window.start);
  if (job.window.end) r.end = std::min(r.end, *job.window.end);
  if (r.end <= r.start) return std::nullopt;
  return r;
}

}  // namespace ferry::sync
