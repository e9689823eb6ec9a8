// Two ferryd on one job — the service and an operator's `ferryd --once`, or
// two --once from cron — must not both run it: the second is told who has the
// job and runs nothing (exit 4 for --once; the daemon tries again later), and
// the first's live run is never marked failed by the second's start.
#include "harness.hpp"
#include "reliability.hpp"

#include "support/http_client.hpp"

#include "ferry/core/time.hpp"
#include "ferry/mysql/connection.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using namespace ferry::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// 30,000 rows in pages of 500 at 2 calls/s: a run of ~30 s, long enough for
// a second ferryd to meet it.
nlohmann::ordered_json slow_flow_config(std::uint16_t port, const test_database& db) {
  auto config = flow_config(port, db);
  config["sources"]["jst"]["rate_limits"] = {{{"calls", 2}, {"per", "1s"}}};
  config["jobs"][0]["page_size"] = 500;
  return config;
}

// The first cell of `sql`, or "" while ferryd has not created its tables yet.
std::string scalar_or_empty(const test_database& db, const std::string& sql) {
  try {
    return db.scalar(sql);
  } catch (const ferry::mysql::error&) {
    return {};
  }
}

std::string runs_by_state(const test_database& db) {
  return db.scalar("SELECT GROUP_CONCAT(CONCAT(kind, ':', state) ORDER BY id) FROM ferry_runs");
}

}  // namespace

TEST_CASE("a second ferryd --once of a running job says who has it, runs nothing and exits 4",
          "[reliability][lock]") {
  sim s{{"--records", "30000", "--seed", "41", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"r_lock_once"};
  set_source_env();
  const auto path = write_config("r_lock_once", slow_flow_config(s.port(), db));

  running_ferryd first{{"--config", path.string(), "--once", "skusn_inout"}};
  eventually([&] { return scalar_or_empty(db, "SELECT COUNT(*) FROM ferry_runs WHERE state = 'running'") == "1"; }, 60s,
             "the first run to start");
  const auto run_id = db.scalar("SELECT id FROM ferry_runs");

  running_ferryd second{{"--config", path.string(), "--once", "skusn_inout"}};
  const auto second_exit = second.wait(60s);
  INFO(second.output());
  CHECK(second_exit == 4);
  const auto lock = "ferry/" + db.options.database + "/skusn_inout";
  CHECK_THAT(second.output(), Catch::Contains("job skusn_inout not run: another ferryd is running job skusn_inout: " +
                                              lock + " is held by MySQL connection "));
  CHECK_THAT(second.output(), Catch::Contains("on run " + run_id + " (once, started 2026-"));
  CHECK_THAT(second.output(), Catch::Contains("POST /api/v1/jobs/skusn_inout/runs"));
  // The first run is still going and still marked so; the second recorded nothing.
  CHECK(runs_by_state(db) == "once:running");

  INFO(first.output());
  CHECK(first.wait(120s) == 0);
  CHECK(runs_by_state(db) == "once:success");
  const auto result = compare_flow(db, s);
  INFO(result.describe());
  CHECK(result.exact());
  CHECK(result.matching == 30000);
}

TEST_CASE("the daemon waits for a --once run of its job, then syncs, and a --once during its backfill is refused",
          "[reliability][lock]") {
  sim s{{"--records", "30000", "--seed", "43", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"r_lock_daemon"};
  set_source_env();
  ::setenv("FERRY_ADMIN_TOKEN", "lock-test-token", 1);
  auto config = slow_flow_config(s.port(), db);
  config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}};
  config["jobs"][0]["schedule"] = {{"every", "1h"}};
  const auto path = write_config("r_lock_daemon", config);

  running_ferryd once{{"--config", path.string(), "--once", "skusn_inout"}};
  eventually([&] { return scalar_or_empty(db, "SELECT COUNT(*) FROM ferry_runs WHERE state = 'running'") == "1"; }, 60s,
             "the --once run to start");
  const auto once_run = db.scalar("SELECT id FROM ferry_runs");

  // The daemon starts while the --once run holds the job: it neither marks
  // that run abandoned nor runs the job itself, and says why.
  running_ferryd daemon{{"--config", path.string()}};
  ferry::test_support::http_client admin{"127.0.0.1", daemon.admin_port()};
  admin.set_header("Authorization", "Bearer lock-test-token");
  json job;
  eventually([&] {
    job = json::parse(admin.get("/api/v1/jobs/skusn_inout").response.body);
    return job["held_elsewhere"].is_string();
  }, 60s, "the daemon to find the job held");
  INFO(job.dump(2));
  CHECK_THAT(job["held_elsewhere"].get<std::string>(),
             Catch::Contains("is held by MySQL connection ") && Catch::Contains("on run " + once_run + " (once, "));
  CHECK(job["state"] == "idle");
  CHECK(job["next_run"].is_string());
  CHECK(runs_by_state(db) == "once:running");
  CHECK_THAT(daemon.output(),
             Catch::Contains("job=skusn_inout kind=scheduled msg=\"not run: another ferryd is running job"));

  INFO(once.output());
  CHECK(once.wait(120s) == 0);
  // The daemon runs the job once the --once has let go (a trigger asks for it now; the test
  // below checks that it runs before the 30 s retry).
  CHECK(admin.post_json("/api/v1/jobs/skusn_inout/runs", "").response.status == 202);
  eventually([&] {
    job = json::parse(admin.get("/api/v1/jobs/skusn_inout").response.body);
    return job["held_elsewhere"].is_null() && job["state"] == "idle";
  }, 60s, "the daemon's own run");
  CHECK(job["queued"] == false);

  // A backfill of the whole month keeps the daemon busy for ~30 s; a --once
  // meanwhile is refused, naming the backfill, which goes on undisturbed.
  CHECK(admin.post_json("/api/v1/jobs/skusn_inout/backfills",
                        R"({"from":"2026-01-01 00:00:00","to":"2026-02-01 00:00:00"})")
            .response.status == 202);
  eventually([&] {
    return db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE kind = 'backfill' AND state = 'running'") == "1";
  }, 60s, "the backfill to start");
  const auto backfill_run = db.scalar("SELECT id FROM ferry_runs WHERE kind = 'backfill'");
  running_ferryd refused{{"--config", path.string(), "--once", "skusn_inout"}};
  const auto refused_exit = refused.wait(60s);
  INFO(refused.output());
  CHECK(refused_exit == 4);
  CHECK_THAT(refused.output(), Catch::Contains("on run " + backfill_run + " (backfill, started "));
  CHECK(db.scalar("SELECT state FROM ferry_runs WHERE id = " + backfill_run) == "running");

  eventually([&] { return db.scalar("SELECT state FROM ferry_runs WHERE id = " + backfill_run) == "success"; }, 120s,
             "the backfill to finish");
  // Every run that started ended in success: none was marked failed by another's start.
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state <> 'success'") == "0");
  const auto result = compare_flow(db, s);
  INFO(result.describe());
  CHECK(result.exact());
  ::kill(daemon.pid(), SIGTERM);
  CHECK(daemon.wait(60s) == 0);
}

TEST_CASE("a trigger makes the daemon try a job another ferryd had at once, not at its retry time",
          "[reliability][lock]") {
  sim s{{"--records", "3000", "--seed", "47", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"r_lock_trigger"};
  set_source_env();
  ::setenv("FERRY_ADMIN_TOKEN", "lock-test-token", 1);
  auto config = flow_config(s.port(), db);
  config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}};
  config["jobs"][0]["schedule"] = {{"every", "1h"}};
  const auto path = write_config("r_lock_trigger", config);

  // This test's own session holds the job's lock, as another ferryd would.
  ferry::mysql::connection other{db.options};
  other.connect();
  const auto lock = "ferry/" + db.options.database + "/skusn_inout";
  std::string quoted;
  other.append_quoted(quoted, lock);
  REQUIRE(*other.query("SELECT GET_LOCK(" + quoted + ", 0)").front().front() == "1");
  const auto other_id = *other.query("SELECT CONNECTION_ID()").front().front();

  running_ferryd daemon{{"--config", path.string()}};
  ferry::test_support::http_client admin{"127.0.0.1", daemon.admin_port()};
  admin.set_header("Authorization", "Bearer lock-test-token");
  json job;
  const auto get_job = [&] { job = json::parse(admin.get("/api/v1/jobs/skusn_inout").response.body); };
  eventually([&] { get_job(); return job["held_elsewhere"].is_string(); }, 60s, "the daemon to find the job held");
  CHECK_THAT(job["held_elsewhere"].get<std::string>(), Catch::Contains("is held by MySQL connection " + other_id));

  // A trigger while the job is still held: one more attempt at once. A
  // backfill sent while that attempt waits for the lock asks for yet another
  // at once; held again, the run and the backfill stay queued for the retry.
  CHECK(admin.post_json("/api/v1/jobs/skusn_inout/runs", "").response.status == 202);
  CHECK(admin.post_json("/api/v1/jobs/skusn_inout/backfills",
                        R"({"from":"2026-01-01 00:00:00","to":"2026-01-02 00:00:00"})")
            .response.status == 202);
  const auto attempts = [&] {
    const auto out = daemon.output();
    std::size_t n = 0;
    for (auto at = out.find("job=skusn_inout kind=manual msg=\"not run:"); at != std::string::npos;
         at = out.find("job=skusn_inout kind=manual msg=\"not run:", at + 1))
      ++n;
    return n;
  };
  eventually([&] { return attempts() >= 2; }, 60s, "the triggered attempts");
  CHECK_THAT(daemon.output(), Catch::Contains("; trying again now (a run was asked for meanwhile)"));
  CHECK_THAT(daemon.output(), Catch::Contains("; trying again in 30s"));
  get_job();
  INFO(job.dump(2));
  REQUIRE(job["next_run"].is_string());
  CHECK(job["queued"] == true);
  CHECK(job["backfills_queued"] == 1);
  CHECK(job["state"] == "idle");
  // The retry time the daemon shows, about 30 s ahead.
  const auto retry_at = ferry::core::parse_instant(job["next_run"].get<std::string>());
  REQUIRE(retry_at);

  // The other ferryd lets go; a second trigger (the run is queued already)
  // is taken, not refused, and the run starts before the retry time.
  other.query("SELECT RELEASE_LOCK(" + quoted + ")");
  CHECK(admin.post_json("/api/v1/jobs/skusn_inout/runs", "").response.status == 202);
  eventually([&] {
    return scalar_or_empty(db, "SELECT GROUP_CONCAT(CONCAT(kind, ':', state) ORDER BY id) FROM ferry_runs") ==
           "manual:success,backfill:success";
  }, 60s, "the triggered run and the backfill");
  const auto runs = json::parse(admin.get("/api/v1/jobs/skusn_inout/runs?limit=5").response.body)["runs"];
  INFO(runs.dump(2));
  REQUIRE(runs.size() == 2);
  REQUIRE(runs[1]["kind"] == "manual");  // newest first
  const auto started = ferry::core::parse_instant(runs[1]["started_at"].get<std::string>());
  REQUIRE(started);
  CHECK(*started < *retry_at);
  get_job();
  CHECK(job["held_elsewhere"].is_null());
  CHECK(job["queued"] == false);
  const auto result = compare_flow(db, s);
  INFO(result.describe());
  CHECK(result.exact());
}

TEST_CASE("a run whose lock another ferryd takes while the lock's session is cut stops before its next commit",
          "[reliability][lock]") {
  sim s{{"--records", "30000", "--seed", "53", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"r_lock_lost"};
  set_source_env();
  const auto path = write_config("r_lock_lost", slow_flow_config(s.port(), db));
  running_ferryd once{{"--config", path.string(), "--once", "skusn_inout"}};
  eventually([&] { return scalar_or_empty(db, "SELECT COUNT(*) FROM ferry_runs WHERE state = 'running'") == "1"; }, 60s,
             "the run to start");
  const auto run_id = db.scalar("SELECT id FROM ferry_runs");

  // The server ends ferryd's lock session (a KILL, a network break) and, in
  // that moment, another ferryd takes the job: here, this test's session.
  ferry::mysql::connection other{db.options};
  other.connect();
  const auto lock = "ferry/" + db.options.database + "/skusn_inout";
  std::string quoted;
  other.append_quoted(quoted, lock);
  const auto other_id = *other.query("SELECT CONNECTION_ID()").front().front();
  bool taken = false;
  for (int attempt = 0; attempt < 5 && !taken; ++attempt) {
    const auto holder = db.scalar("SELECT IFNULL(IS_USED_LOCK(" + quoted + "), 0)");
    if (holder != "0") db.scalar("KILL CONNECTION " + holder);
    taken = other.query("SELECT GET_LOCK(" + quoted + ", 10)").front().front().value_or("0") == "1";
  }
  REQUIRE(taken);

  const auto exit = once.wait(120s);
  INFO(once.output());
  CHECK(exit == 1);
  CHECK_THAT(once.output(), Catch::Contains("the job-lock connection to MySQL was opened again") &&
                                Catch::Contains("0 lock(s) taken back, 1 held by another process"));
  CHECK_THAT(once.output(), Catch::Contains("lost the job's lock " + lock + " to MySQL connection " + other_id));
  CHECK(db.scalar("SELECT state FROM ferry_runs WHERE id = " + run_id) == "failed");
  CHECK_THAT(db.scalar("SELECT error FROM ferry_runs WHERE id = " + run_id), Catch::Contains("lost the job's lock"));
  // It stopped before committing the month's window: no ledger row, no watermark.
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_windows WHERE run_id = " + run_id) == "0");
  CHECK(db.scalar("SELECT IFNULL(watermark, 'none') FROM ferry_jobs WHERE job_id = 'skusn_inout'") == "none");

  // The other ferryd lets go; the next run goes on from the watermark and
  // the table ends exact.
  other.query("SELECT RELEASE_LOCK(" + quoted + ")");
  running_ferryd again{{"--config", path.string(), "--once", "skusn_inout"}};
  INFO(again.output());
  CHECK(again.wait(120s) == 0);
  const auto result = compare_flow(db, s);
  INFO(result.describe());
  CHECK(result.exact());
  CHECK(result.matching == 30000);
}
