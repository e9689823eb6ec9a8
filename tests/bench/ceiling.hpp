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

// LOAD DATA LOCAL INFILE of `tsv` into the (empty) table.
ceiling_result load_data_ceiling(const mysql::connection_options& options, const sink::table_spec& spec,
                                 const std::filesystem::path& tsv, std::size_t rows);

}  // namespace ferry::bench
