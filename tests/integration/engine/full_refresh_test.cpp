// A full refresh (a master list with no time filter, the shops): every run
// reads the whole list, writes it and deletes the rows it no longer lists in
// one transaction; an empty or far shorter list changes nothing and fails.
#include "harness.hpp"

#include "support/http_client.hpp"

#include <catch2/catch.hpp>

using namespace ferry::test;
using nlohmann::ordered_json;

namespace {

const std::string shops_api = "/open/shops/query";
const std::vector<std::string> shop_columns{"shop_id", "shop_name", "co_id", "shop_site", "created", "group_id"};

ordered_json shops_job(const ordered_json& full_refresh) {
  ordered_json columns = {{"shop_id", column("shop_id", "bigint")},
                          {"shop_name", column("shop_name", "varchar(64)")},
                          {"co_id", column("co_id", "bigint")},
                          {"shop_site", column("shop_site", "varchar(32)")},
                          {"created", column("created", "datetime")},
                          {"group_id", column("group_id", "int")}};
  return {{"id", "shops"},
          {"source", "jst"},
          {"api", shops_api},
          {"page_size", 100},
          {"full_refresh", full_refresh},
          {"targets", ordered_json::array({{{"table", "bi_shops"},
                                            {"key", {"shop_id"}},
                                            {"create_table", true},
                                            {"columns", columns}}})}};
}

void remove_shops(sim& s, const std::vector<std::int64_t>& ids) {
  ferry::test_support::http_client client{"127.0.0.1", s.port()};
  const auto r = client.post_json("/__sim/shops", nlohmann::json{{"remove", ids}}.dump());
  REQUIRE(r.ok());
  REQUIRE(r.response.status == 200);
}

}  // namespace

TEST_CASE("a full refresh ends equal to the list, a shop closed upstream leaves the table, a short list changes nothing",
          "[engine][full_refresh]") {
  sim s{{"--shops", "230", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_full_refresh"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["jobs"][0] = shops_job(ordered_json::object());
  const auto path = write_config("e_full_refresh", config);
  const auto run = [&] { return run_ferryd({"--config", path.string(), "--once", "shops"}); };
  const auto compared = [&] {
    return compare(db, "bi_shops", {"shop_id"}, shop_columns, s.truth(shops_api, "", ""));
  };

  // Three pages walked by has_next (no counts), one transaction.
  auto first = run();
  INFO(first.out);
  REQUIRE(first.exit_code == 0);
  auto diff = compared();
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(diff.matching == 230);
  CHECK(db.scalar("SELECT pages FROM ferry_windows") == "3");

  // Two shops closed upstream: their rows go, every other row is left as it was.
  remove_shops(s, {10010004, 10020100});
  auto second = run();
  INFO(second.out);
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(second.out, Catch::Contains("rows inserted 0, updated 0, unchanged 228"));
  CHECK_THAT(second.out, Catch::Contains("rows deleted 2 (no longer listed upstream)"));
  diff = compared();
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(diff.matching == 228);
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_shops WHERE shop_id IN (10010004, 10020100)") == "0");

  // A list far shorter than the last (29 of 228, under min_ratio 0.5): nothing written or deleted, the run fails.
  std::vector<std::int64_t> many;
  for (std::int64_t i = 6; i < 206; ++i)
    if (10020000 + i != 10020100) many.push_back(10020000 + i);
  remove_shops(s, many);
  auto shrunk = run();
  CHECK(shrunk.exit_code == 1);
  CHECK_THAT(shrunk.out, Catch::Contains("the list has 29 records, fewer than full_refresh.min_ratio (0.5) of the 228"));
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_shops") == "228");
  CHECK(db.scalar("SELECT state FROM ferry_runs ORDER BY id DESC LIMIT 1") == "failed");

  // An empty list: the same, whatever the ratio allows.
  std::vector<std::int64_t> rest;
  for (const auto& row : s.truth(shops_api, "", "")) rest.push_back(row["shop_id"].get<std::int64_t>());
  remove_shops(s, rest);
  config["jobs"][0] = shops_job({{"min_ratio", 0}});
  write_config("e_full_refresh", config);
  auto empty = run();
  CHECK(empty.exit_code == 1);
  CHECK_THAT(empty.out, Catch::Contains("the list came back empty"));
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_shops") == "228");

  // Allowed by the job: the empty list empties the table.
  config["jobs"][0] = shops_job({{"min_ratio", 0}, {"allow_empty", true}});
  write_config("e_full_refresh", config);
  auto emptied = run();
  INFO(emptied.out);
  CHECK(emptied.exit_code == 0);
  CHECK_THAT(emptied.out, Catch::Contains("rows deleted 228"));
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_shops") == "0");
}

TEST_CASE("a full refresh with mark keeps the rows the list no longer has, marked with when they left",
          "[engine][full_refresh]") {
  sim s{{"--shops", "30", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_full_refresh_mark"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["jobs"][0] = shops_job({{"mark", "removed_at"}});
  const auto path = write_config("e_full_refresh_mark", config);
  const auto run = [&] { return run_ferryd({"--config", path.string(), "--once", "shops"}); };

  const auto first = run();
  INFO(first.out);
  REQUIRE(first.exit_code == 0);
  // ferry added its column; every listed row has it NULL.
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_shops WHERE removed_at IS NULL") == "30");

  remove_shops(s, {10010004, 10020010});
  const auto second = run();
  INFO(second.out);
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(second.out, Catch::Contains("rows marked 2 (no longer listed upstream)"));
  CHECK_THAT(second.out, !Catch::Contains("rows deleted"));
  // Nothing deleted: the two are there, marked; the others untouched.
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_shops") == "30");
  CHECK(db.scalar("SELECT GROUP_CONCAT(shop_id ORDER BY shop_id) FROM bi_shops WHERE removed_at IS NOT NULL") ==
        "10010004,10020010");
  const auto diff = compare(db, "bi_shops", {"shop_id"}, shop_columns, s.truth(shops_api, "", ""));
  CHECK(diff.matching == 28);
  CHECK(diff.extra == 2);
  // A later run marks nothing again and keeps the first time they left.
  const auto when = db.scalar("SELECT removed_at FROM bi_shops WHERE shop_id = 10010004");
  const auto third = run();
  REQUIRE(third.exit_code == 0);
  CHECK_THAT(third.out, !Catch::Contains("rows marked"));
  CHECK(db.scalar("SELECT removed_at FROM bi_shops WHERE shop_id = 10010004") == when);
}
