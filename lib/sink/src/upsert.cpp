#include "ferry/sink/upsert.hpp"

#include <algorithm>
#include <stdexcept>

namespace ferry::sink {
namespace {

using mysql::quote_identifier;

// Escaping can double a value, plus quotes and a comma each.
std::size_t worst_case_bytes(const std::vector<mysql::cell>& values) {
  std::size_t bytes = 3;
  for (const auto& v : values) bytes += v ? v->size() * 2 + 3 : 5;
  return bytes;
}

// Bytes a row adds to a bulk execution: its values plus a length prefix and
// an indicator byte each.
std::size_t bulk_bytes(const std::vector<mysql::cell>& values) {
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

void batch::add(std::vector<mysql::cell> values) {
  bytes_ += worst_case_bytes(values);
  rows_.push_back(std::move(values));
}

void batch::clear() {
  rows_.clear();
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
}

mysql::upsert_counts upsert_writer::write(mysql::connection& conn, const batch& rows) const {
  mysql::upsert_counts total;
  const bool bulk = conn.bulk_arrays();
  const std::size_t packet = static_cast<std::size_t>(conn.max_allowed_packet());
  const std::size_t budget = std::min(max_bytes_.load(), packet > 8192 ? packet - 4096 : packet / 2);
  const auto& all = rows.row_values();
  std::size_t first = 0;
  while (first < all.size()) {
    std::size_t count = 0, bytes = bulk ? bulk_sql_.size() : head_.size() + tail_.size();
    while (first + count < all.size() && count < limits_.max_rows) {
      const auto& row = all[first + count];
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
  return total;
}

mysql::upsert_counts upsert_writer::write_bulk(mysql::connection& conn, const batch& rows, std::size_t first,
                                               std::size_t count) const {
  // One set of arrays per pool thread, reused: no allocation per batch once warm.
  thread_local mysql::bulk_params params;
  const std::size_t columns = spec_.columns.size();
  params.resize(columns, count);
  const auto& all = rows.row_values();
  for (std::size_t r = 0; r < count; ++r) {
    const auto& row = all[first + r];
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
  const auto& all = rows.row_values();
  for (std::size_t r = first; r < first + count; ++r) {
    sql += r == first ? "(" : ",(";
    for (std::size_t i = 0; i < all[r].size(); ++i) {
      if (i > 0) sql += ',';
      conn.append_value(sql, all[r][i]);
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
