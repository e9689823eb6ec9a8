#include "ferry/sim/query.hpp"

#include <catch2/catch.hpp>

using namespace ferry;
using nlohmann::json;
using std::chrono::days;
using std::chrono::seconds;

namespace {

sim::sys_seconds at(const char* text) { return *core::parse_shanghai_datetime(text); }

json flow_biz(const char* start, const char* end) {
  return {{"page_index", 1}, {"page_size", 100}, {"create_time_start", start}, {"create_time_end", end}};
}

}  // namespace

TEST_CASE("paging arithmetic: page_count, has_next, short last page, past the end") {
  auto s = sim::slice_page(2500, 1, 1000);
  CHECK(s.page_count == 3);
  CHECK(s.has_next);
  CHECK((s.begin == 0 && s.end == 1000));
  s = sim::slice_page(2500, 3, 1000);
  CHECK((s.begin == 2000 && s.end == 2500));
  CHECK_FALSE(s.has_next);
  s = sim::slice_page(2500, 4, 1000);
  CHECK(s.begin == s.end);
  CHECK_FALSE(s.has_next);
  CHECK(s.page_count == 3);
  s = sim::slice_page(2000, 2, 1000);
  CHECK(s.page_count == 2);
  CHECK_FALSE(s.has_next);
  s = sim::slice_page(0, 1, 30);
  CHECK(s.page_count == 0);
  CHECK(s.begin == s.end);
  CHECK_FALSE(s.has_next);
  s = sim::slice_page(10, 9'000'000'000'000'000'000, 1000);
  CHECK(s.begin == s.end);
}

TEST_CASE("window checks: the span edge is allowed, one second more is not") {
  const auto start = at("2026-01-01 00:00:00");
  CHECK(sim::check_window({start, start + days{30}}, days{30}) == sim::window_check::ok);
  CHECK(sim::check_window({start, start + days{30} + seconds{1}}, days{30}) == sim::window_check::too_wide);
  CHECK(sim::check_window({start, start + days{7}}, days{7}) == sim::window_check::ok);
  CHECK(sim::check_window({start, start + days{7} + seconds{1}}, days{7}) == sim::window_check::too_wide);
  CHECK(sim::check_window({start, start}, days{7}) == sim::window_check::ok);
  CHECK(sim::check_window({start, start - seconds{1}}, days{7}) == sim::window_check::end_before_start);
  const sim::time_window w{start, start + seconds{10}};
  CHECK(w.contains(start));
  CHECK(w.contains(start + seconds{10}));
  CHECK_FALSE(w.contains(start + seconds{11}));
}

TEST_CASE("flow query: window edges, caps and defaults") {
  CHECK(sim::parse_flow_query(flow_biz("2026-01-01 00:00:00", "2026-01-31 00:00:00")).query);
  CHECK_FALSE(sim::parse_flow_query(flow_biz("2026-01-01 00:00:00", "2026-01-31 00:00:01")).query);
  CHECK_FALSE(sim::parse_flow_query(flow_biz("2026-01-02 00:00:00", "2026-01-01 00:00:00")).query);
  CHECK_FALSE(sim::parse_flow_query(flow_biz("2026-01-01T00:00:00", "2026-01-02 00:00:00")).query);
  CHECK_FALSE(sim::parse_flow_query(flow_biz("2026-02-30 00:00:00", "2026-03-02 00:00:00")).query);
  auto biz = flow_biz("2026-01-01 00:00:00", "2026-01-02 00:00:00");
  biz["page_size"] = 1000;
  CHECK(sim::parse_flow_query(biz).query);
  biz["page_size"] = 1001;
  const auto refused = sim::parse_flow_query(biz);
  CHECK_FALSE(refused.query);
  CHECK(refused.error.find("page_size") != std::string::npos);
  biz.erase("page_size");
  biz["page_index"] = "2";
  const auto defaulted = sim::parse_flow_query(biz);
  REQUIRE(defaulted.query);
  CHECK(defaulted.query->page_size == 30);
  CHECK(defaulted.query->page_index == 2);
  biz["page_index"] = 0;
  CHECK_FALSE(sim::parse_flow_query(biz).query);
}

TEST_CASE("flow query: the window is required unless ids are given") {
  CHECK_FALSE(sim::parse_flow_query(json{{"page_index", 1}}).query);
  CHECK_FALSE(sim::parse_flow_query(json{{"create_time_start", "2026-01-01 00:00:00"}}).query);
  const auto by_ids = sim::parse_flow_query(json{{"io_ids", "1000001,1000002"}});
  REQUIRE(by_ids.query);
  CHECK(by_ids.query->io_ids == std::vector<std::int64_t>{1000001, 1000002});
  const auto by_array = sim::parse_flow_query(json{{"o_ids", json::array({1, "2"})}});
  REQUIRE(by_array.query);
  CHECK(by_array.query->o_ids == std::vector<std::int64_t>{1, 2});
  CHECK_FALSE(sim::parse_flow_query(json{{"io_ids", "1,x"}}).query);
  CHECK(sim::parse_flow_query(json{{"sku_sns", json::array({"SN1"})}}).query);
}

TEST_CASE("order query: 7-day window, page size cap 100") {
  json biz{{"modified_begin", "2026-01-01 00:00:00"}, {"modified_end", "2026-01-08 00:00:00"}, {"page_size", 100}};
  CHECK(sim::parse_order_query(biz).query);
  biz["modified_end"] = "2026-01-08 00:00:01";
  CHECK_FALSE(sim::parse_order_query(biz).query);
  biz["modified_end"] = "2026-01-02 00:00:00";
  biz["page_size"] = 101;
  CHECK_FALSE(sim::parse_order_query(biz).query);
  CHECK(sim::parse_order_query(json{{"so_ids", "A,B"}}).query);
  CHECK_FALSE(sim::parse_order_query(json::object()).query);
}
