// jst-sim over HTTP: the union of all pages against the truth, quiet and drifting,
// and late rows.
#include "sim_fixture.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <thread>

using namespace ferry;
using namespace ferry::sim::testing;
using nlohmann::json;

namespace {

const json flow_biz{{"page_size", 1000}, {"create_time_start", "2026-01-01 00:00:00"},
                    {"create_time_end", "2026-01-30 23:59:59"}};
const json order_biz{{"page_size", 100}, {"modified_begin", "2026-01-08 00:00:00"},
                     {"modified_end", "2026-01-14 23:59:59"}};

std::string flow_key(const std::string& row) {
  const auto j = json::parse(row);
  return j["sku_sn"].get<std::string>() + "/" + std::to_string(j["io_id"].get<std::int64_t>());
}

std::string order_key(const std::string& row) { return std::to_string(json::parse(row)["o_id"].get<std::int64_t>()); }

std::map<std::string, int> count_by_key(const std::vector<std::string>& rows, std::string (*key)(const std::string&)) {
  std::map<std::string, int> out;
  for (const auto& row : rows) ++out[key(row)];
  return out;
}

}  // namespace

// These page by page_count: the flow query in the standard envelope.
TEST_CASE("quiet data: the union of all pages is the truth, row for row") {
  running_sim sim(quiet_flags({"--flow-envelope", "standard"}));
  const auto pages = all_pages(sim, sim::flow_path, flow_biz, "datas");
  const auto truth = sim.truth(sim::flow_path, "2026-01-01 00:00:00", "2026-01-31 00:00:00");
  CHECK(truth.size() == 5000);
  CHECK(pages == truth);  // same keys, same order, identical JSON text
  CHECK(count_by_key(pages, flow_key).size() == 5000);

  const auto order_pages = all_pages(sim, sim::orders_path, order_biz, "orders");
  const auto order_truth = sim.truth(sim::orders_path, "2026-01-08 00:00:00", "2026-01-14 23:59:59");
  CHECK(order_truth.size() > 200);
  CHECK(order_pages == order_truth);
}

TEST_CASE("flow drift: pages repeat rows and miss the tail, the truth has the new rows") {
  // 5000 rows, pages of 1000, 250 new rows at the window's start before each call.
  running_sim sim(quiet_flags({"--drift-rows-per-call", "250", "--flow-envelope", "standard"}));
  const auto pages = all_pages(sim, sim::flow_path, flow_biz, "datas");
  const auto truth = sim.truth(sim::flow_path, "2026-01-01 00:00:00", "2026-01-31 00:00:00");
  // Page 1 saw 5250 rows, so 6 pages; by the 6th call 1500 rows had been inserted.
  REQUIRE(pages.size() == 6000);
  REQUIRE(truth.size() == 6500);
  const auto seen = count_by_key(pages, flow_key);
  int repeats = 0;
  for (const auto& [key, n] : seen) repeats += n - 1;
  CHECK(repeats == 5 * 250);  // each later page starts 250 rows before where the last one ended
  // The last 500 rows of the window (its tail) were never reached.
  for (std::size_t i = 6000; i < 6500; ++i) REQUIRE(seen.count(flow_key(truth[i])) == 0);
  CHECK(seen.count(flow_key(truth[5999])) == 1);
  // The 1500 inserted rows sit at the window's start; only the first call's 250 were seen.
  const auto inserted = std::count_if(truth.begin(), truth.end(), [](const std::string& row) {
    return json::parse(row)["create_time"] == "2026-01-01 00:00:00";
  });
  CHECK(inserted >= 1500);
  CHECK(truth.size() - seen.size() == 500 + 1250);
}

TEST_CASE("order drift: moved orders skip page boundaries and come back at the end") {
  // Each call moves the window's 4 earliest orders to modified = the window's end.
  running_sim sim(quiet_flags({"--drift-rows-per-call", "4"}));
  const auto quiet_truth = sim.truth(sim::orders_path, "2026-01-08 00:00:00", "2026-01-14 23:59:59");
  const auto pages = all_pages(sim, sim::orders_path, order_biz, "orders");
  const auto truth = sim.truth(sim::orders_path, "2026-01-08 00:00:00", "2026-01-14 23:59:59");
  REQUIRE(truth.size() == quiet_truth.size());
  REQUIRE(pages.size() == truth.size());
  const auto page_count = static_cast<int>((truth.size() + 99) / 100);
  REQUIRE(page_count >= 2);
  const auto seen = count_by_key(pages, order_key);
  int repeats = 0;
  for (const auto& [key, n] : seen) repeats += n - 1;
  CHECK(repeats == (page_count - 1) * 4);
  CHECK(truth.size() - seen.size() == static_cast<std::size_t>((page_count - 1) * 4));
  CHECK(json::parse(truth.back())["modified"] == "2026-01-14 23:59:59");
}

TEST_CASE("late rows are missing from the truth and pages until their delay passes") {
  running_sim sim(quiet_flags({"--records", "3000", "--data-from", "now-1m", "--data-to", "now", "--late-fraction",
                               "0.2", "--late-delay", "3s", "--flow-envelope", "standard"}));
  const auto from = sim::beijing_datetime(wall_now() - std::chrono::minutes{5});
  const auto to = sim::beijing_datetime(wall_now() + std::chrono::minutes{5});
  json biz{{"page_index", 1}, {"page_size", 10}, {"create_time_start", from}, {"create_time_end", to}};
  const auto early_truth = sim.truth(sim::flow_path, from, to);
  const auto early_count = sim.call(sim::flow_path, biz)["data"]["data_count"].get<std::size_t>();
  CHECK(early_truth.size() < 3000);
  CHECK(early_count < 3000);
  std::this_thread::sleep_for(std::chrono::milliseconds{4000});
  const auto late_truth = sim.truth(sim::flow_path, from, to);
  CHECK(late_truth.size() == 3000);
  CHECK(sim.call(sim::flow_path, biz)["data"]["data_count"] == 3000);
  const std::set<std::string> later(late_truth.begin(), late_truth.end());
  for (const auto& row : early_truth) REQUIRE(later.count(row) == 1);
}
