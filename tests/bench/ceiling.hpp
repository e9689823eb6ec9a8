#pragma once
// MariaDB's own ingest ceiling for a table: how fast the server takes the
// rows when nothing but a tight loop feeds it. Blocking.
#include "ferry/mysql/connection.hpp"
#include "ferry/sink/table.hpp"
#include "rows.hpp"

namespace ferry::bench {

struct ceiling_result {
  double seconds = 0;
  double rows_per_second = 0;
  mysql::upsert_counts counts;
};

// Bulk array binding upserts of `batch_rows` rows each (ferry's own
// statement, version guard included), autocommit, into the existing table,
// over `connections` connections in parallel, each taking a contiguous slice.
ceiling_result bulk_upsert_ceiling(const mysql::connection_options& options, const sink::table_spec& spec,
                                   const flat_rows& rows, std::size_t batch_rows, std::size_t connections);

// LOAD DATA LOCAL INFILE of `tsv` into the (empty) table; with
// `empty_table_path`, in one transaction with unique_checks and
// foreign_key_checks off (see empty_table_ceiling).
ceiling_result load_data_ceiling(const mysql::connection_options& options, const sink::table_spec& spec,
                                 const std::filesystem::path& tsv, std::size_t rows, bool empty_table_path = false);

// MariaDB's path for inserts into an empty InnoDB table (10.6+, MDEV-515 and
// MDEV-24818: taken when unique_checks and foreign_key_checks are off in a
// transaction whose first insert finds the table empty: a table lock, one
// undo record for the table instead of one per row, and since 10.7 the
// indexes built from sorted rows): one connection, one transaction, bulk
// array executions of `batch_rows` rows of ferry's upsert (`plain_insert`:
// a plain INSERT, which needs the rows free of duplicate keys), one commit.
ceiling_result empty_table_ceiling(const mysql::connection_options& options, const sink::table_spec& spec,
                                   const flat_rows& rows, std::size_t batch_rows, bool plain_insert);

}  // namespace ferry::bench
