#pragma once
// Idempotent batched writes: INSERT ... ON DUPLICATE KEY UPDATE, many rows per
// statement, each statement bounded by rows and bytes (and by the server's
// max_allowed_packet). On a connection that uses bulk array binding (MariaDB;
// see mysql::write_mode) the rows are bound to one prepared statement and
// travel as bytes; otherwise they go as one text statement of many VALUES
// tuples, escaped by Connector/C for the connection's utf8mb4 charset. Names
// are validated identifiers, so neither data nor config can inject SQL. With a version column, a row is only overwritten by
// a copy that is not older: every assignment is guarded by
// IF(VALUES(version) >= version OR version IS NULL, ...), version last.
//
// Inserted, updated and unchanged rows are told apart from the statement's
// affected rows and mysql_info()'s "Duplicates" count.
#include "ferry/mysql/connection.hpp"
#include "ferry/sink/table.hpp"

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

namespace ferry::sink {

// Rows waiting to be written to one table. Not thread-safe.
class batch {
 public:
  void add(std::vector<mysql::cell> values);
  std::size_t rows() const { return rows_.size(); }
  std::size_t bytes() const { return bytes_; }
  bool empty() const { return rows_.empty(); }
  void clear();
  const std::vector<std::vector<mysql::cell>>& row_values() const { return rows_; }

 private:
  std::vector<std::vector<mysql::cell>> rows_;
  std::size_t bytes_ = 0;
};

struct write_limits {
  std::size_t max_rows = 1000;
  std::size_t max_bytes = 4u << 20;
};

class upsert_writer {
 public:
  upsert_writer(table_spec spec, write_limits limits);

  // Writes every row of `rows`, in statements within the limits. Runs inside
  // whatever transaction the caller has open. Throws mysql::error; on
  // error_kind::too_large the server has dropped the connection and the
  // transaction with it: the caller calls shrink() and redoes the transaction.
  mysql::upsert_counts write(mysql::connection& conn, const batch& rows) const;

  // Halves the byte budget of later statements (not below 64 KiB). Thread-safe.
  void shrink();
  std::size_t max_bytes() const { return max_bytes_.load(); }
  std::size_t max_rows() const { return limits_.max_rows; }

  const table_spec& spec() const { return spec_; }
  // "INSERT INTO `t` (`a`,`b`) VALUES " — exposed for tests.
  const std::string& head() const { return head_; }
  // " ON DUPLICATE KEY UPDATE ..." — exposed for tests.
  const std::string& tail() const { return tail_; }
  // head() + "(?,?)" + tail(): the statement of bulk array binding.
  const std::string& bulk_sql() const { return bulk_sql_; }

 private:
  mysql::upsert_counts write_range(mysql::connection& conn, const batch& rows, std::size_t first,
                                   std::size_t count) const;
  mysql::upsert_counts write_bulk(mysql::connection& conn, const batch& rows, std::size_t first,
                                  std::size_t count) const;
  table_spec spec_;
  write_limits limits_;
  std::atomic<std::size_t> max_bytes_;
  std::string head_;
  std::string tail_;
  std::string bulk_sql_;
};

}  // namespace ferry::sink
