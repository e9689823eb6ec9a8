#include "ferry/transform/mapper.hpp"

#include <stdexcept>

#include "cast_detail.hpp"
#include "ferry/transform/path.hpp"

namespace ferry::transform {
namespace detail {

struct compiled_column {
  json_path path;
  value default_sql;  // the default, already cast; nullopt when there is none
  bool required = false;
};

struct compiled_target {
  std::optional<json_path> explode;
  std::vector<compiled_column> columns;
};

struct mapper_plan {
  std::vector<target_spec> targets;
  std::vector<compiled_target> compiled;
};

}  // namespace detail

namespace {

using nlohmann::json;

json_path compile_path(const target_spec& target, std::string_view what, std::string_view text) {
  std::string error;
  auto path = json_path::compile(text, error);
  if (!path) throw std::invalid_argument(target.table + "." + std::string{what} + ": " + error);
  return std::move(*path);
}

detail::compiled_column compile_column(const target_spec& target, const column_spec& column) {
  detail::compiled_column compiled{compile_path(target, column.name, column.path), std::nullopt, column.required};
  if (column.default_value) {
    auto cast = cast_value(*column.default_value, column.type);
    if (!cast.ok())
      throw std::invalid_argument(target.table + "." + column.name + ": default " + cast.error);
    compiled.default_sql = std::move(cast.sql);
  }
  return compiled;
}

// Where an error was read: the element index makes "items[2].qty" findable
// in the dead-letter record.
std::string error_path(const target_spec& target, const json_path& path, std::optional<std::size_t> element) {
  if (!element || path.from_record()) return path.text();
  auto where = *target.explode + "[" + std::to_string(*element) + "]";
  if (path.text() != "@") where += "." + path.text();
  return where;
}

std::string missing_reason(const json* found) {
  if (found == nullptr) return "required but missing";
  if (found->is_null()) return "required but null";
  return "required but " + detail::describe(*found) + " (empty)";
}

// Fills one row, or returns why it cannot be filled.
std::optional<record_error> map_row(const target_spec& target, const detail::compiled_target& compiled,
                                    const json& element, const json& record, std::optional<std::size_t> index,
                                    row& out) {
  out.values.reserve(compiled.columns.size());
  for (std::size_t c = 0; c < compiled.columns.size(); ++c) {
    const auto& column = compiled.columns[c];
    const json* found = column.path.find(element, record);
    value sql;
    if (found != nullptr && !found->is_null()) {
      auto cast = cast_value(*found, target.columns[c].type);
      if (!cast.ok())
        return record_error{target.table, target.columns[c].name, error_path(target, column.path, index),
                            std::move(cast.error)};
      sql = std::move(cast.sql);
    }
    if (!sql) {
      // Missing, null, or "" read as NULL: the default stands in, and a
      // required column without one fails the record.
      if (column.default_sql) sql = column.default_sql;
      else if (column.required)
        return record_error{target.table, target.columns[c].name, error_path(target, column.path, index),
                            missing_reason(found)};
    }
    out.bytes += sql ? sql->size() : 0;
    out.values.push_back(std::move(sql));
  }
  return std::nullopt;
}

std::optional<record_error> map_target(const target_spec& target, const detail::compiled_target& compiled,
                                       const json& record, std::vector<row>& out) {
  if (!compiled.explode) {
    out.emplace_back();
    return map_row(target, compiled, record, record, std::nullopt, out.back());
  }
  const json* elements = compiled.explode->find(record, record);
  if (elements == nullptr || elements->is_null()) return std::nullopt;
  if (!elements->is_array())
    return record_error{target.table, {}, *target.explode,
                        detail::describe(*elements) + " cannot be exploded; explode needs an array"};
  out.reserve(out.size() + elements->size());
  for (std::size_t i = 0; i < elements->size(); ++i) {
    out.emplace_back();
    if (auto error = map_row(target, compiled, (*elements)[i], record, i, out.back())) return error;
  }
  return std::nullopt;
}

}  // namespace

std::string record_error::to_string() const {
  std::string out = table;
  if (!column.empty()) out += "." + column;
  out += " (" + path + "): " + reason;
  return out;
}

mapper::mapper(std::vector<target_spec> targets) {
  auto plan = std::make_shared<detail::mapper_plan>();
  plan->compiled.reserve(targets.size());
  for (const auto& target : targets) {
    detail::compiled_target compiled;
    if (target.explode) compiled.explode = compile_path(target, "explode", *target.explode);
    compiled.columns.reserve(target.columns.size());
    for (const auto& column : target.columns) compiled.columns.push_back(compile_column(target, column));
    plan->compiled.push_back(std::move(compiled));
  }
  plan->targets = std::move(targets);
  plan_ = std::move(plan);
}

std::optional<record_error> mapper::map(const json& record, std::vector<std::vector<row>>& out) const {
  const auto& targets = plan_->targets;
  if (out.size() < targets.size()) out.resize(targets.size());
  std::vector<std::size_t> marks(targets.size());
  for (std::size_t t = 0; t < targets.size(); ++t) {
    marks[t] = out[t].size();
    if (auto error = map_target(targets[t], plan_->compiled[t], record, out[t])) {
      // All or nothing: drop what this record added to earlier targets and this one.
      for (std::size_t done = 0; done <= t; ++done) out[done].resize(marks[done]);
      return error;
    }
  }
  return std::nullopt;
}

const std::vector<target_spec>& mapper::targets() const noexcept { return plan_->targets; }

}  // namespace ferry::transform
