// ferryd --once through upstream faults, throttles and drift: complete and exact.
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;

namespace {
std::uint64_t summary_number(const std::string& out, const std::string& label) {
  const auto at = out.find(label + " ");
  if (at == std::string::npos) return 0;
  return std::stoull(out.substr(at + label.size() + 1));
}
}  // namespace

TEST_CASE("5xx, resets, timeouts, malformed bodies and code 150 end complete and exact", "[engine][faults]") {
  sim s{{"--records", "30000", "--seed", "3", "--http-500", "0.04", "--http-502", "0.03", "--http-503", "0.03",
         "--reset", "0.03", "--timeout", "0.02", "--fault-delay", "3s", "--malformed", "0.02", "--code-150", "0.03",
         "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_faults"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["sources"]["jst"]["timeout"] = "1s";
  config["jobs"][0]["page_size"] = 500;
  const auto path = write_config("e_faults", config);
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  REQUIRE(result.exit_code == 0);
  CHECK(summary_number(result.out, "retries") > 0);
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
  const auto faults = s.stats()["totals"]["faults"];
  INFO(faults.dump());
  for (const char* kind : {"http_500", "http_502", "http_503", "reset", "timeout", "malformed", "code_150"})
    CHECK(faults[kind].get<int>() > 0);
}

TEST_CASE("per-second throttles (199) slow ferry down without failing the run", "[engine][throttle]") {
  sim s{{"--records", "12000", "--limit-per-second", "3", "--limit-per-minute", "0"}};
  test_database db{"e_199"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["sources"]["jst"]["rate_limits"] = {{{"calls", 10}, {"per", "1s"}}};  // more than the platform allows
  config["jobs"][0]["page_size"] = 500;
  const auto path = write_config("e_199", config);
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  REQUIRE(result.exit_code == 0);
  CHECK(summary_number(result.out, "throttles") > 0);
  CHECK(s.stats()["totals"]["refused_limit"].get<int>() > 0);
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
}

TEST_CASE("per-minute throttles (200) wait out the minute and finish", "[engine][throttle]") {
  sim s{{"--records", "1500", "--limit-per-second", "0", "--limit-per-minute", "10"}};
  test_database db{"e_200"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["sources"]["jst"]["rate_limits"] = {{{"calls", 20}, {"per", "1m"}}};
  config["jobs"][0]["page_size"] = 100;
  const auto path = write_config("e_200", config);
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  REQUIRE(result.exit_code == 0);
  CHECK(summary_number(result.out, "throttles") > 0);
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
}

TEST_CASE("drift while paging is detected by the count check and repaired by a re-fetch", "[engine][drift]") {
  // The count check needs data_count: the flow query in the standard envelope
  // (the documented flow query has none; the orders query has it).
  sim s{{"--records", "5000", "--data-to", "2026-01-02 00:00:00", "--drift-rows-per-call", "50",
         "--limit-per-second", "0", "--limit-per-minute", "0", "--flow-envelope", "standard"}};
  test_database db{"e_drift"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["sources"]["jst"]["rate_limits"] = {{{"calls", 8}, {"per", "1s"}}};
  config["sources"]["jst"]["max_in_flight"] = 1;
  const auto path = write_config("e_drift", config);
  // Rows keep moving during the first round of pages, then the data settles.
  std::atomic<bool> done{false};
  std::thread settle{[&] {
    while (!done && s.stats()["business_calls"].get<int>() < 6) std::this_thread::sleep_for(20ms);
    s.set_faults({{"drift_rows_per_call", 0}});
  }};
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  done = true;
  settle.join();
  REQUIRE(result.exit_code == 0);
  CHECK(db.scalar("SELECT MAX(fetch_rounds) FROM ferry_windows") != "1");
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(diff.matching > 5000);  // the rows inserted while paging are there too
}

TEST_CASE("drift that never settles ends in incomplete windows, never a silent advance", "[engine][drift]") {
  sim s{{"--records", "3000", "--data-to", "2026-01-02 00:00:00", "--drift-rows-per-call", "40",
         "--limit-per-second", "0", "--limit-per-minute", "0", "--flow-envelope", "standard"}};
  test_database db{"e_drift_forever"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["sources"]["jst"]["max_in_flight"] = 1;
  config["jobs"][0]["window"]["end"] = "2026-01-02 00:00:00";
  const auto path = write_config("e_drift_forever", config);
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  CHECK(result.exit_code == 3);
  CHECK_THAT(result.out, Catch::Contains("incomplete"));
  CHECK(std::stoi(db.scalar("SELECT COUNT(*) FROM ferry_windows WHERE state = 'incomplete'")) >= 1);
  CHECK_THAT(db.scalar("SELECT note FROM ferry_windows WHERE state = 'incomplete' LIMIT 1"),
             Catch::Contains("data_count"));
}

TEST_CASE("a token refresh that meets resets and 5xx is retried, not the end of the run", "[engine][faults]") {
  // Half of all calls fail, refreshToken included, and the token expires
  // every ten accepted calls: a refresh that gave up at its first failure
  // would end the run within a few refreshes.
  sim s{{"--records", "20000", "--seed", "8", "--reset", "0.25", "--http-503", "0.25",
         "--token-expire-after-calls", "10", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_refresh_faults"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["jobs"][0]["page_size"] = 200;
  config["sources"]["jst"]["max_in_flight"] = 1;
  config["sources"]["jst"]["retry"] = {{"max_attempts", 30}, {"base_delay", "10ms"}, {"max_delay", "100ms"}};
  const auto path = write_config("e_refresh_faults", config);
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  REQUIRE(result.exit_code == 0);
  const auto refresh = s.stats()["endpoints"]["/openWeb/auth/refreshToken"];
  INFO(refresh.dump());
  CHECK(refresh["served"].get<int>() >= 3);
  CHECK(refresh["faults"]["reset"].get<int>() + refresh["faults"]["http_503"].get<int>() > 0);
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
}
