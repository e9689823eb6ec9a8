// Both write modes of the sink (bulk array binding and multi-row text
// statements) against the real MariaDB: the same rows, the same table and
// exactly the same inserted/updated/unchanged counts.
#include "ferry/sink/table.hpp"
#include "ferry/sink/upsert.hpp"
#include "test_database.hpp"

#include <catch2/catch.hpp>

using namespace ferry;

namespace {

sink::table_spec item_spec(bool versioned) {
  sink::table_spec spec{"bi_item",
                        {{"sku_id", "varchar(64)"},
                         {"shop_id", "bigint"},
                         {"name", "text"},
                         {"price", "decimal(18,4)"},
                         {"modified", "datetime"}},
                        {"sku_id", "shop_id"},
                        std::nullopt,
                        {}};
  if (versioned) spec.version = "modified";
  return spec;
}

std::vector<mysql::cell> item(int sku, int shop, mysql::cell name, const std::string& price, const std::string& modified) {
  return {"SKU-" + std::to_string(sku), std::to_string(shop), std::move(name), price, modified};
}

struct outcome {
  std::uint64_t inserted, updated, unchanged;
  bool operator==(const outcome&) const = default;
};

outcome of(const mysql::upsert_counts& c) { return {c.inserted, c.updated, c.unchanged}; }

// A table's content in one string, to compare what two modes wrote.
std::string table_digest(const test::test_database& db) {
  return db.scalar("SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', sku_id, shop_id, "
                   "COALESCE(name, '<null>'), price, modified))), 0)) FROM bi_item");
}

}  // namespace

TEST_CASE("automatic write mode picks bulk array binding on MariaDB, multi_row never does", "[sink][write_mode]") {
  test::test_database db{"wm_choice"};
  mysql::connection automatic{db.options};
  CHECK(automatic.bulk_arrays());
  db.options.writes = mysql::write_mode::multi_row;
  mysql::connection text{db.options};
  CHECK_FALSE(text.bulk_arrays());
  db.options.writes = mysql::write_mode::array;
  mysql::connection forced{db.options};
  CHECK(forced.bulk_arrays());
}

TEST_CASE("both write modes count a mixed re-sync exactly, across statements and repeated keys",
          "[sink][write_mode]") {
  const bool versioned = GENERATE(true, false);
  std::string digests[2];
  for (const auto mode : {mysql::write_mode::array, mysql::write_mode::multi_row}) {
    test::test_database db{"wm_mixed"};
    db.options.writes = mode;
    mysql::connection conn{db.options};
    sink::prepare_table(conn, item_spec(versioned), true);
    // 7 rows per statement: every batch below spans several statements.
    sink::upsert_writer writer{item_spec(versioned), {7, 1u << 20}};
    sink::batch first;
    for (int i = 0; i < 50; ++i) first.add(item(i, 1, "名 " + std::to_string(i), "1.5000", "2026-01-01 00:00:00"));
    CHECK(of(writer.write(conn, first)) == outcome{50, 0, 0});
    CHECK(of(writer.write(conn, first)) == outcome{0, 0, 50});

    sink::batch second;
    for (int i = 0; i < 50; ++i) {
      if (i % 5 == 0) second.add(item(i, 1, "changed", "2.0000", "2026-01-02 00:00:00"));  // 10 updated
      else if (i % 5 == 1) second.add(item(i, 1, "older", "9.0000", "2025-12-31 00:00:00"));  // older copy
      else second.add(item(i, 1, "名 " + std::to_string(i), "1.5000", "2026-01-01 00:00:00"));  // unchanged
    }
    for (int i = 100; i < 120; ++i) second.add(item(i, 2, std::nullopt, "0.0001", "2026-01-02 00:00:00"));  // 20 new
    second.add(item(100, 2, "again in the same batch", "3.0000", "2026-01-03 00:00:00"));  // its second copy
    const auto counts = of(writer.write(conn, second));
    // Without a version column the 10 older copies overwrite: they count as updated.
    if (versioned) CHECK(counts == outcome{20, 11, 40});
    else CHECK(counts == outcome{20, 21, 30});
    CHECK(counts.inserted + counts.updated + counts.unchanged == second.rows());
    CHECK(db.scalar("SELECT name FROM bi_item WHERE sku_id = 'SKU-100'") == "again in the same batch");
    digests[mode == mysql::write_mode::array ? 0 : 1] = table_digest(db);
  }
  CHECK(digests[0] == digests[1]);
}

TEST_CASE("one-row writes count right in both modes (no mysql_info line)", "[sink][write_mode]") {
  const auto mode = GENERATE(mysql::write_mode::array, mysql::write_mode::multi_row);
  test::test_database db{"wm_single"};
  db.options.writes = mode;
  mysql::connection conn{db.options};
  sink::prepare_table(conn, item_spec(true), true);
  sink::upsert_writer writer{item_spec(true), {}};
  sink::batch one, same, newer;
  one.add(item(1, 1, "a", "1", "2026-01-01 00:00:00"));
  same.add(item(1, 1, "a", "1", "2026-01-01 00:00:00"));
  newer.add(item(1, 1, "b", "1", "2026-01-02 00:00:00"));
  CHECK(of(writer.write(conn, one)) == outcome{1, 0, 0});
  CHECK(of(writer.write(conn, same)) == outcome{0, 0, 1});
  CHECK(of(writer.write(conn, newer)) == outcome{0, 1, 0});
}

TEST_CASE("bound values are byte-exact utf8mb4 and never SQL", "[sink][write_mode]") {
  const auto mode = GENERATE(mysql::write_mode::array, mysql::write_mode::multi_row);
  test::test_database db{"wm_bytes"};
  db.options.writes = mode;
  mysql::connection conn{db.options};
  sink::prepare_table(conn, item_spec(false), true);
  sink::upsert_writer writer{item_spec(false), {}};
  const std::string nasty = std::string{"'); DROP TABLE bi_item; -- ? \\ \" 😀𠀀 棉袜 "} + '\0' + "after NUL";
  sink::batch rows;
  rows.add(item(1, 1, nasty, "1", "2026-01-01 00:00:00"));
  rows.add({nasty, "2", "", "0", "2026-01-01 00:00:00"});  // a key of the same bytes; an empty, not NULL, name
  CHECK(of(writer.write(conn, rows)) == outcome{2, 0, 0});
  CHECK(db.scalar("SELECT name FROM bi_item WHERE sku_id = 'SKU-1'") == nasty);
  CHECK(db.scalar("SELECT HEX(name) FROM bi_item WHERE sku_id = 'SKU-1'") ==
        db.scalar("SELECT HEX(sku_id) FROM bi_item WHERE shop_id = 2"));
  CHECK(db.scalar("SELECT LENGTH(name) FROM bi_item WHERE sku_id = 'SKU-1'") == std::to_string(nasty.size()));
  CHECK(db.scalar("SELECT name IS NULL FROM bi_item WHERE shop_id = 2") == "0");
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_item") == "2");
}

TEST_CASE("a failed bulk write leaves the connection usable and a reconnect re-prepares", "[sink][write_mode]") {
  test::test_database db{"wm_recover"};
  db.options.writes = mysql::write_mode::array;
  mysql::connection conn{db.options};
  sink::prepare_table(conn, item_spec(false), true);
  sink::upsert_writer writer{item_spec(false), {}};
  sink::batch bad, good;
  bad.add(item(1, 1, "x", "not a price", "2026-01-01 00:00:00"));
  bad.add(item(2, 1, "x", "1", "2026-01-01 00:00:00"));
  good.add(item(3, 1, "y", "2", "2026-01-01 00:00:00"));
  CHECK_THROWS_AS(writer.write(conn, bad), mysql::error);
  CHECK(of(writer.write(conn, good)) == outcome{1, 0, 0});
  conn.close();
  CHECK(of(writer.write(conn, good)) == outcome{0, 0, 1});
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_item") == "1");
}

TEST_CASE("a bulk batch over the byte budget is split into several executions", "[sink][write_mode]") {
  test::test_database db{"wm_bytes_split"};
  db.options.writes = mysql::write_mode::array;
  mysql::connection conn{db.options};
  sink::prepare_table(conn, item_spec(false), true);
  sink::upsert_writer writer{item_spec(false), {1000, 64 * 1024}};
  sink::batch rows;
  const std::string long_name(20000, 'n');
  for (int i = 0; i < 40; ++i) rows.add(item(i, 1, long_name, "1", "2026-01-01 00:00:00"));  // ~800 KB
  const auto executions = [&] { return std::stoi(*conn.query("SHOW SESSION STATUS LIKE 'Com_stmt_execute'")[0][1]); };
  const auto before = executions();
  CHECK(of(writer.write(conn, rows)) == outcome{40, 0, 0});
  CHECK(executions() - before == 14);  // three ~20 KB rows fit in 64 KiB: ceil(40 / 3) executions
  CHECK(db.scalar("SELECT SUM(LENGTH(name)) FROM bi_item") == std::to_string(40 * 20000));
}
