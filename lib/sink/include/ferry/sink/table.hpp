#pragma once
// A target table: its columns, key and version column, and the DDL ferry may
// run for it. ferry creates a missing table from the column map and adds
// missing columns, but never drops or changes anything; a table without a
// PRIMARY or UNIQUE key on exactly the job's key columns is refused, because
// upserts could then double rows. Blocking (pool threads); thread-safe.
#include "ferry/mysql/connection.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ferry::sink {

struct column {
  std::string name;
  std::string sql_type;  // canonical DDL spelling, e.g. "decimal(18,4)"
};

struct table_spec {
  std::string table;
  std::vector<column> columns;          // in the order rows carry their values
  std::vector<std::string> key;         // names of columns; the upsert key
  std::optional<std::string> version;   // a column holding the source's modification time
  // For an exploded target: the key columns read from the parent record
  // (`$.o_id`), in key order. When set, the table holds each parent's
  // children as its latest copy lists them: a child the parent no longer
  // lists is deleted (see upsert_writer). Empty: rows are only upserted.
  std::vector<std::string> parent_key;
  // The table's own definition is used as it is (a QEasy batchexecute
  // target): no CREATE, no ADD COLUMN, no type warnings.
  bool as_is = false;
  // The key is not a key of the table (QEasy's id as the fallback): the
  // index check is left to the run, which never writes such a table.
  bool unindexed = false;
};

// What MySQL says of a table: its columns (name -> COLUMN_TYPE) and its
// unique keys with their columns in index order, PRIMARY first.
struct table_shape {
  bool exists = false;
  std::vector<std::pair<std::string, std::string>> columns;
  std::vector<std::pair<std::string, std::vector<std::string>>> unique_keys;
  bool has_auto_increment = false;
};
table_shape read_table_shape(mysql::connection& conn, const std::string& table);

// A target table cannot be used as it is; the message says what to do.
class schema_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct prepare_result {
  bool created = false;
  std::vector<std::string> added_columns;
  std::vector<std::string> warnings;  // e.g. a column whose type differs from the config
};

// CREATE TABLE when missing (if `create`), ALTER TABLE ADD COLUMN for columns
// the config has and the table lacks, then checks the key index. Throws
// schema_error or mysql::error.
prepare_result prepare_table(mysql::connection& conn, const table_spec& spec, bool create);

// The CREATE TABLE statement prepare_table would run.
std::string create_table_sql(const table_spec& spec);

}  // namespace ferry::sink
