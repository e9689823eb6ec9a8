// jst-sim over HTTP: the per-second and per-minute limits.
#include "sim_fixture.hpp"

#include <catch2/catch.hpp>

using namespace ferry;
using namespace ferry::sim::testing;
using nlohmann::json;

namespace {

const json biz{{"page_index", 1}, {"page_size", 10},
               {"create_time_start", "2026-01-01 00:00:00"}, {"create_time_end", "2026-01-02 00:00:00"}};

}  // namespace

TEST_CASE("with 5 calls a second the 6th within the second gets 199") {
  running_sim sim({"--limit-per-second", "5", "--limit-per-minute", "0", "--records", "500"});
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) REQUIRE(sim.call(sim::flow_path, biz)["code"] == 0);
  const auto sixth = sim.call(sim::flow_path, biz);
  REQUIRE(std::chrono::steady_clock::now() - started < std::chrono::milliseconds{900});
  CHECK(sixth["code"] == 199);
  CHECK(sixth["msg"] == "调用太频繁，请稍后再试!");
  CHECK(sixth["data"].is_null());
  CHECK(sim.stats()["endpoints"][std::string{sim::flow_path}]["refused_limit"] == 1);
}

TEST_CASE("with 10 calls a minute the 11th gets 200") {
  running_sim sim({"--limit-per-second", "0", "--limit-per-minute", "10", "--records", "500"});
  for (int i = 0; i < 10; ++i) REQUIRE(sim.call(sim::flow_path, biz)["code"] == 0);
  const auto eleventh = sim.call(sim::flow_path, biz);
  CHECK(eleventh["code"] == 200);
  CHECK(eleventh["msg"] == "调用频次超过限制!");
  // Refused calls do not count, but the window is still full.
  CHECK(sim.call(sim::flow_path, biz)["code"] == 200);
  CHECK(sim.stats()["totals"]["refused_limit"] == 2);
  CHECK(sim.stats()["totals"]["served"] == 10);
}
