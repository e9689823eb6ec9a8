#include "sections.hpp"

#include "ferry/transform/cast.hpp"
#include "ferry/transform/path.hpp"

#include <algorithm>
#include <array>

namespace ferry::config::detail {
namespace {

using transform::cast_kind;

constexpr std::array<std::string_view, 8> target_keys{"table",   "key",     "create_table", "explode",
                                                      "version", "columns", "from_table",   "batch_rows"};
constexpr std::array<std::string_view, 4> column_keys{"path", "type", "default", "required"};
constexpr std::string_view identifier_hint = "letters, digits and '_', not starting with a digit, at most 64";
constexpr std::string_view path_hint =
    "names joined by '.', [N] for an array element, e.g. \"items[0].sku_id\"; \"$.name\" reads the parent "
    "record";

bool valid_path(const object_reader& r, std::string_view key, const std::string& text) {
  std::string error;
  if (transform::json_path::compile(text, error)) return true;
  r.report(key, json_quoted(text) + " is not a record path: " + error, std::string{path_hint});
  return false;
}

// Reads "default", cast as the mapper will cast it, when the type itself is valid.
void read_default(const object_reader& r, column_config& column, bool typed) {
  const auto* fallback = r.find("default");
  if (fallback == nullptr) return;
  if (fallback->is_null()) {
    r.report("default", "null is not a default", "leave \"default\" out: a missing value is NULL already");
    return;
  }
  const nlohmann::json plain = *fallback;  // the mapper works on unordered JSON
  const auto cast = typed ? transform::cast_value(plain, column.type) : transform::cast_result{};
  if (!cast.ok())
    r.report("default", cast.error, "a default is cast like any other value of the column (" + column.type.sql + ")");
  else
    column.default_value = plain;
}

bool read_type(const object_reader& r, column_config& column) {
  const auto text = r.string("type", "the SQL type, e.g. \"varchar(64)\", \"bigint\", \"decimal(18,4)\"");
  if (!text) return false;
  std::string error;
  auto type = transform::parse_sql_type(*text, error);
  if (!type) {
    r.report("type", json_quoted(*text) + " is not a column type: " + error);
    return false;
  }
  column.type = std::move(*type);
  return true;
}

column_config read_column(const std::string& name, const json& value, const location& where,
                          const load_context& ctx, bool from_table) {
  const object_reader r{value, where, ctx.diag, column_keys};
  column_config column;
  column.name = name;
  if (!is_sql_identifier(name))
    ctx.diag.add(where, json_quoted(name) + " is not a valid column name", std::string{identifier_hint});
  if (!r.is_object()) return column;
  column.path = name;
  if (const auto path = r.string("path"); path && valid_path(r, "path", *path)) column.path = *path;
  if (from_table) {
    for (const auto key : {"type", "default", "required"})
      if (r.find(key) != nullptr)
        r.report(key, "set by the table", "with \"from_table\" the table's own definition says it; remove it");
    return column;
  }
  const bool typed = read_type(r, column);
  read_default(r, column, typed);
  assign(column.required, r.boolean("required"));
  if (column.required && column.default_value)
    r.report("required", "a required column cannot have a default",
             "drop one of \"required\" and \"default\"");
  return column;
}

std::vector<column_config> read_columns(const object_reader& r, const load_context& ctx, bool from_table) {
  std::vector<column_config> columns;
  const json* value = r.find("columns");
  if (value == nullptr || !value->is_object() || value->empty()) {
    r.report("columns",
             value == nullptr     ? "required"
             : value->is_object() ? "empty"
                                  : "expected an object, got " + kind_name(*value),
             R"~(name each column, e.g. {"sku_sn": {"path": "sku_sn", "type": "varchar(64)"}})~");
    return columns;
  }
  const auto where = r.at("columns");
  std::size_t index = 0;
  for (const auto& [name, body] : value->items())
    columns.push_back(read_column(name, body, where.member(name, index++), ctx, from_table));
  return columns;
}

std::string column_names(const std::vector<column_config>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

std::vector<std::string> read_key(const object_reader& r, const std::vector<column_config>& columns, bool from_table) {
  std::vector<std::string> key;
  const json* value = r.find("key");
  if (value == nullptr && from_table) return key;
  if (value == nullptr || !value->is_array() || value->empty()) {
    r.report("key",
             value == nullptr    ? "required"
             : value->is_array() ? "empty"
                                 : "expected an array, got " + kind_name(*value),
             R"(the columns that identify a row, e.g. ["sku_sn","io_id"])");
    return key;
  }
  const auto where = r.at("key");
  for (std::size_t i = 0; i < value->size(); ++i) {
    const json& name = (*value)[i];
    if (!name.is_string()) {
      r.diag().add(where.element(i), "expected a column name, got " + kind_name(name));
    } else if (std::find(key.begin(), key.end(), name.get<std::string>()) != key.end()) {
      r.diag().add(where.element(i), "duplicate key column " + name.dump(), "list each column once");
    } else {
      const auto column = std::find_if(columns.begin(), columns.end(),
                                       [&](const column_config& c) { return c.name == name.get<std::string>(); });
      if (!columns.empty() && column == columns.end())
        r.diag().add(where.element(i), name.dump() + " is not a column of this target",
                     "columns: " + column_names(columns));
      else if (column != columns.end() && column->type.max_bytes)
        // MySQL indexes text and json columns only by a prefix, so distinct keys could collide.
        r.diag().add(where.element(i), name.dump() + " is a " + column->type.sql + " column, which MySQL cannot index whole",
                     "give a key column a type such as varchar(N) or bigint");
      key.push_back(name.get<std::string>());
    }
  }
  return key;
}

std::optional<std::string> read_version(const object_reader& r, const target_config& target) {
  const auto name = r.string("version");
  if (!name) return std::nullopt;
  const auto* column = target.find_column(*name);
  if (column == nullptr) {
    if (!target.columns.empty())
      r.report("version", json_quoted(*name) + " is not a column of this target",
               "columns: " + column_names(target.columns));
  } else if (column->type.sql.empty()) {
    // The column's type is wrong and reported there; nothing to say of it here.
  } else if (column->type.cast != cast_kind::datetime && column->type.cast != cast_kind::integer) {
    r.report("version", json_quoted(*name) + " is a " + column->type.sql + " column",
             "the version column holds the source's modification time: a datetime or integer column");
  } else if (std::find(target.key.begin(), target.key.end(), *name) != target.key.end()) {
    r.report("version", json_quoted(*name) + " is part of the key",
             "a row's version changes; its key must not");
  }
  return name;
}

target_config read_target(const json& value, const location& where, const load_context& ctx) {
  const object_reader r{value, where, ctx.diag, target_keys};
  target_config target;
  if (!r.is_object()) return target;
  if (const auto table = r.string("table", "the MySQL table to write, e.g. \"bi_orders\"")) {
    if (!is_sql_identifier(*table))
      r.report("table", json_quoted(*table) + " is not a valid table name", std::string{identifier_hint});
    target.table = *table;
  }
  assign(target.from_table, r.boolean("from_table"));
  target.columns = read_columns(r, ctx, target.from_table);
  target.key = read_key(r, target.columns, target.from_table);
  assign(target.create_table, r.boolean("create_table"));
  if (target.from_table && target.create_table)
    r.report("create_table", "a from_table target writes an existing table", "remove \"create_table\" or \"from_table\"");
  if (const auto rows = r.integer("batch_rows", 1, 100000)) target.batch_rows = static_cast<std::size_t>(*rows);
  if (const auto explode = r.string("explode")) {
    if (explode->starts_with("$") || *explode == "@")
      r.report("explode", json_quoted(*explode) + " is not inside the record",
               "an explode path names an array in the record, e.g. \"items\"");
    else if (valid_path(r, "explode", *explode))
      target.explode = *explode;
  }
  target.version = read_version(r, target);
  return target;
}

}  // namespace

std::vector<target_config> read_targets(const json& value, const location& where, const load_context& ctx) {
  std::vector<target_config> targets;
  if (!value.is_array() || value.empty()) {
    ctx.diag.add(where, value.is_array() ? "empty" : "expected an array, got " + kind_name(value),
                 R"(at least one table, e.g. [{"table": "bi_orders", "key": ["o_id"], "columns": {...}}])");
    return targets;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto target = read_target(value[i], where.element(i), ctx);
    const auto same = std::find_if(targets.begin(), targets.end(),
                                   [&](const target_config& t) { return t.table == target.table; });
    if (!target.table.empty() && same != targets.end())
      ctx.diag.add(key_location(value[i], where.element(i), "table"),
                   "duplicate table " + json_quoted(target.table),
                   "already written by targets[" + std::to_string(same - targets.begin()) + "]");
    targets.push_back(std::move(target));
  }
  return targets;
}

}  // namespace ferry::config::detail
