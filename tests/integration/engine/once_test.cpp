// ferryd --once against jst-sim and MariaDB: whole syncs compared row by row
// with the simulator's truth.
#include "ferry/core/time.hpp"
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;

namespace {

std::string beijing(std::chrono::system_clock::time_point t) {
  return ferry::core::format_shanghai_datetime(std::chrono::time_point_cast<std::chrono::seconds>(t));
}

}  // namespace

// The documented flow query: bare arrays, no counts, "data": null for a
// window without rows (the first windows and the last one here).
TEST_CASE("200k records over windows with empty ones sync exactly and a second pass changes nothing", "[engine]") {
  sim s{{"--records", "200000", "--seed", "11", "--limit-per-second", "0", "--limit-per-minute", "0", "--data-from",
         "2026-01-03 00:00:01", "--data-to", "2026-01-29 00:00:00"}};
  test_database db{"e_200k"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["jobs"][0]["window"]["start"] = "2025-12-25 00:00:00";
  config["jobs"][0]["window"]["max_span"] = "3d";
  const auto path = write_config("e_200k", config);
  auto first = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("rows inserted 200000, updated 0, unchanged 0, dead letters 0"));
  const auto diff = compare_flow(db, s, "2025-12-25 00:00:00", "2026-02-01 00:00:00");
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(diff.matching == 200000);
  CHECK(db.scalar("SELECT watermark FROM ferry_jobs WHERE job_id = 'skusn_inout'") == "2026-02-01 00:00:00");
  // No data_count to check: the distinct keys are the count, and empty windows are complete.
  CHECK(db.scalar("SELECT SUM(distinct_keys) FROM ferry_windows WHERE state = 'complete'") == "200000");
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_windows WHERE data_count IS NOT NULL") == "0");
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_windows WHERE state <> 'complete'") == "0");
  CHECK(std::stoi(db.scalar("SELECT COUNT(*) FROM ferry_windows WHERE fetched = 0 AND pages = 1")) >= 3);

  // Nothing left for a live run; a replay of the range finds every row unchanged.
  auto again = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("nothing to do"));
  auto replay = run_ferryd({"--config", path.string(), "--once", "skusn_inout", "--from", "2026-01-01 00:00:00",
                            "--to", "2026-02-01 00:00:00"});
  CHECK(replay.exit_code == 0);
  CHECK_THAT(replay.out, Catch::Contains("rows inserted 0, updated 0, unchanged 200000"));
  CHECK(db.scalar("SELECT watermark FROM ferry_jobs WHERE job_id = 'skusn_inout'") == "2026-02-01 00:00:00");
}

TEST_CASE("rows that arrive late but inside the lookback are caught by the next run", "[engine]") {
  const auto started = std::chrono::system_clock::now();
  sim s{{"--records", "3000", "--data-from", "now-10m", "--data-to", "now", "--late-fraction", "0.3",
         "--late-delay", "6s", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_late"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  auto& window = config["jobs"][0]["window"];
  window["start"] = beijing(started - 15min);
  window["lag"] = "1s";
  window.erase("end");
  const auto path = write_config("e_late", config);
  REQUIRE(run_ferryd({"--config", path.string(), "--once", "skusn_inout"}).exit_code == 0);
  const auto after_first = std::chrono::system_clock::now();
  std::this_thread::sleep_for(8s);
  REQUIRE(run_ferryd({"--config", path.string(), "--once", "skusn_inout"}).exit_code == 0);

  // Everything the simulator shows now up to the first run's end is in the table.
  const auto truth_now = s.truth(flow_api, beijing(started - 15min), beijing(after_first - 2s));
  const auto diff = compare(db, "bi_skusn_inout", flow_key, flow_columns, truth_now);
  INFO(diff.describe());
  CHECK(diff.missing == 0);
  CHECK(diff.stale == 0);
  // The run in between really did miss rows: the ledger's first window saw fewer than the truth holds.
  const auto first_window_count = std::stoull(db.scalar("SELECT distinct_keys FROM ferry_windows ORDER BY id LIMIT 1"));
  CHECK(first_window_count < truth_now.size());
}

TEST_CASE("a wrong app secret fails at once with the reason and leaves the watermark", "[engine]") {
  sim s{{"--records", "2000", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_secret"};
  set_source_env("not-the-secret");
  const auto path = write_config("e_secret", flow_config(s.port(), db));
  const auto started = std::chrono::steady_clock::now();
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  set_source_env();
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.out, Catch::Contains("code 10") && Catch::Contains("invalid signature") &&
                             Catch::Contains("app_secret"));
  CHECK(std::chrono::steady_clock::now() - started < 20s);
  CHECK(db.scalar("SELECT watermark FROM ferry_jobs") == "NULL");
  CHECK(db.scalar("SELECT state FROM ferry_runs") == "failed");
  // No retries of a config error: the refresh that learns the tokens' expiry, then the first page.
  const auto stats = s.stats();
  CHECK(stats["totals"]["refused_auth"].get<int>() == 2);
  CHECK(stats["endpoints"]["/openWeb/auth/refreshToken"]["calls"].get<int>() == 1);
}

TEST_CASE("MySQL refusing the config's password or database exits 2, a server that is away exits 1", "[engine]") {
  test_database db{"e_mysql_refused"};
  set_source_env();
  // 127.0.0.1:1 for the source: nothing is called before MySQL answers.
  auto config = flow_config(1, db);
  ::setenv("FERRY_TEST_WRONG_PASSWORD", "not-the-password", 1);
  config["mysql"]["password_env"] = "FERRY_TEST_WRONG_PASSWORD";
  const auto wrong_password = write_config("e_mysql_password", config);
  for (const std::vector<std::string>& mode : {std::vector<std::string>{"--once", "skusn_inout"}, {}}) {
    std::vector<std::string> args{"--config", wrong_password.string()};
    args.insert(args.end(), mode.begin(), mode.end());
    const auto result = run_ferryd_with_log(args, 60s);
    INFO(result.out);
    CHECK(result.exit_code == 2);  // the unit's RestartPreventExitStatus=2: no restart loop on a wrong password
    CHECK_THAT(result.out, Catch::Contains("1045") && Catch::Contains("fix it, then start again"));
  }
  config = flow_config(1, db);
  config["mysql"]["database"] = "ferry_no_such_database";
  const auto no_database = write_config("e_mysql_database", config);
  auto result = run_ferryd_with_log({"--config", no_database.string(), "--once", "skusn_inout"}, 60s);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.out, Catch::Contains("1049"));
  // Nothing listens there: MySQL is away, which a restart may well mend.
  config = flow_config(1, db);
  config["mysql"]["port"] = 1;
  const auto away = write_config("e_mysql_away", config);
  result = run_ferryd_with_log({"--config", away.string(), "--once", "skusn_inout"}, 60s);
  CHECK(result.exit_code == 1);
}

TEST_CASE("an expired token is refreshed once and the new tokens persist", "[engine]") {
  sim s{{"--records", "20000", "--token-expire-after-calls", "5", "--limit-per-second", "0",
         "--limit-per-minute", "0"}};
  test_database db{"e_token"};
  set_source_env();
  const auto path = write_config("e_token", flow_config(s.port(), db));
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  REQUIRE(result.exit_code == 0);
  const auto stored = db.scalar("SELECT access_token FROM ferry_sources WHERE source = 'jst'");
  CHECK(stored != "NULL");
  CHECK(stored != "demo-access-token");
  const auto diff = compare_flow(db, s, "2026-01-01 00:00:00", "2026-02-01 00:00:00");
  INFO(diff.describe());
  CHECK(diff.exact());
  // A second process still holds only the retired tokens in its environment:
  // it must use the persisted ones.
  const auto replay = run_ferryd({"--config", path.string(), "--once", "skusn_inout", "--from",
                                  "2026-01-01 00:00:00", "--to", "2026-01-02 00:00:00"});
  CHECK(replay.exit_code == 0);
}

TEST_CASE("kill -9 in the middle of a run, then a rerun, leaves the table exact", "[engine]") {
  sim s{{"--records", "60000", "--seed", "5", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_kill"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["sources"]["jst"]["rate_limits"] = {{{"calls", 20}, {"per", "1s"}}};
  config["jobs"][0]["window"]["max_span"] = "3d";
  const auto path = write_config("e_kill", config);
  {
    ferry::test_support::child_process ferryd{FERRYD_PATH, {"--config", path.string(), "--once", "skusn_inout"}};
    std::this_thread::sleep_for(1500ms);
    ::kill(ferryd.pid(), SIGKILL);
    ferryd.wait_for(10s);
  }
  const auto partial = db.scalar("SELECT COUNT(*) FROM bi_skusn_inout");
  INFO("rows after the kill: " << partial);
  CHECK(std::stoull(partial) < 60000);
  const auto rerun = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  REQUIRE(rerun.exit_code == 0);
  const auto diff = compare_flow(db, s, "2026-01-01 00:00:00", "2026-02-01 00:00:00");
  INFO(diff.describe());
  CHECK(diff.exact());
  // The ledger's complete windows leave no gap: each starts at or before the
  // previous one's end (lookback overlaps it on purpose) and ends later.
  CHECK(db.scalar("SELECT COUNT(*) FROM (SELECT window_start, window_end, LAG(window_end) OVER (ORDER BY id) AS "
                  "prev_end FROM ferry_windows WHERE state = 'complete') t WHERE prev_end IS NOT NULL AND "
                  "(window_start > prev_end OR window_end <= prev_end)") == "0");
  CHECK(db.scalar("SELECT MIN(window_start) FROM ferry_windows") == "2026-01-01 00:00:00");
  CHECK(db.scalar("SELECT MAX(window_end) FROM ferry_windows") == "2026-02-01 00:00:00");
}
