// The long-running ferryd against jst-sim and MariaDB, driven like an
// operator drives it: curl-like requests to the admin API, signals.
#include "harness.hpp"

#include "ferry/core/time.hpp"

#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string token = "s3cret-admin-token";

// A running ferryd daemon and a client for its admin API.
class daemon_process : public ferryd_daemon {
 public:
  using ferryd_daemon::ferryd_daemon;
  ferry::test_support::http_result call(const std::string& method, const std::string& target,
                                        const std::string& body = {}, bool auth = true,
                                        const std::string& content_type = "application/json") {
    ferry::test_support::http_client client{"127.0.0.1", port(), 30s};
    if (auth) client.set_header("Authorization", "Bearer " + token);
    return client.request(method, target, body, body.empty() ? std::string{} : content_type);
  }
};

json daemon_config(std::uint16_t sim_port, const test_database& db, const std::string& every) {
  auto config = flow_config(sim_port, db);
  config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}, {"shutdown_timeout", "20s"}};
  config["jobs"][0]["schedule"] = {{"every", every}};
  return json::parse(config.dump());
}

}  // namespace

namespace {

json body_of(const ferry::test_support::http_result& r) {
  REQUIRE(r.ok());
  return json::parse(r.response.body);
}

struct fixture {
  explicit fixture(const std::string& name, std::vector<std::string> sim_args, const std::string& every = "1h")
      : s{std::move(sim_args)}, db{name} {
    set_source_env();
    ::setenv("FERRY_ADMIN_TOKEN", token.c_str(), 1);
    config = write_config(name, daemon_config(s.port(), db, every));
  }
  sim s;
  test_database db;
  std::filesystem::path config;
};


}  // namespace

TEST_CASE("health, readiness, auth and errors of the admin API", "[daemon][api]") {
  fixture f{"d_api", {"--records", "2000", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  daemon_process d{f.config};
  CHECK(d.call("GET", "/healthz", {}, false).response.status == 200);
  CHECK(d.call("GET", "/readyz", {}, false).response.status == 200);
  CHECK(d.call("GET", "/api/v1/jobs", {}, false).response.status == 401);
  {
    ferry::test_support::http_client wrong{"127.0.0.1", d.port()};
    wrong.set_header("Authorization", "Bearer nope");
    CHECK(wrong.get("/api/v1/jobs").response.status == 401);
  }
  const auto jobs = body_of(d.call("GET", "/api/v1/jobs"));
  REQUIRE(jobs["jobs"].size() == 1);
  CHECK(jobs["jobs"][0]["id"] == "skusn_inout");
  CHECK(d.call("GET", "/api/v1/jobs/nope").response.status == 404);
  CHECK(d.call("DELETE", "/api/v1/jobs/skusn_inout").response.status == 405);
  CHECK(d.call("PATCH", "/api/v1/jobs/skusn_inout", "{not json").response.status == 400);
  CHECK(d.call("PATCH", "/api/v1/jobs/skusn_inout", R"({"paused":"yes"})").response.status == 400);
  CHECK(d.call("PATCH", "/api/v1/jobs/skusn_inout", R"({"paused":true})", true, "text/plain").response.status == 415);
  CHECK(d.call("POST", "/api/v1/jobs/skusn_inout/backfills", std::string(200000, ' ')).response.status == 413);
  CHECK(d.call("POST", "/api/v1/jobs/skusn_inout/backfills", R"({"from":"2026-01-05 00:00:00","to":"2026-01-01 00:00:00"})")
            .response.status == 422);
  CHECK(d.call("PUT", "/api/v1/log-level", R"({"level":"debug"})").response.status == 200);
  CHECK(d.call("PUT", "/api/v1/log-level", R"({"level":"loud"})").response.status == 422);
  CHECK(d.call("GET", "/api/v1/jobs/skusn_inout/windows?state=bogus").response.status == 422);
  CHECK(d.call("GET", "/api/v1/jobs/skusn_inout/runs?limit=5").response.status == 200);
  const auto metrics = d.call("GET", "/metrics", {}, false);
  CHECK(metrics.response.status == 200);
  CHECK_THAT(metrics.response.body, Catch::Contains("ferry_build_info"));
  CHECK(d.terminate() == 0);
}

TEST_CASE("the first scheduled run syncs, a trigger runs again, metrics move", "[daemon][schedule]") {
  fixture f{"d_sched", {"--records", "5000", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  daemon_process d{f.config};
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'success'") == "1"; }, 60s,
             "the catch-up run");
  const auto diff = compare_flow(f.db, f.s);
  INFO(diff.describe());
  CHECK(diff.exact());
  const auto job = body_of(d.call("GET", "/api/v1/jobs/skusn_inout"));
  CHECK(job["watermark"] == "2026-02-01T00:00:00+08:00");
  CHECK(job["last_run"]["state"] == "success");
  std::this_thread::sleep_for(1100ms);  // run start times have whole seconds
  const auto triggered = d.call("POST", "/api/v1/jobs/skusn_inout/runs");
  CHECK(triggered.response.status == 202);
  eventually([&] { return body_of(d.call("GET", "/api/v1/jobs/skusn_inout"))["last_run_started"] !=
                          job["last_run_started"]; },
             30s, "the triggered run");
  const auto runs = body_of(d.call("GET", "/api/v1/jobs/skusn_inout/runs"));
  CHECK(runs["runs"].size() >= 1);
  const auto text = d.call("GET", "/metrics", {}, false).response.body;
  CHECK_THAT(text, Catch::Contains("ferry_records_fetched_total{ferry_job=\"skusn_inout\"} 5000"));
  CHECK_THAT(text, Catch::Contains("ferry_http_requests_total{api=\"/open/webapi/wmsapi/skusn/queryinoutitemskusns\","
                                   "outcome=\"ok\",source=\"jst\"}"));
  // The catch-up run and (once it has ended) the triggered one; none failed.
  // (Read without std::regex: its recursion over the whole exposition overflows the stack under ASan.)
  const auto successes = metric_sample(text, "ferry_job_runs_total{ferry_job=\"skusn_inout\",outcome=\"success\"}");
  CHECK((successes == "1" || successes == "2"));
  // Every finished run's duration is observed under its kind: the first scheduled run (which
  // catches up from the window's start) and the triggered one are live runs, not backfills.
  const auto live = metric_sample(text, "ferry_job_run_duration_seconds_count{ferry_job=\"skusn_inout\",kind=\"live\"}");
  const auto backfill =
      metric_sample(text, "ferry_job_run_duration_seconds_count{ferry_job=\"skusn_inout\",kind=\"backfill\"}");
  REQUIRE(live);
  REQUIRE(backfill);
  CHECK(*backfill == "0");
  CHECK(*live == *successes);
  CHECK_THAT(text, Catch::Contains("ferry_job_runs_total{ferry_job=\"skusn_inout\",outcome=\"failed\"} 0"));
  CHECK(d.terminate() == 0);
}

TEST_CASE("pause persists across a restart and resume lets runs go again", "[daemon][pause]") {
  fixture f{"d_pause", {"--records", "3000", "--limit-per-second", "0", "--limit-per-minute", "0"}, "2s"};
  {
    daemon_process d{f.config};
    const auto paused = d.call("PATCH", "/api/v1/jobs/skusn_inout", R"({"paused":true})");
    CHECK(paused.response.status == 200);
    CHECK(body_of(paused)["paused"] == true);
    CHECK(d.terminate() == 0);
  }
  CHECK(f.db.scalar("SELECT paused FROM ferry_jobs WHERE job_id = 'skusn_inout'") == "1");
  const auto runs_before = f.db.scalar("SELECT COUNT(*) FROM ferry_runs");
  daemon_process d{f.config};
  std::this_thread::sleep_for(5s);  // two schedule periods: a paused job must not run
  CHECK(f.db.scalar("SELECT COUNT(*) FROM ferry_runs") == runs_before);
  CHECK(body_of(d.call("GET", "/api/v1/jobs/skusn_inout"))["paused"] == true);
  CHECK(d.call("PATCH", "/api/v1/jobs/skusn_inout", R"({"paused":false})").response.status == 200);
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'success'") != "0"; }, 60s,
             "a run after resume");
  CHECK(f.db.scalar("SELECT paused FROM ferry_jobs WHERE job_id = 'skusn_inout'") == "0");
  CHECK(d.terminate() == 0);
}

TEST_CASE("backfill dry run answers windows and calls, and a backfill leaves the watermark", "[daemon][backfill]") {
  fixture f{"d_backfill", {"--records", "4000", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  daemon_process d{f.config};
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'success'") == "1"; }, 60s,
             "the first run");
  const auto dry = d.call("POST", "/api/v1/jobs/skusn_inout/backfills",
                          R"({"from":"2026-01-01 00:00:00","to":"2026-03-01 00:00:00","dry_run":true})");
  REQUIRE(dry.response.status == 200);
  const auto plan = json::parse(dry.response.body);
  CHECK(plan["windows"].size() == 3);  // 29-day max span: Jan 1-30, Jan 30-Feb 28, Feb 28-Mar 1
  CHECK(plan["estimated_calls_min"] == 3);
  CHECK(f.db.scalar("SELECT COUNT(*) FROM ferry_runs") == "1");  // a dry run runs nothing
  const auto queued = d.call("POST", "/api/v1/jobs/skusn_inout/backfills",
                             R"({"from":"2026-01-01 00:00:00","to":"2026-01-10 00:00:00"})");
  CHECK(queued.response.status == 202);
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE kind = 'backfill' AND state = 'success'") == "1"; },
             60s, "the backfill");
  CHECK(f.db.scalar("SELECT watermark FROM ferry_jobs") == "2026-02-01 00:00:00");
  CHECK(f.db.scalar("SELECT inserted FROM ferry_runs WHERE kind = 'backfill'") == "0");
  const auto windows = body_of(d.call("GET", "/api/v1/jobs/skusn_inout/windows?state=complete"));
  CHECK(windows["windows"].size() >= 2);
  // The backfill's duration is a backfill's: the live runs' usual length (FerryRunStuck) leaves it out.
  const auto durations = [&](const char* kind) {
    return metric_sample(d.call("GET", "/metrics", {}, false).response.body,
                         std::string{"ferry_job_run_duration_seconds_count{ferry_job=\"skusn_inout\",kind=\""} + kind +
                             "\"}");
  };
  eventually([&] { return durations("backfill") == std::optional<std::string>{"1"}; }, 10s, "the backfill's duration");
  CHECK(durations("live") == std::optional<std::string>{"1"});
  CHECK(d.terminate() == 0);
}

TEST_CASE("SIGTERM in the middle of a run exits 0 and a restart finishes exactly", "[daemon][sigterm]") {
  fixture f{"d_sigterm", {"--records", "60000", "--seed", "9", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  auto config = daemon_config(f.s.port(), f.db, "1h");
  config["sources"]["jst"]["rate_limits"] = {{{"calls", 20}, {"per", "1s"}}};
  config["jobs"][0]["window"]["max_span"] = "3d";
  const auto path = write_config("d_sigterm", config);
  {
    daemon_process d{path};
    eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_windows") != "0"; }, 60s, "a first window");
    CHECK(d.terminate() == 0);
  }
  CHECK(std::stoull(f.db.scalar("SELECT COUNT(*) FROM bi_skusn_inout")) < 60000);
  // Cut by the shutdown between windows: interrupted, not failed (a deploy pages no one).
  CHECK(f.db.scalar("SELECT state FROM ferry_runs ORDER BY id LIMIT 1") == "interrupted");
  CHECK_THAT(f.db.scalar("SELECT error FROM ferry_runs ORDER BY id LIMIT 1"),
             Catch::StartsWith("interrupted by shutdown before window"));
  daemon_process d{path};
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'success'") == "1"; }, 120s,
             "the run after the restart");
  const auto diff = compare_flow(f.db, f.s);
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(d.terminate() == 0);
}

TEST_CASE("SIGHUP adds a job without stopping the others and refuses a broken config", "[daemon][reload]") {
  fixture f{"d_reload", {"--records", "4000", "--orders", "800", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  daemon_process d{f.config};
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE job_id = 'skusn_inout' AND state = 'success'") == "1"; },
             60s, "the flow job's first run");
  const auto first_start = body_of(d.call("GET", "/api/v1/jobs/skusn_inout"))["last_run_started"];

  // Add the orders job.
  auto config = daemon_config(f.s.port(), f.db, "1h");
  config["jobs"].push_back(json::parse(orders_config(f.s.port(), f.db)["jobs"][0].dump()));
  write_config("d_reload", nlohmann::ordered_json::parse(config.dump()));
  ::kill(d.pid(), SIGHUP);
  eventually([&] { return body_of(d.call("GET", "/api/v1/jobs"))["jobs"].size() == 2; }, 30s, "the added job");
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE job_id = 'orders' AND state = 'success'") == "1"; },
             60s, "the added job's first run");
  CHECK(std::stoi(f.db.scalar("SELECT COUNT(*) FROM bi_orders")) == 800);
  // The unchanged job was not restarted: no new run of it.
  CHECK(body_of(d.call("GET", "/api/v1/jobs/skusn_inout"))["last_run_started"] == first_start);

  // Whatever the file holds, the reload is refused and ferryd goes on: cut
  // JSON, nothing, binary bytes, an array, no file at all.
  const auto metric = [&](const std::string& series) {
    return metric_sample(d.call("GET", "/metrics", {}, false).response.body, series);
  };
  const auto refused = [&] {
    const auto value = metric("ferry_config_reloads_total{result=\"refused\"}");
    return value ? std::stoi(*value) : -1;
  };
  const std::vector<std::string> broken{"{ \"mysql\": ", "", std::string{"\x00\xff\xfe{", 4}, "[]"};
  for (std::size_t i = 0; i <= broken.size(); ++i) {
    if (i < broken.size()) std::ofstream{f.config, std::ios::binary | std::ios::trunc} << broken[i];
    else std::filesystem::remove(f.config);
    ::kill(d.pid(), SIGHUP);
    eventually([&] { return refused() == static_cast<int>(i) + 1; }, 30s, "the refusal");
    CHECK(d.call("GET", "/healthz", {}, false).response.status == 200);
    CHECK(body_of(d.call("GET", "/api/v1/jobs"))["jobs"].size() == 2);
  }
  CHECK(metric("ferry_config_last_reload_successful") == "0");
  // The good file again: applied, and the gauge says so.
  write_config("d_reload", nlohmann::ordered_json::parse(config.dump()));
  ::kill(d.pid(), SIGHUP);
  eventually([&] { return metric("ferry_config_last_reload_successful") == "1"; }, 30s, "the good file applied");
  CHECK(refused() == 5);
  CHECK(d.terminate() == 0);
}

TEST_CASE("every metric family moves under faults, throttles, dead letters and drift", "[daemon][metrics]") {
  // Three hourly windows of about 500 rows, three pages each (the standard envelope's page_count lets
  // ferry fetch them at once: incomplete windows also need its count to miss).
  fixture f{"d_metrics", {"--records", "1500", "--data-to", "2026-01-01 03:00:00", "--http-503", "0.1",
                          "--limit-per-second", "2", "--limit-per-minute", "0", "--drift-rows-per-call", "20",
                          "--flow-envelope", "standard"}};
  auto config = daemon_config(f.s.port(), f.db, "1h");
  // Above jst-sim's 2 calls/s, with a window's three pages sent together: throttled however slow the
  // machine (a limit merely above the simulator's rate is not reached when every call is slow).
  config["sources"]["jst"]["rate_limits"] = {{{"calls", 4}, {"per", "1s"}}};
  config["sources"]["jst"]["max_in_flight"] = 3;
  config["jobs"][0]["page_size"] = 200;
  config["jobs"][0]["dead_letter_max_ratio"] = 1.0;
  config["jobs"][0]["window"]["end"] = "2026-01-01 03:00:00";
  // Supplier names longer than 6 characters cannot be stored: those records become dead letters.
  config["jobs"][0]["targets"][0]["columns"]["supplier_name"]["type"] = "varchar(6)";
  const auto path = write_config("d_metrics", config);
  daemon_process d{path};
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state IN ('success','failed')") == "1"; },
             180s, "the run");
  // The run's row is written before the daemon counts the run: wait for the count, then read every family.
  std::string text;
  eventually([&] {
    text = d.call("GET", "/metrics", {}, false).response.body;
    return text.find("ferry_job_runs_total{ferry_job=\"skusn_inout\",outcome=\"success\"} 1") != std::string::npos ||
           text.find("ferry_job_runs_total{ferry_job=\"skusn_inout\",outcome=\"failed\"} 1") != std::string::npos;
  }, 30s, "the run to be counted");
  // A family moved when some sample of it is not zero.
  const auto moved = [&](const std::string& family) {
    std::size_t at = 0;
    while ((at = text.find("\n" + family, at)) != std::string::npos) {
      const auto end = text.find('\n', at + 1);
      const auto line = text.substr(at + 1, end - at - 1);
      const auto value = line.substr(line.rfind(' ') + 1);
      if (value != "0" && value != "0.0" && value != "nan") return true;
      at = end;
    }
    return false;
  };
  for (const char* family :
       {"ferry_records_fetched_total", "ferry_rows_written_total", "ferry_dead_letters_total",
        "ferry_http_requests_total", "ferry_http_request_duration_seconds_count", "ferry_ratelimit_wait_seconds_total",
        "ferry_throttled_total", "ferry_retries_total", "ferry_job_runs_total", "ferry_watermark_timestamp_seconds",
        "ferry_windows_incomplete", "ferry_mysql_pool_connections", "ferry_mysql_batch_duration_seconds_count",
        "ferry_build_info", "ferry_job_schedule_period_seconds", "ferry_last_success_timestamp_seconds"}) {
    INFO(family);
    CHECK(moved(family));
  }
  CHECK(d.call("PATCH", "/api/v1/jobs/skusn_inout", R"({"paused":true})").response.status == 200);
  CHECK(d.call("GET", "/metrics", {}, false).response.body.find("ferry_job_paused{ferry_job=\"skusn_inout\"} 1") !=
        std::string::npos);
  CHECK(d.terminate() == 0);
}

TEST_CASE("hundreds of concurrent API clients are served while a sync runs", "[daemon][load]") {
  fixture f{"d_load", {"--records", "60000", "--seed", "4", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  auto config = daemon_config(f.s.port(), f.db, "1h");
  config["sources"]["jst"]["rate_limits"] = {{{"calls", 6}, {"per", "1s"}}};  // a sync of ~12 s
  config["jobs"][0]["window"]["max_span"] = "3d";
  const auto path = write_config("d_load", config);
  daemon_process d{path};
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_windows") != "0"; }, 60s, "the sync to be under way");
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 250; ++i)
    clients.emplace_back([&] {
      ferry::test_support::http_client client{"127.0.0.1", d.port(), 30s};
      client.set_header("Authorization", "Bearer " + token);
      for (int round = 0; round < 2; ++round) {
        const auto r = client.get(round == 0 ? "/api/v1/jobs/skusn_inout" : "/metrics");
        if (r.ok() && r.response.status == 200) ++ok;
      }
    });
  for (auto& c : clients) c.join();
  CHECK(ok.load() == 500);
  CHECK(body_of(d.call("GET", "/api/v1/jobs/skusn_inout"))["state"] == "running");  // the sync went on meanwhile
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'success'") == "1"; }, 120s,
             "the sync to finish");
  const auto diff = compare_flow(f.db, f.s);
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(d.terminate() == 0);
}

TEST_CASE("a job's catch-up runs on its own schedule, over its own range, and leaves the live schedule alone",
          "[daemon][catch_up]") {
  fixture f{"d_catch_up", {"--records", "3000", "--data-from", "now-3d", "--data-to", "now-1h", "--limit-per-second",
                           "0", "--limit-per-minute", "0"}};
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto four_days_ago = ferry::core::format_shanghai_datetime(now - std::chrono::hours{96});
  auto config = daemon_config(f.s.port(), f.db, "1h");
  config["jobs"][0]["window"] = {{"start", four_days_ago}, {"max_span", "3d"}};
  config["jobs"][0]["catch_up"] = {{"schedule", {{"every", "2s"}}},
                                   {"from", "{{DAYS_AGO_2|datetime}}"},
                                   {"to", "{{DAYS_AGO_1|datetime}}"}};
  const auto path = write_config("d_catch_up", nlohmann::ordered_json::parse(config.dump()));
  daemon_process d{path};
  const auto catch_ups = [&] {
    return std::stoi(f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE kind = 'catch_up' AND state = 'success'"));
  };
  eventually([&] { return catch_ups() >= 2; }, 60s, "two catch-up runs");
  // One live run (the first, at start): the catch-ups moved neither its schedule nor the watermark.
  CHECK(f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE kind = 'scheduled'") == "1");
  const auto runs = body_of(d.call("GET", "/api/v1/jobs/skusn_inout/runs?limit=10"));
  bool saw_catch_up = false;
  for (const auto& r : runs["runs"]) saw_catch_up |= r["kind"] == "catch_up";
  CHECK(saw_catch_up);
  // A day wide, two days back; the live run had it all, so it found nothing new.
  CHECK(f.db.scalar("SELECT TIMESTAMPDIFF(HOUR, range_start, range_end) FROM ferry_runs WHERE kind = 'catch_up' LIMIT 1") ==
        "24");
  CHECK(f.db.scalar("SELECT SUM(inserted) FROM ferry_runs WHERE kind = 'catch_up'") == "0");
  CHECK(f.db.scalar("SELECT MIN(unchanged) > 0 FROM ferry_runs WHERE kind = 'catch_up'") == "1");
  const auto diff = compare_flow(f.db, f.s, four_days_ago, ferry::core::format_shanghai_datetime(now));
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(d.terminate() == 0);
}

TEST_CASE("a reload refused while a run goes on changes nothing: the run and the runs after it succeed",
          "[daemon][reload]") {
  fixture f{"d_reload_refused",
            {"--records", "20000", "--seed", "21", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  auto config = daemon_config(f.s.port(), f.db, "1h");
  config["sources"]["jst"]["rate_limits"] = {{{"calls", 3}, {"per", "1s"}}};  // a run of ten seconds or so
  config["jobs"][0]["window"]["max_span"] = "3d";
  const auto path = write_config("d_reload_refused", nlohmann::ordered_json::parse(config.dump()));
  daemon_process d{path};
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_windows") != "0"; }, 60s, "the run under way");
  // A CA bundle that exists but holds no certificate OpenSSL can read.
  const auto broken = path.parent_path() / "d_reload_refused-ca.pem";
  std::ofstream{broken} << "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n";
  auto changed = config;
  changed["sources"]["jst"]["tls"] = {{"ca_file", broken.string()}};
  write_config("d_reload_refused", nlohmann::ordered_json::parse(changed.dump()));
  ::kill(d.pid(), SIGHUP);
  // Refused by the file check itself now: the bundle holds no certificate OpenSSL can read.
  eventually([&] {
    return metric_sample(d.call("GET", "/metrics", {}, false).response.body,
                         "ferry_config_reloads_total{result=\"refused\"}") == "1";
  }, 30s, "the refusal");
  CHECK(d.call("GET", "/healthz", {}, false).response.status == 200);
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'success'") == "1"; }, 120s,
             "the run under way to succeed");
  CHECK(f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'running'") == "0");
  // The job runs on as before: a backfill through the same client succeeds too.
  CHECK(d.call("POST", "/api/v1/jobs/skusn_inout/backfills",
               R"({"from":"2026-01-01 00:00:00","to":"2026-01-05 00:00:00"})").response.status == 202);
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'success'") == "2"; }, 60s,
             "the backfill");
  CHECK(f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'failed'") == "0");
  const auto diff = compare_flow(f.db, f.s);
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(d.terminate() == 0);
}

namespace {

// A datagram socket standing in for systemd's $NOTIFY_SOCKET.
class notify_socket {
 public:
  notify_socket() : path_{std::filesystem::temp_directory_path() / ("ferry-notify-" + std::to_string(::getpid()))} {
    std::filesystem::remove(path_);
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const auto text = path_.string();
    REQUIRE(text.size() < sizeof address.sun_path);
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~notify_socket() {
    ::close(fd_);
    std::filesystem::remove(path_);
  }
  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;
  std::string path() const { return path_.string(); }

  // The next notification that is not WATCHDOG=1 (those are counted), or "" after `wait`.
  std::string next_state(std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return {};
      char buffer[4096];
      const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return {};
      std::string text(buffer, static_cast<std::size_t>(n));
      if (text != "WATCHDOG=1") return text;
      ++watchdogs;
    }
  }
  int watchdogs = 0;

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

std::uint64_t monotonic_usec() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000U + static_cast<std::uint64_t>(now.tv_nsec) / 1000U;
}

}  // namespace

// What can be checked of the unit's Type=notify without systemd as PID 1: the
// datagrams ferryd sends to $NOTIFY_SOCKET, in order.
TEST_CASE("ferryd speaks systemd's notify protocol: ready, watchdog, reloading with its time, stopping",
          "[daemon][systemd]") {
  fixture f{"d_notify", {"--records", "200", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  notify_socket systemd;
  ::setenv("NOTIFY_SOCKET", systemd.path().c_str(), 1);
  ::setenv("WATCHDOG_USEC", "1000000", 1);  // a watchdog every half second
  daemon_process d{f.config};
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  CHECK(systemd.next_state(30s) == "READY=1\nSTATUS=syncing 1 jobs");
  CHECK(systemd.next_state(2s).empty());  // nothing but watchdogs while it runs
  CHECK(systemd.watchdogs >= 2);

  const auto before = monotonic_usec();
  ::kill(d.pid(), SIGHUP);
  const auto reloading = systemd.next_state(30s);
  const auto after = monotonic_usec();
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  REQUIRE(reloading.starts_with(prefix));
  const auto at = std::stoull(reloading.substr(prefix.size()));
  CHECK(at >= before);  // the reload's start, on the clock systemd reads
  CHECK(at <= after);
  CHECK(systemd.next_state(30s) == "READY=1");

  CHECK(d.terminate() == 0);
  CHECK(systemd.next_state(5s) == "STOPPING=1");
}
