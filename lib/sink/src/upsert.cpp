#include "ferry/sink/upsert.hpp"

#include "ferry/sink/table.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace ferry::sink {
namespace {

using mysql::quote_identifier;

// Escaping can double a value, plus quotes and a comma each.
std::size_t worst_case_bytes(std::span<const mysql::cell> values) {
  std::size_t bytes = 3;
  for (const auto& v : values) bytes += v ? v->size() * 2 + 3 : 5;
  return bytes;
}

// Bytes a row adds to a bulk execution: its values plus a length prefix and
// an indicator byte each.
std::size_t bulk_bytes(std::span<const mysql::cell> values) {
  std::size_t bytes = 0;
  for (const auto& v : values) bytes += v ? v->size() + 10 : 1;
  return bytes;
}

std::string assignment(const std::string& column, const std::optional<std::string>& version) {
  const auto c = quote_identifier(column);
  if (!version) return c + "=VALUES(" + c + ")";
  const auto v = quote_identifier(*version);
  return c + "=IF(VALUES(" + v + ") >= " + v + " OR " + v + " IS NULL, VALUES(" + c + "), " + c + ")";
}

}  // namespace

void batch::add(std::span<const mysql::cell> values) {
  const auto width = rows_ == 0 ? values.size() : width_;
  if (values.size() != width) throw std::logic_error("sink: a row has the wrong number of values");
  const auto row_bytes = worst_case_bytes(values);
  const auto first = rows_ * width;
  // Cells past the last row are not the batch's: a throw while they are
  // grown or written leaves the batch as it was.
  if (cells_.size() < first + width) cells_.resize(first + width);
  for (std::size_t i = 0; i < width; ++i) cells_[first + i] = values[i];
  width_ = width;
  bytes_ += row_bytes;
  ++rows_;
}

void batch::add_family(std::vector<mysql::cell> parent, mysql::cell version, std::size_t rows) {
  if (rows > rows_) throw std::logic_error("sink: a family has more rows than its batch");
  bytes_ += worst_case_bytes(parent) + (version ? version->size() * 2 + 3 : 0);
  families_.push_back({std::move(parent), std::move(version), rows_ - rows, rows});
}

void batch::clear() {
  cells_.clear();  // the strings go (a kept one costs memory in every job); the array's capacity stays
  rows_ = 0;
  families_.clear();
  bytes_ = 0;
}

upsert_writer::upsert_writer(table_spec spec, write_limits limits)
    : spec_(std::move(spec)), limits_(limits), max_bytes_(limits.max_bytes) {
  head_ = "INSERT INTO " + quote_identifier(spec_.table) + " (";
  for (std::size_t i = 0; i < spec_.columns.size(); ++i) {
    if (i > 0) head_ += ',';
    head_ += quote_identifier(spec_.columns[i].name);
  }
  head_ += ") VALUES ";
  std::string updates;
  const auto is_key = [&](const std::string& name) {
    return std::find(spec_.key.begin(), spec_.key.end(), name) != spec_.key.end();
  };
  for (const auto& c : spec_.columns) {
    if (is_key(c.name) || (spec_.version && c.name == *spec_.version)) continue;
    updates += updates.empty() ? "" : ",";
    updates += assignment(c.name, spec_.version);
  }
  // MySQL applies assignments left to right: the version column goes last so
  // the guards above still compare against the stored version.
  if (spec_.version) updates += (updates.empty() ? "" : ",") + assignment(*spec_.version, spec_.version);
  if (updates.empty()) updates = quote_identifier(spec_.key.front()) + "=" + quote_identifier(spec_.key.front());
  tail_ = " ON DUPLICATE KEY UPDATE " + updates;
  bulk_sql_ = head_ + "(";
  for (std::size_t i = 0; i < spec_.columns.size(); ++i) bulk_sql_ += i > 0 ? ",?" : "?";
  bulk_sql_ += ")" + tail_;
  if (spec_.parent_key.empty()) return;
  for (const auto& p : spec_.parent_key) {
    if (!is_key(p))
      throw std::invalid_argument("sink: parent key column " + p + " of " + spec_.table + " is not a key column");
    parent_names_.push_back(quote_identifier(p));
  }
  for (std::size_t i = 0; i < spec_.columns.size(); ++i) {
    const auto& name = spec_.columns[i].name;
    if (!is_key(name) ||
        std::find(spec_.parent_key.begin(), spec_.parent_key.end(), name) != spec_.parent_key.end())
      continue;
    child_key_at_.push_back(i);
    child_names_.push_back(quote_identifier(name));
  }
  if (child_names_.empty())
    throw std::invalid_argument("sink: the key of " + spec_.table + " has no column of its own beside the parent's");
  // Without a version two copies of a parent cannot be put in order, and
  // deleting for both would keep only the children they share.
  if (!spec_.version) throw std::invalid_argument("sink: " + spec_.table + " has a parent key but no version column");
  version_name_ = quote_identifier(*spec_.version);
}

mysql::upsert_counts upsert_writer::write(mysql::connection& conn, const batch& rows) const {
  mysql::upsert_counts total;
  // No key of the table backs this one: an upsert would only append (the run says why first).
  if (spec_.unindexed && !rows.empty())
    throw schema_error("table " + spec_.table + " has no PRIMARY or UNIQUE key on the rows' key; nothing is written");
  const bool bulk = conn.bulk_arrays();
  const std::size_t packet = static_cast<std::size_t>(conn.max_allowed_packet());
  const std::size_t budget = std::min(max_bytes_.load(), packet > 8192 ? packet - 4096 : packet / 2);
  const auto all = rows.rows();
  std::size_t first = 0;
  while (first < all) {
    std::size_t count = 0, bytes = bulk ? bulk_sql_.size() : head_.size() + tail_.size();
    while (first + count < all && count < limits_.max_rows) {
      const auto row = rows.row(first + count);
      const auto row_bytes = bulk ? bulk_bytes(row) : worst_case_bytes(row);
      if (count > 0 && bytes + row_bytes > budget) break;
      bytes += row_bytes;
      ++count;
    }
    const auto counts = bulk ? write_bulk(conn, rows, first, count) : write_range(conn, rows, first, count);
    total.inserted += counts.inserted;
    total.updated += counts.updated;
    total.unchanged += counts.unchanged;
    first += count;
  }
  if (!parent_names_.empty()) total.deleted = prune(conn, rows, budget);
  return total;
}

namespace {

// "`a`" or "(`a`,`b`)".
std::string tuple_of(const std::vector<std::string>& names) {
  if (names.size() == 1) return names.front();
  std::string out = "(";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i > 0 ? "," : "") + names[i];
  return out + ")";
}

void append_tuple(mysql::connection& conn, std::string& sql, const std::vector<const mysql::cell*>& values) {
  if (values.size() > 1) sql += '(';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) sql += ',';
    conn.append_value(sql, *values[i]);
  }
  if (values.size() > 1) sql += ')';
}

}  // namespace

// "(`o_id`=9001 AND `oi_id` NOT IN (1,2) AND (`modified`<='...' OR `modified` IS NULL))", or
// empty when the family cannot be told apart safely (a NULL parent key or
// version). A list of children longer than `budget` gives way to
// "(`o_id`=9001 AND `modified`<'...')": only children of older copies go.
std::string upsert_writer::family_condition(mysql::connection& conn, const batch& rows, const family& f,
                                            std::size_t budget) const {
  if (f.parent.size() != parent_names_.size()) throw std::logic_error("sink: a family has the wrong parent key");
  if (!f.version) return {};
  std::string out = "(";
  for (std::size_t i = 0; i < f.parent.size(); ++i) {
    if (!f.parent[i]) return {};
    out += (i > 0 ? " AND " : "") + parent_names_[i] + "=";
    conn.append_value(out, f.parent[i]);
  }
  const auto parent_part = out.size();
  if (f.rows > 0) {
    out += " AND " + tuple_of(child_names_) + " NOT IN (";
    std::vector<const mysql::cell*> key(child_key_at_.size());
    for (std::size_t r = f.first_row; r < f.first_row + f.rows; ++r) {
      const auto row = rows.row(r);
      for (std::size_t k = 0; k < child_key_at_.size(); ++k) key[k] = &row[child_key_at_[k]];
      if (r > f.first_row) out += ',';
      append_tuple(conn, out, key);
    }
    out += ')';
  }
  out += " AND (" + version_name_ + "<=";
  conn.append_value(out, f.version);
  out += " OR " + version_name_ + " IS NULL))";
  if (out.size() + 64 <= budget) return out;
  out.resize(parent_part);
  out += " AND " + version_name_ + "<";
  conn.append_value(out, f.version);
  return out + ")";
}

namespace {

// "(`a`,`b`) NOT IN ((1,2),(3,4))" or "... IN ...".
std::string key_list_condition(mysql::connection& conn, const std::vector<std::string>& key,
                               const std::vector<std::vector<mysql::cell>>& keys, bool in) {
  std::string sql = "(";
  for (std::size_t i = 0; i < key.size(); ++i) sql += (i > 0 ? "," : "") + quote_identifier(key[i]);
  sql += in ? ") IN (" : ") NOT IN (";
  for (std::size_t r = 0; r < keys.size(); ++r) {
    sql += r > 0 ? ",(" : "(";
    for (std::size_t i = 0; i < keys[r].size(); ++i) {
      if (i > 0) sql += ',';
      // A NULL makes NOT IN unknown for every row: nothing is deleted, never too much.
      if (keys[r][i]) conn.append_quoted(sql, *keys[r][i]);
      else sql += "NULL";
    }
    sql += ')';
  }
  return sql + ')';
}

}  // namespace

std::uint64_t upsert_writer::delete_missing(mysql::connection& conn,
                                            const std::vector<std::vector<mysql::cell>>& keys) const {
  std::string sql = "DELETE FROM " + quote_identifier(spec_.table);
  if (keys.empty()) return conn.execute(sql);
  return conn.execute(sql + " WHERE " + key_list_condition(conn, spec_.key, keys, false));
}

std::uint64_t upsert_writer::mark_missing(mysql::connection& conn, const std::vector<std::vector<mysql::cell>>& keys,
                                          const std::string& column, const std::string& at) const {
  const auto table = quote_identifier(spec_.table);
  const auto mark = quote_identifier(column);
  std::string when;
  conn.append_quoted(when, at);
  std::string sql = "UPDATE " + table + " SET " + mark + " = " + when + " WHERE " + mark + " IS NULL";
  if (keys.empty()) return conn.execute(sql);
  const auto marked = conn.execute(sql + " AND " + key_list_condition(conn, spec_.key, keys, false));
  unmark_listed(conn, keys, column);
  return marked;
}

void upsert_writer::unmark_listed(mysql::connection& conn, const std::vector<std::vector<mysql::cell>>& keys,
                                  const std::string& column) const {
  if (keys.empty()) return;
  const auto mark = quote_identifier(column);
  conn.execute("UPDATE " + quote_identifier(spec_.table) + " SET " + mark + " = NULL WHERE " + mark +
               " IS NOT NULL AND " + key_list_condition(conn, spec_.key, keys, true));
}

std::uint64_t upsert_writer::prune(mysql::connection& conn, const batch& rows, std::size_t budget) const {
  std::uint64_t deleted = 0;
  const std::string table = quote_identifier(spec_.table);
  // A parent met more than once in the batch (a re-fetch, a copy moved by an
  // edit while paging) counts by its last copy, as the upserts do; children
  // only an older copy listed are older than the parent's newest child and
  // go in step 2.
  const auto& all = rows.families();
  std::vector<const family*> last;
  {
    std::set<std::vector<mysql::cell>> seen;
    for (auto f = all.rbegin(); f != all.rend(); ++f)
      if (seen.insert(f->parent).second) last.push_back(&*f);
    std::reverse(last.begin(), last.end());
  }
  // 1. Each parent's children that its copy in this batch does not list.
  const std::string head = "DELETE FROM " + table + " WHERE ";
  std::string sql;
  for (const auto* f : last) {
    const auto condition = family_condition(conn, rows, *f, budget - head.size());
    if (condition.empty()) continue;
    if (!sql.empty() && sql.size() + condition.size() + 4 > budget) {
      deleted += conn.execute(sql);
      sql.clear();
    }
    sql += sql.empty() ? head : " OR ";
    sql += condition;
  }
  if (!sql.empty()) deleted += conn.execute(sql);

  // 2. Children older than their parent's newest child: written by an older
  // copy of the parent that came after a newer one (every child of a copy
  // carries the copy's version).
  const auto parents = tuple_of(parent_names_);
  std::string group, join;
  for (std::size_t i = 0; i < parent_names_.size(); ++i) {
    group += (i > 0 ? "," : "") + parent_names_[i];
    join += (i > 0 ? " AND " : "") + std::string{"`c`."} + parent_names_[i] + "=`n`." + parent_names_[i];
  }
  const std::string open = "DELETE `c` FROM " + table + " AS `c` JOIN (SELECT " + group + ",MAX(" + version_name_ +
                           ") AS `ferry_newest` FROM " + table + " WHERE " + parents + " IN (";
  const std::string close = ") GROUP BY " + group + ") AS `n` ON " + join + " WHERE `c`." + version_name_ +
                            "<`n`.`ferry_newest`";
  std::string in;
  std::vector<const mysql::cell*> parent(parent_names_.size());
  const auto send = [&] {
    deleted += conn.execute(open + in + close);
    in.clear();
  };
  for (const auto* f : last) {
    if (std::any_of(f->parent.begin(), f->parent.end(), [](const mysql::cell& c) { return !c; })) continue;
    std::string one;
    for (std::size_t i = 0; i < f->parent.size(); ++i) parent[i] = &f->parent[i];
    append_tuple(conn, one, parent);
    if (!in.empty() && open.size() + in.size() + one.size() + close.size() + 1 > budget) send();
    in += (in.empty() ? "" : ",") + one;
  }
  if (!in.empty()) send();
  return deleted;
}

mysql::upsert_counts upsert_writer::write_bulk(mysql::connection& conn, const batch& rows, std::size_t first,
                                               std::size_t count) const {
  // One set of arrays per pool thread, reused: no allocation per batch once warm.
  thread_local mysql::bulk_params params;
  const std::size_t columns = spec_.columns.size();
  params.resize(columns, count);
  for (std::size_t r = 0; r < count; ++r) {
    const auto row = rows.row(first + r);
    if (row.size() != columns) throw std::logic_error("sink: a row has the wrong number of values");
    for (std::size_t c = 0; c < columns; ++c) {
      const auto& v = row[c];
      params.data[c][r] = v ? v->data() : nullptr;
      params.length[c][r] = v ? static_cast<unsigned long>(v->size()) : 0;
      params.null[c][r] = v ? 0 : 1;
    }
  }
  return conn.bulk_upsert(bulk_sql_, params);
}

mysql::upsert_counts upsert_writer::write_range(mysql::connection& conn, const batch& rows, std::size_t first,
                                                std::size_t count) const {
  std::string sql = head_;
  for (std::size_t r = first; r < first + count; ++r) {
    sql += r == first ? "(" : ",(";
    const auto row = rows.row(r);
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) sql += ',';
      conn.append_value(sql, row[i]);
    }
    sql += ')';
  }
  sql += tail_;
  return conn.upsert(sql, count);
}

void upsert_writer::shrink() {
  const auto now = max_bytes_.load();
  // Down to a few rows per statement: the budget also follows the session's
  // max_allowed_packet, which can be as small as 1 KiB.
  max_bytes_.store(std::max<std::size_t>(now / 2, 2u << 10));
}

}  // namespace ferry::sink
