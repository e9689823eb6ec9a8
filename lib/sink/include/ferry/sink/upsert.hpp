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
//
// An exploded target with a parent key (table_spec::parent_key; it needs a
// version column, the parent's) also drops the children a parent no longer
// has: for the last copy in the batch of every parent record (a "family":
// its parent key, its version, its rows), after the upserts,
//   DELETE ... WHERE parent = P AND child key NOT IN (the family's children)
//                AND (version <= the family's version OR version IS NULL)
// and then every child of those parents whose version is older than the
// newest child of its parent (left by an older copy of the parent met after
// a newer one). A family whose parent key or version is NULL deletes
// nothing. So a removed order line leaves bi_order_items, an order whose
// items went empty keeps none, and an older copy never deletes what a newer
// one wrote.
#include "ferry/mysql/connection.hpp"
#include "ferry/sink/table.hpp"

#include <atomic>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace ferry::sink {

// One parent record's children in a batch of an exploded target.
struct family {
  std::vector<mysql::cell> parent;  // values of table_spec::parent_key, in that order
  mysql::cell version;              // the parent's version (nullopt: it has none, and deletes nothing)
  std::size_t first_row = 0;        // its children: rows [first_row, first_row + rows) of the batch
  std::size_t rows = 0;
};

// Rows waiting to be written to one table, their values in one array (no
// allocation per row). Every row of a batch has the same number of values.
// Not thread-safe.
class batch {
 public:
  // Adds a row, its values copied (the caller keeps its own, e.g. a
  // mapper's row whose strings the next record overwrites in place).
  // `values` must not point into this batch. On a throw the batch is as it
  // was.
  void add(std::span<const mysql::cell> values);
  void add(std::initializer_list<mysql::cell> values) { add(std::span<const mysql::cell>{values.begin(), values.size()}); }
  // Marks the last `rows` rows added (possibly none) as the children of one
  // parent record; only for a target with a parent key.
  void add_family(std::vector<mysql::cell> parent, mysql::cell version, std::size_t rows);
  std::size_t rows() const { return rows_; }
  std::size_t bytes() const { return bytes_; }
  bool empty() const { return rows_ == 0 && families_.empty(); }
  void clear();
  // The values of row i.
  std::span<const mysql::cell> row(std::size_t i) const { return {cells_.data() + i * width_, width_}; }
  const std::vector<family>& families() const { return families_; }

 private:
  std::vector<mysql::cell> cells_;  // row after row
  std::size_t width_ = 0;
  std::size_t rows_ = 0;
  std::vector<family> families_;
  std::size_t bytes_ = 0;
};

struct write_limits {
  std::size_t max_rows = 1000;
  std::size_t max_bytes = 4u << 20;
};

class upsert_writer {
 public:
  upsert_writer(table_spec spec, write_limits limits);

  // Writes every row of `rows`, in statements within the limits, then (with
  // a parent key) deletes the children its families no longer list; the
  // counts' `deleted` says how many. Runs inside whatever transaction the
  // caller has open. Throws mysql::error; on
  // error_kind::too_large the server has dropped the connection and the
  // transaction with it: the caller calls shrink() and redoes the transaction.
  mysql::upsert_counts write(mysql::connection& conn, const batch& rows) const;

  // A full refresh: deletes the rows whose key is not one of `keys` (each in
  // the order of the spec's key columns), in one statement that MySQL
  // compares by the columns' own types; no keys deletes every row. Runs
  // inside the caller's transaction; returns the rows deleted. Throws mysql::error.
  std::uint64_t delete_missing(mysql::connection& conn, const std::vector<std::vector<mysql::cell>>& keys) const;
  // The same rows marked instead: `column` set to `at` where it is NULL (the
  // number marked); and set back to NULL on the listed rows that had it.
  std::uint64_t mark_missing(mysql::connection& conn, const std::vector<std::vector<mysql::cell>>& keys,
                             const std::string& column, const std::string& at) const;
  // Only the second half: the listed rows' mark back to NULL (a list that
  // may not replace the table still says these rows are listed).
  void unmark_listed(mysql::connection& conn, const std::vector<std::vector<mysql::cell>>& keys,
                     const std::string& column) const;

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
  std::uint64_t prune(mysql::connection& conn, const batch& rows, std::size_t budget) const;
  std::string family_condition(mysql::connection& conn, const batch& rows, const family& f,
                               std::size_t budget) const;
  table_spec spec_;
  write_limits limits_;
  std::atomic<std::size_t> max_bytes_;
  std::string head_;
  std::string tail_;
  std::string bulk_sql_;
  // With a parent key: positions in a row of the child part of the key and
  // of the version column, and the quoted names the DELETEs use.
  std::vector<std::size_t> child_key_at_;
  std::vector<std::string> parent_names_, child_names_;
  std::string version_name_;
};

}  // namespace ferry::sink
