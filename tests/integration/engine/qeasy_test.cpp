// A QEasy pair run end to end (docs/qeasy.md): the seed's blocks as QEasy
// stores them, a batchexecute target into a table the user made, jst-sim's
// lifelike unique codes (each code moves several times), compared with truth.
#include "harness.hpp"

#include "ferry/core/time.hpp"
#include "ferry/mysql/connection.hpp"

#include <fstream>
#include <set>
#include <sstream>

using namespace ferry::test;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

ordered_json seed_job() {
  std::ifstream in{std::filesystem::path{FERRY_SOURCE_DIR} / "deploy" / "examples" / "skusn_inout_qeasy.json"};
  std::stringstream text;
  text << in.rdbuf();
  return ordered_json::parse(text.str(), nullptr, true, true)["jobs"][0];
}

// The harness's config (sections pointing at this sim and database) with `job` as its only job.
ordered_json with_job(std::uint16_t port, const test_database& db, ordered_json job) {
  auto config = flow_config(port, db);
  config["jobs"] = ordered_json::array({std::move(job)});
  return config;
}

void execute(const test_database& db, const std::string& sql) {
  ferry::mysql::connection conn{db.options};
  conn.execute(sql);
}

constexpr const char* flow_columns_ddl =
    "sku_sn varchar(64) NOT NULL, io_id bigint(20) NOT NULL, o_id bigint(20), inout_type tinyint(4), "
    "sku_id varchar(64), cost_price decimal(18,4), cost_amount decimal(18,4), remark varchar(512), "
    "create_time datetime, modified_time datetime, supplier_id bigint(20), supplier_name varchar(128)";

// The flow table as a BI team made it for QEasy (an AUTO_INCREMENT id, then
// `keys`, e.g. ", UNIQUE KEY ..."), and the seed's pair over January written
// as config `name`; returns the config's path.
std::filesystem::path seed_pair(const std::string& name, const sim& s, const test_database& db, const std::string& keys) {
  execute(db, std::string{"CREATE TABLE bi_skusn_inout (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, "} +
                  flow_columns_ddl + keys + ") DEFAULT CHARSET=utf8mb4");
  auto job = seed_job();
  job["window"]["end"] = "2026-02-01 00:00:00";
  return write_config(name, with_job(s.port(), db, job));
}

}  // namespace

TEST_CASE("the seed's QEasy pair writes every movement of every code, and a rerun writes nothing", "[engine][qeasy]") {
  sim s{{"--records", "6000", "--seed", "15", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_qeasy_seed"};
  set_source_env();
  // The record's key as a UNIQUE key beside the AUTO_INCREMENT id.
  const auto path = seed_pair("e_qeasy_seed", s, db, ", UNIQUE KEY flow (sku_sn, io_id)");
  const auto first = run_ferryd_with_log({"--config", path.string(), "--once", "skusn_inout"});
  INFO(first.out);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("rows inserted 6000, updated 0, unchanged 0, dead letters 0"));
  CHECK_THAT(first.out, Catch::Contains("UNIQUE KEY flow (sku_sn, io_id)"));
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(diff.matching == 6000);
  // The codes live: most move more than once, and every movement is a row of its own.
  const auto codes = std::stoi(db.scalar("SELECT COUNT(DISTINCT sku_sn) FROM bi_skusn_inout"));
  CHECK(codes < 4000);
  CHECK(std::stoi(db.scalar("SELECT MAX(n) FROM (SELECT COUNT(*) n FROM bi_skusn_inout GROUP BY sku_sn) m")) >= 3);

  const auto again = run_ferryd({"--config", path.string(), "--once", "skusn_inout", "--from", "2026-01-01 00:00:00",
                                 "--to", "2026-02-01 00:00:00"});
  INFO(again.out);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("rows inserted 0, updated 0, unchanged 6000"));
}

TEST_CASE("without a table key the seed's pair names the repeated sku_sn and writes nothing", "[engine][qeasy]") {
  sim s{{"--records", "3000", "--seed", "16", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_qeasy_nokey"};
  set_source_env();
  const auto path = seed_pair("e_qeasy_nokey", s, db, "");
  const auto run = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  INFO(run.out);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out, Catch::Contains("QEasy's id \"sku_sn\" repeats"));
  CHECK_THAT(run.out, Catch::Contains("e.g. (sku_sn, io_id)"));
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_skusn_inout") == "0");
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_windows") == "0");

  // The fix the message gives: a key that tells the records apart. The next run finds it.
  execute(db, "ALTER TABLE bi_skusn_inout ADD UNIQUE KEY flow (sku_sn, io_id)");
  const auto fixed = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  INFO(fixed.out);
  CHECK(fixed.exit_code == 0);
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
}

namespace {

// The orders pair: sent orders and orders whose buyer left a message, their
// items flattened into one row each.
ordered_json orders_pair() {
  return ordered_json::parse(R"({
    "id": "order_lines", "source": "jst",
    "window": {"start": "2026-01-01 00:00:00", "end": "2026-02-01 00:00:00"},
    "qeasy": {
      "source": {
        "api": "/open/orders/single/query", "effect": "QUERY", "method": "POST",
        "number": "so_id", "id": "o_id", "name": "so_id", "idCheck": true,
        "request": [
          {"field": "page_index", "label": "页数", "type": "string", "value": "1"},
          {"field": "page_size", "label": "每页行数", "type": "string", "value": "100"},
          {"field": "modified_begin", "label": "修改开始时间", "type": "string", "value": "{{LAST_SYNC_TIME|datetime}}"},
          {"field": "modified_end", "label": "修改结束时间", "type": "string", "value": "{{CURRENT_TIME|datetime}}"}
        ],
        "condition": [[{"field": "status", "logic": "eq", "value": "Sent"}],
                      [{"field": "buyer_message", "logic": "notnull"}, {"field": "items.qty", "logic": "egt", "value": 2}]],
        "beatFlat": ["items"],
        "omissionRemedy": {"crontab": "2 */2 * * *", "takeOverRequest": [
          {"field": "modified_begin", "label": "开始", "type": "string", "value": "{{DAYS_AGO_2|datetime}}"},
          {"field": "modified_end", "label": "结束", "type": "string", "value": "{{DAYS_AGO_1|datetime}}"}]}
      },
      "target": {
        "api": "batchexecute", "effect": "EXECUTE",
        "request": [
          {"field": "o_id", "label": "内部单号", "type": "string", "value": "{{o_id}}"},
          {"field": "oi_id", "label": "子单号", "type": "string", "value": "{{items_oi_id}}"},
          {"field": "so_id", "label": "线上单号", "type": "string", "value": "{{so_id}}"},
          {"field": "status", "label": "状态", "type": "string", "value": "{{status}}"},
          {"field": "sku_id", "label": "商品编码", "type": "string", "value": "{{items_sku_id}}"},
          {"field": "qty", "label": "数量", "type": "string", "value": "{{items_qty}}"},
          {"field": "amount", "label": "金额", "type": "string", "value": "{{items_amount}}"}
        ],
        "otherRequest": [
          {"field": "main_sql", "value": "INSERT INTO bi_order_lines (o_id, oi_id, so_id, status, sku_id, qty, amount) VALUES"},
          {"field": "limit", "value": "500"}
        ]
      }
    }})");
}

}  // namespace

TEST_CASE("a pair with condition, beatFlat and omissionRemedy syncs exactly and counts what it skips",
          "[engine][qeasy]") {
  sim s{{"--records", "100", "--orders", "600", "--seed", "17", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_qeasy_orders"};
  set_source_env();
  execute(db, "CREATE TABLE bi_order_lines (o_id bigint NOT NULL, oi_id bigint NOT NULL, so_id varchar(64), "
              "status varchar(32), sku_id varchar(64), qty int, amount decimal(18,4), PRIMARY KEY (o_id, oi_id))");
  const auto path = write_config("e_qeasy_orders", with_job(s.port(), db, orders_pair()));
  const auto run = run_ferryd({"--config", path.string(), "--once", "order_lines"});
  INFO(run.out);
  REQUIRE(run.exit_code == 0);

  // The truth, filtered and flattened here as QEasy's docs describe it.
  std::vector<json> expected;
  std::size_t skipped = 0;
  for (const auto& order : s.truth(orders_api, "2026-01-01 00:00:00", "2026-02-01 00:00:00")) {
    const bool sent = order["status"] == "Sent";
    const bool message = !order["buyer_message"].is_null() && order["buyer_message"] != "";
    std::vector<json> items;
    for (const auto& item : order["items"])
      if (sent || item["qty"].get<long long>() >= 2) items.push_back(item);
    if (!sent && !(message && !items.empty())) {
      ++skipped;
      continue;
    }
    for (const auto& item : items)
      expected.push_back({{"o_id", order["o_id"]}, {"oi_id", item["oi_id"]}, {"so_id", order["so_id"]},
                          {"status", order["status"]}, {"sku_id", item["sku_id"]}, {"qty", item["qty"]},
                          {"amount", item["amount"]}});
  }
  REQUIRE(skipped > 0);
  REQUIRE(expected.size() > 0);
  const auto diff = compare(db, "bi_order_lines", {"o_id", "oi_id"},
                            {"o_id", "oi_id", "so_id", "status", "sku_id", "qty", "amount"}, expected);
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK_THAT(run.out, Catch::Contains("skipped " + std::to_string(skipped)));
  CHECK(db.scalar("SELECT SUM(skipped) FROM ferry_runs") == std::to_string(skipped));
  // The platform counts orders, not the lines they flatten into: each window's distinct keys are its orders.
  CHECK(db.scalar("SELECT SUM(distinct_keys) FROM ferry_windows") == "600");
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_windows WHERE state <> 'complete'") == "0");
}

TEST_CASE("omissionRemedy's catch-up re-reads its own range without moving the watermark", "[engine][qeasy]") {
  sim s{{"--records", "100", "--orders", "400", "--seed", "18", "--limit-per-second", "0", "--limit-per-minute", "0",
         "--data-from", "now-3d", "--data-to", "now-1h"}};
  test_database db{"e_qeasy_catch_up"};
  set_source_env();
  execute(db, "CREATE TABLE bi_order_lines (o_id bigint NOT NULL, oi_id bigint NOT NULL, so_id varchar(64), "
              "status varchar(32), sku_id varchar(64), qty int, amount decimal(18,4), PRIMARY KEY (o_id, oi_id))");
  auto job = orders_pair();
  job["qeasy"]["source"].erase("condition");
  job["window"] = {{"start", "2026-01-01 00:00:00"}};
  const auto path = write_config("e_qeasy_catch_up", with_job(s.port(), db, job));
  const auto before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto run = run_ferryd({"--config", path.string(), "--once", "order_lines", "--catch-up"});
  const auto after = std::chrono::ceil<std::chrono::seconds>(std::chrono::system_clock::now());
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  CHECK(db.scalar("SELECT kind FROM ferry_runs") == "catch_up");
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_jobs WHERE watermark IS NOT NULL") == "0");
  // The items of the orders modified 2 to 1 days before the run started,
  // give or take the seconds the run took to start.
  const auto day = std::chrono::hours{24};
  const auto at = [](auto t) { return ferry::core::format_shanghai_datetime(std::chrono::floor<std::chrono::seconds>(t)); };
  const auto items = [](const std::vector<json>& orders) {
    std::set<std::pair<long long, long long>> out;
    for (const auto& o : orders)
      for (const auto& i : o["items"]) out.insert({o["o_id"].get<long long>(), i["oi_id"].get<long long>()});
    return out;
  };
  const auto surely = items(s.truth(orders_api, at(after - 2 * day), at(before - day)));
  const auto maybe = items(s.truth(orders_api, at(before - 2 * day), at(after - day)));
  REQUIRE(surely.size() > 10);
  std::set<std::pair<long long, long long>> written;
  ferry::mysql::connection conn{db.options};
  for (const auto& row : conn.query("SELECT o_id, oi_id FROM bi_order_lines"))
    written.insert({std::stoll(*row[0]), std::stoll(*row[1])});
  for (const auto& k : surely) CHECK(written.count(k) == 1);
  for (const auto& k : written) CHECK(maybe.count(k) == 1);
}
