// jst-sim's truth: streamed over HTTP and printed offline, the same lines.
#include "sim_fixture.hpp"

#include <catch2/catch.hpp>

using namespace ferry;
using namespace ferry::sim::testing;

TEST_CASE("jst-sim truth prints what /__sim/truth streams") {
  const std::vector<std::string> data_flags{"--seed", "9", "--records", "20000"};
  running_sim sim(quiet_flags(data_flags));
  for (const auto path : {sim::flow_path, sim::orders_path}) {
    INFO(path);
    const auto served = sim.truth(path, "2026-01-03 00:00:00", "2026-01-20 12:00:00");
    auto flags = data_flags;
    flags.insert(flags.end(), {"--endpoint", std::string{path}, "--from", "2026-01-03 00:00:00", "--to",
                               "2026-01-20 12:00:00"});
    const auto printed = offline_truth(flags);
    CHECK(served.size() > 1000);
    CHECK(printed == served);
  }
}

TEST_CASE("truth bounds are inclusive and rows are in paging order") {
  running_sim sim(quiet_flags());
  const auto rows = sim.truth(sim::flow_path, "2026-01-01 00:00:00", "2026-01-31 00:00:00");
  REQUIRE(rows.size() == 5000);
  const auto first = nlohmann::json::parse(rows.front())["create_time"].get<std::string>();
  const auto last = nlohmann::json::parse(rows.back())["create_time"].get<std::string>();
  CHECK(sim.truth(sim::flow_path, first, first).size() >= 1);
  CHECK(sim.truth(sim::flow_path, last, last).size() >= 1);
  CHECK(sim.truth(sim::flow_path, "2025-01-01 00:00:00", "2025-01-02 00:00:00").empty());
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto a = nlohmann::json::parse(rows[i - 1]), b = nlohmann::json::parse(rows[i]);
    REQUIRE(std::tuple(a["create_time"].get<std::string>(), a["io_id"].get<std::int64_t>(), a["sku_sn"].get<std::string>()) <
            std::tuple(b["create_time"].get<std::string>(), b["io_id"].get<std::int64_t>(), b["sku_sn"].get<std::string>()));
  }
}
