#include "ceiling.hpp"

#include "ferry/sink/upsert.hpp"

#include <mysql.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace ferry::bench {
namespace {

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

namespace {

// Upserts rows [first, last) over `conn`, `batch_rows` per execution of `sql`.
mysql::upsert_counts upsert_slice(mysql::connection& conn, const std::string& sql, const flat_rows& rows,
                                  std::size_t first, std::size_t last, std::size_t batch_rows) {
  mysql::bulk_params params;
  mysql::upsert_counts total;
  for (; first < last; first += batch_rows) {
    const auto count = std::min(batch_rows, last - first);
    params.resize(rows.columns, count);
    for (std::size_t r = 0; r < count; ++r)
      for (std::size_t c = 0; c < rows.columns; ++c) {
        const auto& cell = rows.cells[(first + r) * rows.columns + c];
        params.data[c][r] = rows.arena.data() + cell.offset;
        params.length[c][r] = cell.length;
        params.null[c][r] = cell.null ? 1 : 0;
      }
    const auto counts = conn.bulk_upsert(sql, params);
    total.inserted += counts.inserted;
    total.updated += counts.updated;
    total.unchanged += counts.unchanged;
  }
  return total;
}

}  // namespace

ceiling_result bulk_upsert_ceiling(const mysql::connection_options& options, const sink::table_spec& spec,
                                   const flat_rows& rows, std::size_t batch_rows, std::size_t connections) {
  auto forced = options;
  forced.writes = mysql::write_mode::array;
  const sink::upsert_writer writer{spec, {batch_rows, 64u << 20}};
  std::vector<mysql::upsert_counts> counts(connections);
  std::vector<std::exception_ptr> errors(connections);
  const std::size_t slice = (rows.rows() + connections - 1) / connections;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < connections; ++i)
    threads.emplace_back([&, i] {
      try {
        mysql::connection conn{forced};
        counts[i] = upsert_slice(conn, writer.bulk_sql(), rows, std::min(i * slice, rows.rows()),
                                 std::min((i + 1) * slice, rows.rows()), batch_rows);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  ceiling_result result;
  result.seconds = since(start);
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  for (const auto& c : counts) {
    result.counts.inserted += c.inserted;
    result.counts.updated += c.updated;
    result.counts.unchanged += c.unchanged;
  }
  result.rows_per_second = static_cast<double>(rows.rows()) / result.seconds;
  return result;
}

ceiling_result empty_table_ceiling(const mysql::connection_options& options, const sink::table_spec& spec,
                                   const flat_rows& rows, std::size_t batch_rows, bool plain_insert) {
  auto forced = options;
  forced.writes = mysql::write_mode::array;
  const sink::upsert_writer writer{spec, {batch_rows, 64u << 20}};
  const auto sql = plain_insert ? writer.bulk_sql().substr(0, writer.bulk_sql().size() - writer.tail().size())
                                : writer.bulk_sql();
  mysql::connection conn{forced};
  conn.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0");
  ceiling_result result;
  const auto start = std::chrono::steady_clock::now();
  conn.execute("START TRANSACTION");
  result.counts = upsert_slice(conn, sql, rows, 0, rows.rows(), batch_rows);
  conn.execute("COMMIT");
  result.seconds = since(start);
  result.rows_per_second = static_cast<double>(rows.rows()) / result.seconds;
  return result;
}

ceiling_result load_data_ceiling(const mysql::connection_options& options, const sink::table_spec& spec,
                                 const std::filesystem::path& tsv, std::size_t rows, bool empty_table_path) {
  MYSQL* m = mysql_init(nullptr);
  const unsigned local = 1;
  mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &local);
  mysql_options(m, MYSQL_INIT_COMMAND, "SET time_zone = '+08:00'");
  if (mysql_real_connect(m, options.host.c_str(), options.user.c_str(), options.password.reveal().c_str(),
                         options.database.c_str(), options.port, nullptr, 0) == nullptr) {
    const std::string message = mysql_error(m);
    mysql_close(m);
    throw std::runtime_error("LOAD DATA connection: " + message);
  }
  std::string sql = "LOAD DATA LOCAL INFILE '" + tsv.string() + "' INTO TABLE " + mysql::quote_identifier(spec.table) +
                    " CHARACTER SET utf8mb4 (";
  for (std::size_t i = 0; i < spec.columns.size(); ++i)
    sql += (i > 0 ? "," : "") + mysql::quote_identifier(spec.columns[i].name);
  sql += ")";
  const auto run = [&](const std::string& text) { return mysql_real_query(m, text.data(), text.size()) != 0; };
  if (empty_table_path && run("SET SESSION unique_checks = 0, foreign_key_checks = 0")) {
    const std::string message = mysql_error(m);
    mysql_close(m);
    throw std::runtime_error("LOAD DATA: " + message);
  }
  ceiling_result result;
  const auto start = std::chrono::steady_clock::now();
  bool failed = empty_table_path && run("START TRANSACTION");
  failed = failed || run(sql);
  const auto inserted = failed ? 0 : mysql_affected_rows(m);
  failed = failed || (empty_table_path && run("COMMIT"));
  result.seconds = since(start);
  const std::string message = failed ? mysql_error(m) : "";
  result.counts.inserted = inserted;
  mysql_close(m);
  if (failed) throw std::runtime_error("LOAD DATA: " + message);
  result.rows_per_second = static_cast<double>(rows) / result.seconds;
  return result;
}

}  // namespace ferry::bench
