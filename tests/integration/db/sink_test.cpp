#include "ferry/sink/table.hpp"
#include "ferry/sink/upsert.hpp"
#include "test_database.hpp"

#include <catch2/catch.hpp>

using namespace ferry;

namespace {

sink::table_spec flow_spec() {
  return sink::table_spec{"bi_flow",
                          {{"sku_sn", "varchar(64)"},
                           {"io_id", "bigint"},
                           {"remark", "text"},
                           {"cost_price", "decimal(18,4)"},
                           {"modified_time", "datetime"}},
                          {"sku_sn", "io_id"},
                          std::string{"modified_time"}};
}

std::vector<mysql::cell> flow_row(const std::string& sn, int io, mysql::cell remark, const std::string& price,
                                  const std::string& modified) {
  return {sn, std::to_string(io), std::move(remark), price, modified};
}

}  // namespace

TEST_CASE("prepare_table creates the table with a byte-exact key and is idempotent", "[sink]") {
  test::test_database db{"sink_create"};
  mysql::connection conn{db.options};
  const auto first = sink::prepare_table(conn, flow_spec(), true);
  CHECK(first.created);
  const auto second = sink::prepare_table(conn, flow_spec(), true);
  CHECK_FALSE(second.created);
  CHECK(second.added_columns.empty());
  CHECK(db.scalar("SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                  "AND TABLE_NAME = 'bi_flow'") == "utf8mb4_bin");
}

TEST_CASE("prepare_table refuses a missing table unless told to create it", "[sink]") {
  test::test_database db{"sink_missing"};
  mysql::connection conn{db.options};
  CHECK_THROWS_WITH(sink::prepare_table(conn, flow_spec(), false),
                    Catch::Contains("does not exist") && Catch::Contains("create_table"));
}

TEST_CASE("prepare_table adds new columns and never drops any", "[sink]") {
  test::test_database db{"sink_alter"};
  mysql::connection conn{db.options};
  conn.execute("CREATE TABLE bi_flow (sku_sn VARCHAR(64) NOT NULL, io_id BIGINT NOT NULL, legacy INT, "
               "PRIMARY KEY (sku_sn, io_id))");
  const auto result = sink::prepare_table(conn, flow_spec(), false);
  CHECK(result.added_columns == std::vector<std::string>{"remark", "cost_price", "modified_time"});
  CHECK(db.scalar("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                  "AND TABLE_NAME = 'bi_flow'") == "6");
}

TEST_CASE("a table without a unique key on the job's key is refused with the fix", "[sink]") {
  test::test_database db{"sink_nokey"};
  mysql::connection conn{db.options};
  conn.execute("CREATE TABLE bi_flow (id INT AUTO_INCREMENT PRIMARY KEY, sku_sn VARCHAR(64), io_id BIGINT)");
  CHECK_THROWS_WITH(sink::prepare_table(conn, flow_spec(), false),
                    Catch::Contains("ADD UNIQUE KEY `ferry_key` (`sku_sn`,`io_id`)"));
}

TEST_CASE("a text key column is refused before MySQL sees it", "[sink]") {
  test::test_database db{"sink_textkey"};
  mysql::connection conn{db.options};
  auto spec = flow_spec();
  spec.columns[0].sql_type = "text";
  CHECK_THROWS_WITH(sink::prepare_table(conn, spec, true), Catch::Contains("key column sku_sn is text"));
}

TEST_CASE("upserts count inserted, updated and unchanged rows", "[sink]") {
  const auto mode = GENERATE(mysql::write_mode::array, mysql::write_mode::multi_row);
  test::test_database db{"sink_counts"};
  db.options.writes = mode;
  mysql::connection conn{db.options};
  CHECK(conn.bulk_arrays() == (mode == mysql::write_mode::array));
  sink::prepare_table(conn, flow_spec(), true);
  sink::upsert_writer writer{flow_spec(), {}};
  sink::batch rows;
  for (int i = 0; i < 10; ++i)
    rows.add(flow_row("SN" + std::to_string(i), 100 + i, "备注 " + std::to_string(i), "1.2300", "2026-01-01 10:00:00"));
  auto counts = writer.write(conn, rows);
  CHECK(counts.inserted == 10);
  CHECK(counts.updated == 0);
  CHECK(counts.unchanged == 0);

  counts = writer.write(conn, rows);
  CHECK(counts.inserted == 0);
  CHECK(counts.updated == 0);
  CHECK(counts.unchanged == 10);

  sink::batch changed;
  changed.add(flow_row("SN1", 101, "新备注", "2.0000", "2026-01-02 10:00:00"));
  changed.add(flow_row("SN2", 102, "备注 2", "1.2300", "2026-01-01 10:00:00"));
  changed.add(flow_row("SN_new", 999, std::nullopt, "0.0001", "2026-01-02 10:00:00"));
  counts = writer.write(conn, changed);
  CHECK(counts.inserted == 1);
  CHECK(counts.updated == 1);
  CHECK(counts.unchanged == 1);
  CHECK(db.scalar("SELECT remark FROM bi_flow WHERE sku_sn = 'SN1'") == "新备注");
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_flow") == "11");
  CHECK(db.scalar("SELECT remark FROM bi_flow WHERE sku_sn = 'SN_new'") == "NULL");
}

TEST_CASE("an older copy of a row never overwrites a newer one", "[sink]") {
  const auto mode = GENERATE(mysql::write_mode::array, mysql::write_mode::multi_row);
  test::test_database db{"sink_version"};
  db.options.writes = mode;
  mysql::connection conn{db.options};
  CHECK(conn.bulk_arrays() == (mode == mysql::write_mode::array));
  sink::prepare_table(conn, flow_spec(), true);
  sink::upsert_writer writer{flow_spec(), {}};
  sink::batch newer, older;
  newer.add(flow_row("SN1", 1, "new", "2.0000", "2026-01-02 10:00:00"));
  older.add(flow_row("SN1", 1, "old", "1.0000", "2026-01-01 10:00:00"));
  writer.write(conn, newer);
  const auto counts = writer.write(conn, older);
  CHECK(counts.unchanged == 1);
  CHECK(db.scalar("SELECT CONCAT(remark, '/', cost_price, '/', modified_time) FROM bi_flow") ==
        "new/2.0000/2026-01-02 10:00:00");
}

TEST_CASE("values cannot inject SQL and tricky text survives", "[sink]") {
  const auto mode = GENERATE(mysql::write_mode::array, mysql::write_mode::multi_row);
  test::test_database db{"sink_escape"};
  db.options.writes = mode;
  mysql::connection conn{db.options};
  CHECK(conn.bulk_arrays() == (mode == mysql::write_mode::array));
  sink::prepare_table(conn, flow_spec(), true);
  sink::upsert_writer writer{flow_spec(), {}};
  const std::string evil = "x'); DROP TABLE bi_flow; -- \\ \" 😀\n棉袜";
  sink::batch rows;
  rows.add(flow_row(evil, 1, evil, "1", "2026-01-01 00:00:00"));
  writer.write(conn, rows);
  CHECK(db.scalar("SELECT remark FROM bi_flow") == evil);
  CHECK(db.scalar("SELECT sku_sn FROM bi_flow") == evil);
}

TEST_CASE("batches are split by rows and bytes with the same result", "[sink]") {
  const auto mode = GENERATE(mysql::write_mode::array, mysql::write_mode::multi_row);
  test::test_database db{"sink_split"};
  db.options.writes = mode;
  mysql::connection conn{db.options};
  CHECK(conn.bulk_arrays() == (mode == mysql::write_mode::array));
  sink::prepare_table(conn, flow_spec(), true);
  sink::upsert_writer writer{flow_spec(), {7, 64 * 1024}};
  sink::batch rows;
  const std::string long_remark(5000, 'r');
  for (int i = 0; i < 100; ++i)
    rows.add(flow_row("SN" + std::to_string(i), i, long_remark, "3.1400", "2026-01-01 00:00:00"));
  const auto counts = writer.write(conn, rows);
  CHECK(counts.inserted == 100);
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_flow") == "100");
  writer.shrink();
  CHECK(writer.max_bytes() == 32 * 1024);
  for (int i = 0; i < 20; ++i) writer.shrink();
  CHECK(writer.max_bytes() == 2 * 1024);  // never below 2 KiB: a few rows per statement
  // Still writes, a few rows at a time.
  CHECK(writer.write(conn, rows).unchanged == 100);
}

TEST_CASE("strict mode turns a bad value into an error, not a truncation", "[sink]") {
  const auto mode = GENERATE(mysql::write_mode::array, mysql::write_mode::multi_row);
  test::test_database db{"sink_strict"};
  db.options.writes = mode;
  mysql::connection conn{db.options};
  CHECK(conn.bulk_arrays() == (mode == mysql::write_mode::array));
  sink::prepare_table(conn, flow_spec(), true);
  sink::upsert_writer writer{flow_spec(), {}};
  sink::batch rows;
  rows.add(flow_row("SN1", 1, "ok", "not a number", "2026-01-01 00:00:00"));
  CHECK_THROWS_AS(writer.write(conn, rows), mysql::error);
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_flow") == "0");
}
