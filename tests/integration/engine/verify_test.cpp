// The verification pass: the documented flow query gives no count, so rows
// that appear in a window after its first read (later than any lookback
// reaches) are found only by reading the window once more.
#include "ferry/core/time.hpp"
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;

namespace {

std::string beijing(std::chrono::sys_seconds t) { return ferry::core::format_shanghai_datetime(t); }

std::chrono::sys_seconds now_seconds() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::set<std::string> keys_in(const test_database& db) {
  ferry::mysql::connection conn{db.options};
  std::set<std::string> out;
  for (const auto& row : conn.query("SELECT sku_sn, io_id FROM bi_skusn_inout"))
    out.insert(row[0].value_or("") + "/" + row[1].value_or(""));
  return out;
}

std::string key_of(const nlohmann::json& row) {
  return row.at("sku_sn").get<std::string>() + "/" + *sql_text(row.at("io_id"));
}

}  // namespace

TEST_CASE("rows that appear in a closed window after its first read are found by the verification pass",
          "[engine][verify]") {
  const auto started = now_seconds();
  // 30% of the rows become visible only 25 s after their create_time.
  sim s{{"--records", "3000", "--seed", "51", "--data-from", "now-10m", "--data-to", "now", "--late-fraction", "0.3",
         "--late-delay", "25s", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_verify"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  auto& window = config["jobs"][0]["window"];
  window["start"] = beijing(started - 15min);
  window["lag"] = "1s";
  window["lookback"] = "1s";  // far shorter than the late rows' delay: only the verification reaches them
  window.erase("end");
  config["jobs"][0]["verify_after"] = "5s";
  const auto path = write_config("e_verify", config);

  REQUIRE(run_ferryd({"--config", path.string(), "--once", "skusn_inout"}).exit_code == 0);
  const auto first_keys = keys_in(db);
  const auto watermark = ferry::core::parse_shanghai_datetime(db.scalar("SELECT watermark FROM ferry_jobs"));
  REQUIRE(watermark);
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_windows WHERE verify_due IS NOT NULL AND verified_at IS NULL") == "1");

  std::this_thread::sleep_for(28s);  // every late row of the first run's range is visible now, and its window due
  const auto second = run_ferryd_with_log({"--config", path.string(), "--once", "skusn_inout"});
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(second.out, Catch::Contains("verified windows 1"));

  // Rows of the first range that its read missed; those in the second
  // run's one-second lookback are the live read's, the rest only the verification's.
  const auto truth = s.truth(flow_api, beijing(started - 15min), beijing(*watermark));
  const auto lookback_from = beijing(*watermark - 1s);
  std::size_t missed = 0, missed_before_lookback = 0;
  for (const auto& row : truth) {
    if (first_keys.count(key_of(row))) continue;
    ++missed;
    if (row.at("create_time").get<std::string>() < lookback_from) ++missed_before_lookback;
  }
  INFO("missed by the first read: " << missed << ", before the lookback: " << missed_before_lookback);
  REQUIRE(missed_before_lookback > 0);
  CHECK(db.scalar("SELECT SUM(verify_found) FROM ferry_windows") == std::to_string(missed_before_lookback));
  // The summary and the warning say the same number.
  CHECK_THAT(second.out, Catch::Contains("rows only the verification found " + std::to_string(missed_before_lookback)));
  CHECK_THAT(second.out, Catch::Contains("verification found " + std::to_string(missed_before_lookback) +
                                         " rows the first read (" + std::to_string(truth.size() - missed) +
                                         " distinct keys) missed"));
  CHECK(db.scalar("SELECT verified_keys FROM ferry_windows WHERE verified_at IS NOT NULL") ==
        std::to_string(truth.size()));
  CHECK(db.scalar("SELECT distinct_keys FROM ferry_windows WHERE verified_at IS NOT NULL") ==
        std::to_string(truth.size() - missed));
  // Every row of the first range is in the table now.
  const auto now_keys = keys_in(db);
  std::size_t still_missing = 0;
  for (const auto& row : truth)
    if (now_keys.count(key_of(row)) == 0) ++still_missing;
  CHECK(still_missing == 0);
}
