#include "ferry/sink/table.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace ferry::sink {
namespace {

using mysql::quote_identifier;

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ',';
    out += quote_identifier(name);
  }
  return out;
}

bool is_key(const table_spec& spec, const std::string& name) {
  return std::find(spec.key.begin(), spec.key.end(), name) != spec.key.end();
}

// Text and JSON columns cannot be a key without a prefix length, which would
// make distinct values collide.
void check_key_types(const table_spec& spec) {
  for (const auto& c : spec.columns) {
    if (!is_key(spec, c.name)) continue;
    if (c.sql_type.find("text") != std::string::npos || c.sql_type == "json")
      throw schema_error("table " + spec.table + ": key column " + c.name + " is " + c.sql_type +
                         ", which MySQL cannot index whole; use varchar(N)");
  }
}

std::string base_type(std::string type) {
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  const auto cut = type.find_first_of("( ");
  std::string base = type.substr(0, cut);
  if (base == "integer") base = "int";
  if (base == "numeric") base = "decimal";
  if (base == "bool" || base == "boolean") base = "tinyint";
  return base;
}

std::map<std::string, std::string> existing_columns(mysql::connection& conn, const std::string& table) {
  std::string sql = "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS "
                    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ";
  conn.append_quoted(sql, table);
  std::map<std::string, std::string> columns;
  for (auto& row : conn.query(sql)) columns[row[0].value_or("")] = row[1].value_or("");
  return columns;
}

// Unique indexes (PRIMARY included) as sets of column names.
std::vector<std::pair<std::string, std::set<std::string>>> unique_indexes(mysql::connection& conn,
                                                                         const std::string& table) {
  std::string sql = "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
                    "WHERE TABLE_SCHEMA = DATABASE() AND NON_UNIQUE = 0 AND TABLE_NAME = ";
  conn.append_quoted(sql, table);
  sql += " ORDER BY INDEX_NAME, SEQ_IN_INDEX";
  std::map<std::string, std::set<std::string>> by_name;
  for (auto& row : conn.query(sql)) by_name[row[0].value_or("")].insert(row[1].value_or(""));
  return {by_name.begin(), by_name.end()};
}

void check_key_index(mysql::connection& conn, const table_spec& spec, prepare_result& result) {
  const std::set<std::string> key(spec.key.begin(), spec.key.end());
  bool found = false;
  for (const auto& [name, columns] : unique_indexes(conn, spec.table)) {
    if (columns == key) found = true;
    else
      result.warnings.push_back("table " + spec.table + " has another unique index " + name +
                                "; a row matching it but not the key is updated in place");
  }
  if (!found)
    throw schema_error("table " + spec.table + " has no PRIMARY or UNIQUE key on exactly (" +
                       quoted_list(spec.key) + "), so upserts could double rows; add one with: ALTER TABLE " +
                       quote_identifier(spec.table) + " ADD UNIQUE KEY `ferry_key` (" + quoted_list(spec.key) + ")");
}

// The key with the parent's columns first, so that a parent's children are
// one range of the primary key (the deletes of children look them up so).
std::vector<std::string> key_order(const table_spec& spec) {
  std::vector<std::string> out = spec.parent_key;
  for (const auto& k : spec.key)
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  return out;
}

// Children are found by their parent's key: without an index that starts
// with it, each delete of children a parent no longer lists reads (and
// locks) the whole table.
void check_parent_index(mysql::connection& conn, const table_spec& spec, prepare_result& result) {
  if (spec.parent_key.empty()) return;
  std::string sql = "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
                    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ";
  conn.append_quoted(sql, spec.table);
  sql += " ORDER BY INDEX_NAME, SEQ_IN_INDEX";
  std::map<std::string, std::vector<std::string>> indexes;
  for (auto& row : conn.query(sql)) indexes[row[0].value_or("")].push_back(row[1].value_or(""));
  const std::set<std::string> wanted(spec.parent_key.begin(), spec.parent_key.end());
  for (const auto& [name, columns] : indexes) {
    if (columns.size() < wanted.size()) continue;
    const std::set<std::string> lead(columns.begin(), columns.begin() + static_cast<std::ptrdiff_t>(wanted.size()));
    if (lead == wanted) return;
  }
  result.warnings.push_back("table " + spec.table + " has no index that starts with (" + quoted_list(spec.parent_key) +
                            "), so removing the rows a parent no longer lists reads the whole table; add one with: "
                            "ALTER TABLE " + quote_identifier(spec.table) + " ADD INDEX `ferry_parent` (" +
                            quoted_list(spec.parent_key) + ")");
}

}  // namespace

std::string create_table_sql(const table_spec& spec) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + quote_identifier(spec.table) + " (\n";
  for (const auto& c : spec.columns) {
    sql += "  " + quote_identifier(c.name) + " " + c.sql_type;
    sql += is_key(spec, c.name) ? " NOT NULL,\n" : " NULL,\n";
  }
  sql += "  PRIMARY KEY (" + quoted_list(key_order(spec)) + ")\n";
  // utf8mb4_bin: keys compare byte for byte, as ferry's own key checks do; a
  // case-insensitive collation would merge "AB01" and "ab01" into one row.
  sql += ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
  return sql;
}

table_shape read_table_shape(mysql::connection& conn, const std::string& table) {
  table_shape shape;
  std::string sql = "SELECT COLUMN_NAME, COLUMN_TYPE, EXTRA FROM information_schema.COLUMNS "
                    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ";
  conn.append_quoted(sql, table);
  sql += " ORDER BY ORDINAL_POSITION";
  for (auto& row : conn.query(sql)) {
    shape.columns.emplace_back(row[0].value_or(""), row[1].value_or(""));
    if (row[2].value_or("").find("auto_increment") != std::string::npos) shape.has_auto_increment = true;
  }
  shape.exists = !shape.columns.empty();
  sql = "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
        "WHERE TABLE_SCHEMA = DATABASE() AND NON_UNIQUE = 0 AND TABLE_NAME = ";
  conn.append_quoted(sql, table);
  sql += " ORDER BY INDEX_NAME <> 'PRIMARY', INDEX_NAME, SEQ_IN_INDEX";
  for (auto& row : conn.query(sql)) {
    const auto name = row[0].value_or("");
    if (shape.unique_keys.empty() || shape.unique_keys.back().first != name) shape.unique_keys.push_back({name, {}});
    shape.unique_keys.back().second.push_back(row[1].value_or(""));
  }
  return shape;
}

prepare_result prepare_table(mysql::connection& conn, const table_spec& spec, bool create) {
  check_key_types(spec);
  prepare_result result;
  if (spec.as_is) {
    // sync::bind_tables read this table a moment ago and took its types and key from it.
    if (!spec.unindexed) check_key_index(conn, spec, result);
    return result;
  }
  auto existing = existing_columns(conn, spec.table);
  if (existing.empty()) {
    if (!create)
      throw schema_error("table " + spec.table + " does not exist; set \"create_table\": true or create it: " +
                         create_table_sql(spec));
    conn.execute(create_table_sql(spec));
    result.created = true;
    existing = existing_columns(conn, spec.table);
  }
  std::string alter;
  for (const auto& c : spec.columns) {
    const auto found = existing.find(c.name);
    if (found == existing.end()) {
      alter += alter.empty() ? "ALTER TABLE " + quote_identifier(spec.table) + " " : ", ";
      alter += "ADD COLUMN " + quote_identifier(c.name) + " " + c.sql_type + " NULL";
      result.added_columns.push_back(c.name);
    } else if (base_type(found->second) != base_type(c.sql_type)) {
      result.warnings.push_back("table " + spec.table + " column " + c.name + " is " + found->second +
                                " but the config says " + c.sql_type + "; values are cast by MySQL");
    }
  }
  if (!alter.empty()) conn.execute(alter);
  check_key_index(conn, spec, result);
  check_parent_index(conn, spec, result);
  return result;
}

}  // namespace ferry::sink
