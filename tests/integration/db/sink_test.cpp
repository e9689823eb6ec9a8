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
                          std::string{"modified_time"},
                          {}};
}

std::vector<mysql::cell> flow_row(const std::string& sn, int io, mysql::cell remark, const std::string& price,
                                  const std::string& modified) {
  return {sn, std::to_string(io), std::move(remark), price, modified};
}

}  // namespace

// A batch keeps its array when cleared, for the next rows: what it holds
// afterwards must be exactly the rows added since, whatever the old rows
// held (longer, shorter, NULL) and whatever the new rows' width.
TEST_CASE("a batch cleared and filled again holds exactly its new rows", "[sink]") {
  const auto rows_of = [](const sink::batch& b) {
    std::vector<std::vector<mysql::cell>> out;
    for (std::size_t i = 0; i < b.rows(); ++i) out.emplace_back(b.row(i).begin(), b.row(i).end());
    return out;
  };
  const std::string long_text(300, 'x');
  sink::batch b;
  b.add({long_text, "1", std::nullopt});
  b.add({"a", std::nullopt, long_text});
  b.add({"b", "2", "3"});
  CHECK(b.rows() == 3);
  b.clear();
  CHECK(b.empty());
  CHECK(b.bytes() == 0);
  b.add({std::nullopt, long_text, "short"});
  b.add({"", "x", std::nullopt});
  CHECK(rows_of(b) == std::vector<std::vector<mysql::cell>>{{std::nullopt, long_text, "short"}, {"", "x", std::nullopt}});
  sink::batch same;
  same.add({std::nullopt, long_text, "short"});
  same.add({"", "x", std::nullopt});
  CHECK(b.bytes() == same.bytes());
  // A row of another width is refused and leaves the batch as it was.
  CHECK_THROWS_AS(b.add({"1", "2"}), std::logic_error);
  CHECK(rows_of(b) == rows_of(same));
  // Cleared, it takes rows of another width (another target's).
  b.clear();
  b.add({"k", std::nullopt});
  b.add({long_text, "v"});
  CHECK(rows_of(b) == std::vector<std::vector<mysql::cell>>{{"k", std::nullopt}, {long_text, "v"}});
  // Values given as a row a mapper keeps: copied, the row left whole.
  const std::vector<mysql::cell> kept{"sn", "7"};
  b.add(kept);
  CHECK(kept == std::vector<mysql::cell>{"sn", "7"});
  CHECK(rows_of(b).back() == kept);
}

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

namespace {

// bi_items: an order's lines, exploded with the order's o_id and modified.
sink::table_spec items_spec() {
  return sink::table_spec{"bi_items",
                          {{"o_id", "bigint"}, {"oi_id", "bigint"}, {"qty", "int"}, {"modified", "datetime"}},
                          {"o_id", "oi_id"},
                          std::string{"modified"},
                          {"o_id"}};
}

// One order as a record: its lines as rows, then the family that ties them to it.
void add_order(sink::batch& b, int o_id, const std::vector<int>& lines, mysql::cell modified, int qty = 1) {
  for (int line : lines) b.add({std::to_string(o_id), std::to_string(line), std::to_string(qty), modified});
  b.add_family({std::to_string(o_id)}, modified, lines.size());
}

std::string lines_of(test::test_database& db, int o_id) {
  return db.scalar("SELECT COALESCE(GROUP_CONCAT(oi_id ORDER BY oi_id), '-') FROM bi_items WHERE o_id = " +
                   std::to_string(o_id));
}

}  // namespace

TEST_CASE("an exploded target keeps each parent's children as its latest copy lists them", "[sink][explode]") {
  const auto mode = GENERATE(mysql::write_mode::array, mysql::write_mode::multi_row);
  // Statements of every size: the default, and a budget of a few families each.
  const auto limits = GENERATE(sink::write_limits{}, sink::write_limits{2, 300});
  test::test_database db{"sink_children"};
  db.options.writes = mode;
  mysql::connection conn{db.options};
  sink::prepare_table(conn, items_spec(), true);
  sink::upsert_writer writer{items_spec(), limits};
  const std::string v1 = "2026-01-01 10:00:00", v2 = "2026-01-02 10:00:00";

  sink::batch first;
  add_order(first, 1, {11, 12, 13}, v1);
  add_order(first, 2, {21, 22}, v1);
  add_order(first, 3, {31}, v1);
  auto counts = writer.write(conn, first);
  CHECK(counts.inserted == 6);
  CHECK(counts.deleted == 0);

  // Order 1 lost two lines and gained one, order 2 lost all, order 3 is not in this batch.
  sink::batch edited;
  add_order(edited, 1, {11, 14}, v2);
  add_order(edited, 2, {}, v2);
  counts = writer.write(conn, edited);
  CHECK(counts.inserted == 1);
  CHECK(counts.updated == 1);
  CHECK(counts.deleted == 4);
  CHECK(lines_of(db, 1) == "11,14");
  CHECK(lines_of(db, 2) == "-");
  CHECK(lines_of(db, 3) == "31");

  // An older copy of order 1 met afterwards: its lines neither stay nor delete the newer ones.
  sink::batch older;
  add_order(older, 1, {11, 12, 13}, v1, 9);
  counts = writer.write(conn, older);
  CHECK(counts.unchanged == 1);
  CHECK(counts.deleted == 2);
  CHECK(lines_of(db, 1) == "11,14");
  CHECK(db.scalar("SELECT CONCAT(qty, '/', modified) FROM bi_items WHERE oi_id = 11") == "1/" + v2);

  // Two copies of order 5 in one batch, newer first, leave the newer lines;
  // a copy without a version deletes nothing, even one with no lines.
  sink::batch both;
  add_order(both, 5, {51, 53}, v2);
  add_order(both, 5, {51, 52}, v1);
  add_order(both, 3, {31}, std::nullopt);  // no version: deletes nothing
  add_order(both, 1, {}, std::nullopt);
  counts = writer.write(conn, both);
  CHECK(lines_of(db, 5) == "51,53");
  CHECK(lines_of(db, 3) == "31");
  CHECK(lines_of(db, 1) == "11,14");
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_items") == "5");
}

TEST_CASE("children of a parent with a two-column key follow its last copy, in one batch too", "[sink][explode]") {
  const auto mode = GENERATE(mysql::write_mode::array, mysql::write_mode::multi_row);
  test::test_database db{"sink_children_two"};
  db.options.writes = mode;
  mysql::connection conn{db.options};
  const sink::table_spec spec{"bi_lines",
                              {{"line", "int"}, {"shop", "varchar(16)"}, {"o_id", "bigint"}, {"sku", "varchar(16)"},
                               {"v", "int"}},
                              {"line", "shop", "o_id"},
                              std::string{"v"},
                              {"shop", "o_id"}};
  const auto prepared = sink::prepare_table(conn, spec, true);
  CHECK(prepared.warnings.empty());  // the key is created parent first
  sink::upsert_writer writer{spec, {}};
  const auto add = [](sink::batch& b, const char* shop, std::vector<int> lines, const char* sku, const char* v) {
    for (int line : lines) b.add({std::to_string(line), shop, "7", sku, v});
    b.add_family({shop, "7"}, v, lines.size());
  };
  sink::batch first;
  add(first, "a'1", {1, 2, 3}, "sku", "1");
  add(first, "b", {1, 2, 3}, "sku", "1");
  CHECK(writer.write(conn, first).inserted == 6);
  // Two copies of one version in one batch (an edit within the same second):
  // the last counts, as it does for the upserts; it must not leave only the
  // lines both share.
  sink::batch second;
  add(second, "a'1", {1}, "one", "2");
  add(second, "a'1", {2}, "two", "2");
  const auto counts = writer.write(conn, second);
  CHECK(counts.deleted == 2);  // lines 1 and 3
  CHECK(db.scalar("SELECT GROUP_CONCAT(CONCAT(shop, ':', line, ':', sku) ORDER BY shop, line) FROM bi_lines") ==
        "a'1:2:two,b:1:sku,b:2:sku,b:3:sku");
}

TEST_CASE("a parent with more children than a statement holds still loses only older ones", "[sink][explode]") {
  test::test_database db{"sink_children_many"};
  mysql::connection conn{db.options};
  sink::prepare_table(conn, items_spec(), true);
  sink::upsert_writer writer{items_spec(), {1000, 2048}};  // a budget below 600 lines' NOT IN
  std::vector<int> lines;
  for (int i = 1; i <= 600; ++i) lines.push_back(1000 + i);
  sink::batch first;
  add_order(first, 1, lines, "2026-01-01 10:00:00");
  add_order(first, 2, {21, 22}, "2026-01-01 10:00:00");
  CHECK(writer.write(conn, first).inserted == 602);
  lines.pop_back();
  sink::batch second;
  add_order(second, 1, lines, "2026-01-02 10:00:00");
  add_order(second, 2, {21}, "2026-01-02 10:00:00");
  const auto counts = writer.write(conn, second);
  CHECK(counts.deleted == 2);  // 1600 (older than the order's newest lines) and 22
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_items WHERE o_id = 1") == "599");
  CHECK(lines_of(db, 2) == "21");
}

TEST_CASE("children found by a full scan are named with the index to add", "[sink][explode]") {
  test::test_database db{"sink_children_index"};
  mysql::connection conn{db.options};
  conn.execute("CREATE TABLE bi_items (o_id BIGINT NOT NULL, oi_id BIGINT NOT NULL, qty INT, modified DATETIME, "
               "PRIMARY KEY (oi_id, o_id))");
  const auto result = sink::prepare_table(conn, items_spec(), false);
  REQUIRE(result.warnings.size() == 1);
  CHECK_THAT(result.warnings[0], Catch::Contains("no index that starts with (`o_id`)") &&
                                     Catch::Contains("ADD INDEX `ferry_parent` (`o_id`)"));
  conn.execute("ALTER TABLE bi_items ADD INDEX by_order (o_id, modified)");
  CHECK(sink::prepare_table(conn, items_spec(), false).warnings.empty());
}

TEST_CASE("a parent key must be part of the key and leave the child a column of its own", "[sink][explode]") {
  auto spec = items_spec();
  spec.parent_key = {"qty"};
  CHECK_THROWS_WITH(sink::upsert_writer(spec, {}), Catch::Contains("qty") && Catch::Contains("not a key column"));
  spec.parent_key = {"o_id", "oi_id"};
  CHECK_THROWS_WITH(sink::upsert_writer(spec, {}), Catch::Contains("no column of its own"));
  spec.parent_key = {"o_id"};
  spec.version.reset();
  CHECK_THROWS_WITH(sink::upsert_writer(spec, {}), Catch::Contains("no version column"));
}
