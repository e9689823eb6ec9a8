// MySQL failing under ferryd: the server stopped for 30 s mid-run, ferry's
// connections killed server-side, a small max_allowed_packet, lock waits and
// deadlocks from a second writer, a read-only period. Each test has a private
// MariaDB of its own (the suite's main server is shared by tests running in
// parallel), and each ends with the table compared with jst-sim's truth.
#include "harness.hpp"
#include "reliability.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <csignal>
#include <iostream>
#include <random>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;

namespace {

const char* const january_end = "2026-02-01 00:00:00";

// The flow job paced to last a few seconds, so faults land mid-run.
std::filesystem::path paced_config(const std::string& name, std::uint16_t sim_port, const test_database& db,
                                   int calls_per_second, bool daemon = false) {
  auto config = flow_config(sim_port, db);
  config["jobs"][0]["page_size"] = 500;
  config["jobs"][0]["window"]["max_span"] = "2d";
  config["sources"]["jst"]["rate_limits"] = {{{"calls", calls_per_second}, {"per", "1s"}}};
  if (daemon) {
    ::setenv("FERRY_ADMIN_TOKEN", "mysql-faults-token", 1);
    config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}};
    config["jobs"][0]["schedule"] = {{"every", "1h"}};
  }
  return write_config(name, config);
}

std::uint64_t rows_in(const test_database& db) {
  try {
    return std::stoull(db.scalar("SELECT COUNT(*) FROM bi_skusn_inout"));
  } catch (const std::exception&) {
    return 0;  // the table does not exist yet
  }
}

void require_exact(const test_database& db, sim& s, std::size_t expected) {
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(diff.matching == expected);
}

}  // namespace

TEST_CASE("MariaDB stopped for 30 s mid-run: ferryd waits without spinning, says not ready, then completes",
          "[reliability][mysql]") {
  private_mariadb server{"down"};
  sim s{{"--records", "100000", "--seed", "21", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"r_down"};
  set_source_env();
  const auto config = paced_config("r_down", s.port(), db, 30, true);
  running_ferryd ferryd{{"--config", config.string()}};
  const auto admin = ferryd.admin_port();
  REQUIRE(ferryd.get_status("/readyz") == 200);
  eventually([&] { return rows_in(db) >= 10000; }, 60s, "the first 10,000 rows");

  const auto rows_before = rows_in(db);
  server.stop();
  const auto stopped = std::chrono::steady_clock::now();
  // /readyz turns 503 while MySQL is away.
  eventually([&] { return ferryd.get_status("/readyz") == 503; }, 30s, "/readyz to say not ready");
  CHECK(ferryd.get_status("/healthz") == 200);
  // No busy loop while waiting: CPU over the rest of the outage stays low.
  const double cpu_before = cpu_seconds(ferryd.pid());
  const auto measured_from = std::chrono::steady_clock::now();
  std::this_thread::sleep_until(stopped + 30s);
  const double outage_cpu = cpu_seconds(ferryd.pid()) - cpu_before;
  const double measured_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - measured_from).count();
  std::cout << "MySQL down 30 s: ferryd used " << outage_cpu << " CPU-s in " << measured_s
            << " s of waiting; rows before the stop " << rows_before << std::endl;
  CHECK(outage_cpu < 0.1 * measured_s);
  REQUIRE(ferryd.wait(0s) == std::nullopt);  // still alive

  server.start();
  eventually([&] { return ferryd.get_status("/readyz") == 200; }, 60s, "/readyz to say ready again");
  eventually([&] { return db.scalar("SELECT watermark FROM ferry_jobs WHERE job_id = 'skusn_inout'") == january_end; },
             180s, "the run to finish after MySQL came back");
  const auto out = ferryd.output();
  INFO(out.substr(out.size() > 6000 ? out.size() - 6000 : 0));
  CHECK(out.find("retrying in") != std::string::npos);
  CHECK(db.scalar("SELECT state FROM ferry_runs ORDER BY id DESC LIMIT 1") == "success");
  require_exact(db, s, 100000);
  (void)admin;
  ::kill(ferryd.pid(), SIGTERM);
  CHECK(ferryd.wait(60s) == 0);
}

TEST_CASE("connections killed server-side (KILL and KILL QUERY) are redone, the table ends exact",
          "[reliability][mysql]") {
  private_mariadb server{"kill"};
  sim s{{"--records", "60000", "--seed", "22", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"r_kill"};
  set_source_env();
  const auto config = paced_config("r_kill", s.port(), db, 40);
  running_ferryd ferryd{{"--config", config.string(), "--once", "skusn_inout"}};
  // Kills start once the run is writing: ferryd's start-up (migrations, the
  // stored tokens) is not retried, and a --once that cannot start exits
  // non-zero with nothing written, which is not what this test is about.
  eventually([&] { return rows_in(db) > 0; }, 120s, "the run's first rows");
  std::atomic<bool> done{false};
  std::atomic<int> killed{0};
  std::thread killer{[&] {
    std::mt19937 rng{22};
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds{100 + rng() % 300});
      killed += server.kill_sessions("ferry", [&] { return rng() % 2 == 0; });
    }
  }};
  const auto code = ferryd.wait(300s);
  done = true;
  killer.join();
  std::cout << "KILL: " << killed << " of ferryd's connections or queries killed during the run" << std::endl;
  INFO(ferryd.output());
  REQUIRE(code == 0);
  CHECK(killed >= 5);
  require_exact(db, s, 60000);
}

TEST_CASE("a small max_allowed_packet, also lowered mid-run, makes ferry split its batches, not fail",
          "[reliability][mysql]") {
  private_mariadb server{"packet"};
  sim s{{"--records", "30000", "--seed", "23", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"r_packet"};
  set_source_env();
  const auto config = paced_config("r_packet", s.port(), db, 40);
  running_ferryd ferryd{{"--config", config.string(), "--once", "skusn_inout"}};
  eventually([&] { return rows_in(db) >= 3000; }, 60s, "the first rows");
  // New sessions get 16 KiB; kill the current ones so ferry reconnects into it.
  server.root("SET GLOBAL max_allowed_packet = 16384");
  server.kill_sessions("ferry");
  const auto code = ferryd.wait(300s);
  INFO(ferryd.output());
  REQUIRE(code == 0);
  require_exact(db, s, 30000);
  // A run that starts with the small packet from its first statement. Its
  // database has no ferry_sources row yet: it starts from the tokens the
  // first run renewed (the environment's were retired by that renewal).
  ::setenv("JST_ACCESS_TOKEN", db.scalar("SELECT access_token FROM ferry_sources").c_str(), 1);
  ::setenv("JST_REFRESH_TOKEN", db.scalar("SELECT refresh_token FROM ferry_sources").c_str(), 1);
  test_database again{"r_packet2"};
  const auto config2 = paced_config("r_packet2", s.port(), again, 200);
  const auto second = run_ferryd({"--config", config2.string(), "--once", "skusn_inout"});
  set_source_env();
  REQUIRE(second.exit_code == 0);
  require_exact(again, s, 30000);
}

TEST_CASE("lock waits and deadlocks from a second writer on the same rows are waited out and redone",
          "[reliability][mysql]") {
  private_mariadb server{"locks"};
  server.root("SET GLOBAL innodb_lock_wait_timeout = 2");
  sim s{{"--records", "30000", "--seed", "24", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"r_locks"};
  set_source_env();
  const auto config = paced_config("r_locks", s.port(), db, 8);
  REQUIRE(run_ferryd({"--config", config.string(), "--once", "skusn_inout"}).exit_code == 0);
  // Rows ferry must repair on the re-sync: older versions with wrong values.
  db.scalar("UPDATE bi_skusn_inout SET cost_price = cost_price + 1, modified_time = modified_time - INTERVAL 1 DAY "
            "WHERE io_id % 13 = 0");
  const auto damaged = db.scalar("SELECT COUNT(*) FROM bi_skusn_inout WHERE io_id % 13 = 0");
  const auto low = std::stoll(db.scalar("SELECT MIN(io_id) FROM bi_skusn_inout"));
  const auto high = std::stoll(db.scalar("SELECT MAX(io_id) FROM bi_skusn_inout"));
  const auto deadlocks_before = std::stoll(server.root("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                                                       "WHERE VARIABLE_NAME = 'INNODB_DEADLOCKS'"));
  const auto waits_before = std::stoll(server.root("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                                                   "WHERE VARIABLE_NAME = 'INNODB_ROW_LOCK_WAITS'"));

  running_ferryd ferryd{{"--config", config.string(), "--once", "skusn_inout", "--from", "2026-01-01 00:00:00",
                         "--to", january_end}};
  std::atomic<bool> done{false};
  std::atomic<int> writer_transactions{0}, writer_failures{0};
  auto writer = [&](unsigned seed) {
    std::mt19937_64 rng{seed};
    ferry::mysql::connection conn{db.options};
    while (!done) {
      // Lock a range in descending order (ferry writes ascending), touch it
      // without changing a value, and hold the locks: mostly for less than
      // the lock wait timeout (ferry waits), one time in four for longer
      // (ferry's statement times out and its transaction is redone).
      const auto from = low + static_cast<long long>(rng() % static_cast<unsigned long long>(high - low + 1));
      const auto to = from + 400;
      try {
        conn.begin();
        conn.query("SELECT io_id FROM bi_skusn_inout WHERE io_id BETWEEN " + std::to_string(from) + " AND " +
                   std::to_string(to) + " ORDER BY io_id DESC FOR UPDATE");
        conn.execute("UPDATE bi_skusn_inout SET remark = remark WHERE io_id BETWEEN " + std::to_string(from) +
                     " AND " + std::to_string(to));
        std::this_thread::sleep_for(std::chrono::milliseconds{rng() % 4 == 0 ? 2500 : 300 + rng() % 700});
        conn.commit();
        ++writer_transactions;
        // Then let go for a while: a writer that never lets go starves any
        // other writer of those rows (see docs/reliability.md).
        std::this_thread::sleep_for(std::chrono::milliseconds{400 + rng() % 600});
      } catch (const std::exception&) {
        ++writer_failures;
        conn.rollback();
      }
    }
  };
  std::thread w1{writer, 1u}, w2{writer, 2u};
  const auto code = ferryd.wait(400s);
  done = true;
  w1.join();
  w2.join();
  const auto out = ferryd.output();
  INFO(out.substr(out.size() > 8000 ? out.size() - 8000 : 0));
  REQUIRE(code == 0);
  const auto deadlocks = std::stoll(server.root("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE "
                                                "VARIABLE_NAME = 'INNODB_DEADLOCKS'")) - deadlocks_before;
  const auto waits = std::stoll(server.root("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE "
                                            "VARIABLE_NAME = 'INNODB_ROW_LOCK_WAITS'")) - waits_before;
  std::size_t ferry_lock_errors = 0;
  for (const char* code_text : {"MySQL error 1205", "MySQL error 1213"})
    for (auto at = out.find(code_text); at != std::string::npos; at = out.find(code_text, at + 1)) ++ferry_lock_errors;
  std::cout << "second writer: " << writer_transactions << " transactions (" << writer_failures
            << " failed), row lock waits " << waits << ", deadlocks " << deadlocks << ", ferry redid "
            << ferry_lock_errors << " transactions after 1205/1213; rows damaged before: " << damaged << std::endl;
  CHECK(waits > 0);
  CHECK(ferry_lock_errors > 0);
  require_exact(db, s, 30000);
}

TEST_CASE("a read-only period holds writes back without failing the run", "[reliability][mysql]") {
  private_mariadb server{"readonly"};
  sim s{{"--records", "60000", "--seed", "25", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"r_readonly"};
  set_source_env();
  const auto config = paced_config("r_readonly", s.port(), db, 30);
  running_ferryd ferryd{{"--config", config.string(), "--once", "skusn_inout"}};
  eventually([&] { return rows_in(db) >= 5000; }, 60s, "the first rows");
  server.root("SET GLOBAL read_only = 1");
  const double cpu_before = cpu_seconds(ferryd.pid());
  std::this_thread::sleep_for(10s);
  const double cpu = cpu_seconds(ferryd.pid()) - cpu_before;
  const auto frozen = rows_in(db);
  server.root("SET GLOBAL read_only = 0");
  std::cout << "read-only 10 s: ferryd used " << cpu << " CPU-s, rows held at " << frozen << std::endl;
  CHECK(cpu < 1.0);
  const auto code = ferryd.wait(300s);
  const auto out = ferryd.output();
  INFO(out.substr(out.size() > 6000 ? out.size() - 6000 : 0));
  REQUIRE(code == 0);
  CHECK(out.find("MySQL error 1290") != std::string::npos);
  require_exact(db, s, 60000);
}

TEST_CASE("a reload while MariaDB is stopped is refused and changes nothing, and the run under way completes exactly",
          "[reliability][mysql][reload]") {
  private_mariadb server{"reload"};
  sim s{{"--records", "40000", "--seed", "23", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"r_reload"};
  set_source_env();
  const auto config = paced_config("r_reload", s.port(), db, 10, true);
  running_ferryd ferryd{{"--config", config.string()}};
  REQUIRE(ferryd.get_status("/readyz") == 200);
  eventually([&] { return rows_in(db) >= 2000; }, 60s, "the run under way");

  // The source changes (a new client must read the account's stored tokens),
  // and MariaDB is away when the reload asks for them.
  server.stop();
  auto changed = nlohmann::ordered_json::parse(std::ifstream{config});
  changed["sources"]["jst"]["rate_limits"] = {{{"calls", 20}, {"per", "1s"}}};
  std::ofstream{config} << changed.dump(2);
  ::kill(ferryd.pid(), SIGHUP);
  eventually([&] { return ferryd.output().find("reload refused") != std::string::npos; }, 60s, "the refusal");
  {
    const auto out = ferryd.output();
    const auto line = out.substr(out.find("reload refused"), out.find('\n', out.find("reload refused")) - out.find("reload refused"));
    INFO(line);
    CHECK(line.find("Can't connect") != std::string::npos);  // the stored tokens could not be read
  }
  const auto metrics = ferryd.get_body("/metrics");
  CHECK(metric_sample(metrics, "ferry_config_reloads_total{result=\"refused\"}") == "1");
  CHECK(metric_sample(metrics, "ferry_config_last_reload_successful") == "0");
  REQUIRE(ferryd.wait(0s) == std::nullopt);  // still alive

  server.start();
  eventually([&] { return db.scalar("SELECT watermark FROM ferry_jobs WHERE job_id = 'skusn_inout'") == january_end; },
             180s, "the run to finish after MySQL came back");
  // The run's own row is closed a moment after its last window's commit.
  eventually([&] { return db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'running'") == "0"; }, 30s,
             "the run's row to be closed");
  INFO(db.scalar("SELECT GROUP_CONCAT(CONCAT(id, ' ', kind, ' ', state, ' ', COALESCE(error, '')) SEPARATOR ' | ') "
                 "FROM ferry_runs"));
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state <> 'success'") == "0");
  require_exact(db, s, 40000);
  // With MariaDB back the same file is applied, and the next run uses it.
  ::kill(ferryd.pid(), SIGHUP);
  eventually([&] {
    return metric_sample(ferryd.get_body("/metrics"), "ferry_config_reloads_total{result=\"applied\"}") == "1";
  }, 30s, "the reload applied");
  const auto out = ferryd.output();
  INFO(out.substr(out.size() > 6000 ? out.size() - 6000 : 0));
  CHECK(out.find("reload: job skusn_inout changed") != std::string::npos);
  ::kill(ferryd.pid(), SIGTERM);
  CHECK(ferryd.wait(60s) == 0);
}
