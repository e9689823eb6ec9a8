// "No progress lost in a crash": a 200k-record sync in which ferryd is killed
// with SIGKILL again and again — while it fetches, while a batch is being
// written, while a window's commit is open — and restarted each time, half of
// the lives as `ferryd --once`, the others as the scheduled daemon. At the end
// the table equals jst-sim's truth and the ledger of complete windows tiles the
// range with no gap and no overlap.
//
// The moments are drawn from a seed printed at the start; replay a failure
// with FERRY_CRASH_SEED=<seed>. FERRY_CRASH_KILLS sets the number of kills.
#include "harness.hpp"
#include "reliability.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <iostream>
#include <optional>
#include <random>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;

namespace {

// What the job's connections were doing at the moment of the kill.
std::string activity(const test_database& db) {
  const auto running = db.scalar(
      "SELECT COALESCE(GROUP_CONCAT(LEFT(info, 40) SEPARATOR ' | '), '') FROM information_schema.processlist "
      "WHERE db = DATABASE() AND command <> 'Sleep' AND id <> CONNECTION_ID()");
  if (running.find("ferry_jobs") != std::string::npos) return "commit";
  if (running.find("bi_skusn_inout") != std::string::npos) return "batch";
  return "fetch";
}

std::string table_rows(const test_database& db) {
  try {
    return db.scalar("SELECT COUNT(*) FROM bi_skusn_inout");
  } catch (const std::exception&) {
    return "0 (no table yet)";
  }
}

}  // namespace

TEST_CASE("SIGKILL at 20+ random moments of a 200k-record sync loses nothing and doubles nothing",
          "[reliability][crash]") {
  const auto seed = env_number("FERRY_CRASH_SEED", std::random_device{}());
  const auto kills = env_number("FERRY_CRASH_KILLS", 24);
  std::cout << "crash test: seed " << seed << ", " << kills << " kills (replay: FERRY_CRASH_SEED=" << seed
            << ")" << std::endl;
  INFO("replay with FERRY_CRASH_SEED=" << seed);
  std::mt19937_64 rng{seed};

  sim s{{"--records", "200000", "--seed", "11", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"r_crash"};
  set_source_env();
  ::setenv("FERRY_ADMIN_TOKEN", "crash-test-token", 1);
  auto config = flow_config(s.port(), db);
  // Windows of 12 h and pages of 500: ~62 commits and ~430 pages at 15 calls/s,
  // so the sync spans the kills and they fall on every phase. No lookback, so
  // complete windows must tile the range exactly.
  config["jobs"][0]["window"]["max_span"] = "12h";
  config["jobs"][0]["window"]["lookback"] = "0s";
  config["jobs"][0]["page_size"] = 500;
  config["sources"]["jst"]["rate_limits"] = {{{"calls", 15}, {"per", "1s"}}};
  config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}};
  config["jobs"][0]["schedule"] = {{"every", "2s"}};
  const auto path = write_config("r_crash", config);

  std::map<std::string, int> landed;  // fetch / batch / commit
  for (std::uint64_t kill = 1; kill <= kills; ++kill) {
    const bool as_daemon = rng() % 2 == 0;
    std::vector<std::string> args{"--config", path.string()};
    if (!as_daemon) args.insert(args.end(), {"--once", "skusn_inout"});
    ferry::test_support::child_process ferryd{FERRYD_PATH, args};
    // One kill in four waits for a window's commit, one in four for a batch:
    // a second client holds the job's row (or a read lock on the target
    // table), so ferryd's statement waits inside its open transaction when the
    // kill comes. The others land wherever the clock says.
    const char* wait_for = kill % 4 == 0 ? "UPDATE ferry_jobs SET watermark%"
                           : kill % 4 == 2 && db.scalar("SELECT COUNT(*) FROM information_schema.tables WHERE "
                                                        "table_schema = DATABASE() AND table_name = "
                                                        "'bi_skusn_inout'") == "1"
                               ? "%bi_skusn_inout%"
                               : nullptr;
    std::optional<row_lock> lock;  // released after the kill
    if (wait_for != nullptr) {
      drain_for(ferryd, std::chrono::milliseconds{300 + rng() % 1200});
      lock.emplace(db, kill % 4 == 0 ? "SELECT * FROM ferry_jobs WHERE job_id = 'skusn_inout' FOR UPDATE"
                                      : "LOCK TABLES bi_skusn_inout READ");
      const auto deadline = std::chrono::steady_clock::now() + 10s;
      while (std::chrono::steady_clock::now() < deadline &&
             db.scalar("SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() AND command <> 'Sleep' "
                       "AND info LIKE '" + std::string{wait_for} + "' AND info NOT LIKE '%FOR UPDATE%'") == "0")
        drain_for(ferryd, 20ms);
    } else {
      drain_for(ferryd, std::chrono::milliseconds{300 + rng() % 2700});
    }
    const auto where = activity(db);
    ::kill(ferryd.pid(), SIGKILL);
    ferryd.wait_for(10s);
    lock.reset();
    ++landed[where];
    std::cout << "kill " << kill << " (" << (as_daemon ? "daemon" : "--once") << "): during " << where
              << ", rows now " << table_rows(db) << ", watermark "
              << db.scalar("SELECT watermark FROM ferry_jobs WHERE job_id = 'skusn_inout'") << std::endl;
  }
  std::cout << "kills landed: fetch " << landed["fetch"] << ", batch " << landed["batch"] << ", commit "
            << landed["commit"] << std::endl;
  CHECK(landed["commit"] >= 1);
  CHECK(landed["batch"] >= 1);

  const auto last = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  REQUIRE(last.exit_code == 0);
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(diff.matching == 200000);
  std::cout << "after " << kills << " kills: " << diff.describe() << std::endl;

  // The ledger: complete windows, in order, start where the previous one
  // ended (no gap), never before (no overlap), and cover all of January.
  CHECK(db.scalar("SELECT COUNT(*) FROM (SELECT window_start, LAG(window_end) OVER (ORDER BY window_start, id) "
                  "AS prev_end FROM ferry_windows WHERE job_id = 'skusn_inout' AND state = 'complete') t "
                  "WHERE prev_end IS NOT NULL AND window_start <> prev_end") == "0");
  CHECK(db.scalar("SELECT MIN(window_start) FROM ferry_windows WHERE state = 'complete'") == "2026-01-01 00:00:00");
  CHECK(db.scalar("SELECT MAX(window_end) FROM ferry_windows WHERE state = 'complete'") == "2026-02-01 00:00:00");
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_windows WHERE state <> 'complete'") == "0");
  CHECK(db.scalar("SELECT watermark FROM ferry_jobs WHERE job_id = 'skusn_inout'") == "2026-02-01 00:00:00");
  // Every run a kill cut short is closed as failed by the next start, none is
  // left "running".
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state IN ('queued','running')") == "0");
}
