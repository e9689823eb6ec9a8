// Records ferry cannot store (wrong types, huge strings, invalid dates,
// missing and null keys, ...) served by jst-sim --bad-records: each becomes
// one dead letter naming its field, every good record is written exactly and
// the watermark moves on.
#include "badinput.hpp"

#include "ferry/json/exact.hpp"

#include <catch2/catch.hpp>

using namespace ferry::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const char* const admin_token = "badinput-records-token";

struct dead_letter_row {
  json record;
  std::string error;
};

std::vector<dead_letter_row> dead_letters(const test_database& db) {
  ferry::mysql::connection conn{db.options};
  std::vector<dead_letter_row> out;
  for (auto& row : conn.query("SELECT record, error FROM ferry_dead_letters ORDER BY id"))
    out.push_back({ferry::json::parse_exact(row[0].value_or("")), row[1].value_or("")});
  return out;
}

// The truth without the rows jst-sim spoiled.
std::vector<json> good_truth(sim& s, const std::vector<json>& bad_rows) {
  std::vector<json> good;
  for (auto& row : s.truth(flow_api, "2026-01-01 00:00:00", "2026-02-01 00:00:00"))
    if (std::find(bad_rows.begin(), bad_rows.end(), row) == bad_rows.end()) good.push_back(std::move(row));
  return good;
}

// Each spoiled row is exactly one dead letter whose error names the
// target's column and the record's member: "bi_skusn_inout.remark (remark): ...".
void check_dead_letters(const test_database& db, const json& bad, const std::vector<json>& bad_rows) {
  const auto letters = dead_letters(db);
  CHECK(letters.size() == bad_rows.size());
  for (std::size_t i = 0; i < bad_rows.size(); ++i) {
    const auto& b = bad["flow"][i];
    INFO("kind " << b["kind"] << ", field " << b["field"]);
    const auto field = b["field"].get<std::string>();
    std::size_t found = 0;
    for (const auto& letter : letters)
      if (letter.record == bad_rows[i]) {
        ++found;
        INFO("error: " << letter.error);
        CHECK(letter.error.starts_with("bi_skusn_inout." + field + " (" + field + "): "));
      }
    CHECK(found == 1);
  }
}

std::vector<json> parsed_rows(const json& bad) {
  std::vector<json> rows;
  for (const auto& b : bad["flow"]) rows.push_back(ferry::json::parse_exact(b["json"].get<std::string>()));
  return rows;
}

// "wrong_type 5, huge_string 5, ..." in jst-sim's order.
std::string kinds_of(const json& bad) {
  std::vector<std::pair<std::string, int>> counts;
  for (const auto& b : bad["flow"]) {
    const auto kind = b["kind"].get<std::string>();
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == kind; });
    if (it == counts.end()) counts.emplace_back(kind, 1);
    else ++it->second;
  }
  std::string out;
  for (const auto& [kind, n] : counts) out += (out.empty() ? "" : ", ") + kind + " " + std::to_string(n);
  return out;
}

std::vector<std::string> sim_args(const std::string& records, const std::string& bad) {
  return {"--records", records, "--bad-records", bad, "--limit-per-second", "0", "--limit-per-minute", "0"};
}

}  // namespace

TEST_CASE("bad records become dead letters naming the field, and the good ones are written exactly", "[badinput][records]") {
  sim s{sim_args("4000", "40")};
  test_database db{"bad_records"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["jobs"][0]["window"]["max_span"] = "6d";  // five windows, each with its share of bad rows
  config["jobs"][0]["dead_letter_max_ratio"] = 0.05;
  const auto r = run_ferryd_all({"--config", write_config("bad_records", config).string(), "--once", "skusn_inout"}, 300s);
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("dead letters 40"));

  const auto bad = sim_bad_records(s.port());
  REQUIRE(bad["flow"].size() == 40);
  const auto bad_rows = parsed_rows(bad);
  check_dead_letters(db, bad, bad_rows);
  const auto diff = compare(db, "bi_skusn_inout", flow_key, flow_columns, good_truth(s, bad_rows));
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(diff.matching == 3960);
  CHECK(db.scalar("SELECT watermark FROM ferry_jobs WHERE job_id = 'skusn_inout'") == "2026-02-01 00:00:00");
  CHECK(db.scalar("SELECT CONCAT(state, ' ', fetched, ' ', inserted, ' ', dead_letters) FROM ferry_runs") ==
        "success 4000 3960 40");
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_windows WHERE state <> 'complete'") == "0");
  CHECK(db.scalar("SELECT SUM(dead_letters) FROM ferry_windows") == "40");
  WARN("bad inputs tried: records=" << bad_rows.size() << " (" << kinds_of(bad) << ")");
}

TEST_CASE("a running daemon reports dead letters in the run, the windows and the metrics", "[badinput][records]") {
  sim s{sim_args("3000", "24")};
  test_database db{"bad_records_daemon"};
  set_source_env();
  ::setenv("FERRY_ADMIN_TOKEN", admin_token, 1);
  auto config = flow_config(s.port(), db);
  config["jobs"][0]["schedule"] = {{"every", "1h"}};
  // 24 of 3000 spread evenly: the short last window (Jan 30 - Feb 1) holds 1 of 86.
  config["jobs"][0]["dead_letter_max_ratio"] = 0.05;
  config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}};
  ferryd_daemon d{write_config("bad_records_daemon", config)};
  eventually([&] { return db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state <> 'running'") == "1"; }, 120s,
             "the first run");
  ferry::test_support::http_client client{"127.0.0.1", d.port(), 30s};
  client.set_header("Authorization", std::string{"Bearer "} + admin_token);
  const auto job = json::parse(client.get("/api/v1/jobs/skusn_inout").response.body);
  INFO(job.dump());
  CHECK(job["last_run"]["state"] == "success");
  CHECK(job["last_run"]["counts"]["dead_letters"] == 24);
  CHECK(job["last_run"]["counts"]["inserted"] == 2976);
  CHECK(job["watermark"] == "2026-02-01T00:00:00+08:00");
  const auto windows = json::parse(client.get("/api/v1/jobs/skusn_inout/windows").response.body);
  std::uint64_t letters = 0;
  for (const auto& w : windows["windows"]) letters += w["dead_letters"].get<std::uint64_t>();
  CHECK(letters == 24);
  const auto metrics = client.get("/metrics").response.body;
  CHECK_THAT(metrics, Catch::Contains("ferry_dead_letters_total{ferry_job=\"skusn_inout\"} 24\n"));
  CHECK_THAT(metrics, Catch::Contains("ferry_job_runs_total{ferry_job=\"skusn_inout\",outcome=\"success\"} 1\n"));
  const auto bad = sim_bad_records(s.port());
  check_dead_letters(db, bad, parsed_rows(bad));
  CHECK(d.terminate() == 0);
  WARN("bad inputs tried: records=" << bad["flow"].size() << " through the daemon");
}

TEST_CASE("over dead_letter_max_ratio the window fails and the watermark stays", "[badinput][records]") {
  sim s{sim_args("2000", "200")};
  test_database db{"bad_records_ratio"};
  set_source_env();
  auto config = flow_config(s.port(), db);  // dead_letter_max_ratio 0.01 by default; 10% are bad
  const auto r = run_ferryd_all({"--config", write_config("bad_records_ratio", config).string(), "--once", "skusn_inout"}, 300s);
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("dead_letter_max_ratio"));
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_jobs WHERE job_id = 'skusn_inout' AND watermark IS NULL") == "1");
  CHECK(db.scalar("SELECT state FROM ferry_runs") == "failed");
  CHECK(db.scalar("SELECT state FROM ferry_windows") == "failed");
  // The failed window's dead letters are kept for the operator to look at.
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_dead_letters") == db.scalar("SELECT dead_letters FROM ferry_windows"));
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_dead_letters") != "0");
  WARN("bad inputs tried: records=200 of 2000, over the ratio");
}

TEST_CASE("a window whose dead letters outgrow max_allowed_packet is still recorded whole", "[badinput][records]") {
  // Every row bad: 750 of them carry a 100,000-character remark, about 75 MB
  // of dead letters in one window, over the server's 64 MB packet.
  sim s{sim_args("6000", "6000")};
  test_database db{"bad_records_huge"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["jobs"][0]["dead_letter_max_ratio"] = 1.0;
  const auto r = run_ferryd_all({"--config", write_config("bad_records_huge", config).string(), "--once", "skusn_inout"}, 600s);
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("dead letters 6000"));
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_dead_letters") == "6000");
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_skusn_inout") == "0");
  CHECK(db.scalar("SELECT watermark FROM ferry_jobs WHERE job_id = 'skusn_inout'") == "2026-02-01 00:00:00");
  WARN("bad inputs tried: records=6000, about 75 MB of dead letters in one window");
}
