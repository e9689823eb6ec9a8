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

TEST_CASE("the shops' truth is every shop listed now, served pages and offline alike, without a window") {
  const std::vector<std::string> data_flags{"--shops", "230"};
  running_sim sim(quiet_flags(data_flags));
  auto served = sim.truth(sim::shops_path, "", "");
  REQUIRE(served.size() == 230);
  auto flags = data_flags;
  flags.insert(flags.end(), {"--endpoint", std::string{sim::shops_path}});
  CHECK(offline_truth(flags) == served);
  // The pages, walked by has_next (no counts), give the same rows.
  std::vector<std::string> paged;
  for (int page = 1; page < 10; ++page) {
    const auto data = sim.call(sim::shops_path, {{"page_index", page}, {"page_size", 100}})["data"];
    for (const auto& row : data["datas"]) paged.push_back(row.dump());
    if (!data["has_next"].get<bool>()) break;
  }
  REQUIRE(paged.size() == served.size());
  for (std::size_t i = 0; i < paged.size(); ++i) CHECK(nlohmann::json::parse(served[i]).dump() == paged[i]);
  // A shop closed upstream leaves the truth at once.
  const auto removed = sim.client().post_json("/__sim/shops", R"({"remove":[10010004]})");
  REQUIRE(removed.response.status == 200);
  served = sim.truth(sim::shops_path, "", "");
  CHECK(served.size() == 229);
  for (const auto& line : served) CHECK(nlohmann::json::parse(line)["shop_id"] != 10010004);
}
