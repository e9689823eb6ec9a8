// jst-sim over HTTP: caller checks, tokens, parameter refusals and envelopes.
#include "sim_fixture.hpp"

#include <catch2/catch.hpp>

using namespace ferry;
using namespace ferry::sim::testing;
using nlohmann::json;

namespace {

// A second under the flow query's 30-day cap: all of the data, which ends before 2026-01-31.
json flow_window(const char* start = "2026-01-01 00:00:00", const char* end = "2026-01-30 23:59:59") {
  return {{"page_index", 1}, {"page_size", 50}, {"create_time_start", start}, {"create_time_end", end}};
}

int code_of(const test_support::http_result& result) {
  REQUIRE(result.ok());
  REQUIRE(result.response.status == 200);
  return json::parse(result.response.body)["code"].get<int>();
}

}  // namespace

TEST_CASE("good and bad callers get the real codes") {
  running_sim sim(quiet_flags());
  const auto biz = flow_window().dump();
  CHECK(code_of(sim.call_raw(sim::flow_path, biz, sim.access_token, wall_now())) == 0);

  auto body = sim::signed_business_body(sim.creds, sim.access_token, biz, wall_now());
  body.replace(body.size() - 4, 4, "0000");  // the end of the sign
  CHECK(code_of(sim.client().post_form(sim::flow_path, body)) == 10);

  sim::credentials wrong_secret = sim.creds;
  wrong_secret.app_secret = "guess";
  body = sim::signed_business_body(wrong_secret, sim.access_token, biz, wall_now());
  CHECK(code_of(sim.client().post_form(sim::flow_path, body)) == 10);

  sim::credentials wrong_key = sim.creds;
  wrong_key.app_key = "someone-else";
  body = sim::signed_business_body(wrong_key, sim.access_token, biz, wall_now());
  const auto refused = sim.client().post_form(sim::flow_path, body);
  CHECK(code_of(refused) == 10);
  CHECK(json::parse(refused.response.body)["msg"] == "验证失败！无效的app_key");

  CHECK(code_of(sim.call_raw(sim::flow_path, biz, sim.access_token, wall_now() - std::chrono::minutes{11})) == 140);
  CHECK(code_of(sim.call_raw(sim::flow_path, biz, sim.access_token, wall_now() - std::chrono::minutes{9})) == 0);
  CHECK(code_of(sim.call_raw(sim::flow_path, biz, "", wall_now())) == 100);
  CHECK(code_of(sim.call_raw(sim::flow_path, biz, "not-a-token", wall_now())) == 100);
  CHECK(code_of(sim.call_raw("/open/no/such/api", biz, sim.access_token, wall_now())) == 190);
  CHECK(sim.client().get(sim::flow_path).response.status == 405);

  const auto stats = sim.stats()["totals"];
  CHECK(stats["served"] == 2);
  CHECK(stats["refused_auth"] == 8);
  CHECK(sim.client().connections_opened() == 1);  // keep-alive held throughout
}

TEST_CASE("parameter refusals: page size caps and window spans") {
  running_sim sim(quiet_flags());
  auto biz = flow_window();
  biz["page_size"] = 1001;
  CHECK(sim.call(sim::flow_path, biz)["code"] == 140);
  biz["page_size"] = 1000;
  CHECK(sim.call(sim::flow_path, biz)["code"] == 0);
  CHECK(sim.call(sim::flow_path, flow_window("2026-01-01 00:00:00", "2026-01-31 00:00:01"))["code"] == 140);
  // Exactly the cap: not documented either way, refused (the stricter way).
  CHECK(sim.call(sim::flow_path, flow_window("2026-01-01 00:00:00", "2026-01-31 00:00:00"))["code"] == 140);
  CHECK(sim.call(sim::flow_path, flow_window("2026-01-02 00:00:00", "2026-01-01 00:00:00"))["code"] == 140);
  json orders{{"page_index", 1}, {"page_size", 100},
              {"modified_begin", "2026-01-01 00:00:00"}, {"modified_end", "2026-01-07 23:59:59"}};
  CHECK(sim.call(sim::orders_path, orders)["code"] == 0);
  orders["page_size"] = 101;
  CHECK(sim.call(sim::orders_path, orders)["code"] == 140);
  orders["page_size"] = 100;
  orders["modified_end"] = "2026-01-08 00:00:01";
  CHECK(sim.call(sim::orders_path, orders)["code"] == 140);
  orders["modified_end"] = "2026-01-08 00:00:00";
  CHECK(sim.call(sim::orders_path, orders)["code"] == 140);
  CHECK(sim.stats()["totals"]["refused_params"] == 7);
}

TEST_CASE("an access token expires after N calls, refresh rotates both tokens") {
  running_sim sim(quiet_flags({"--token-expire-after-calls", "3"}));
  for (int i = 0; i < 3; ++i) REQUIRE(sim.call(sim::flow_path, flow_window())["code"] == 0);
  CHECK(sim.call(sim::flow_path, flow_window())["code"] == 100);
  CHECK(sim.refresh("wrong-refresh-token")["code"] == 100);
  const std::string old_access = sim.access_token, old_refresh = sim.refresh_token;
  const auto tokens = sim.refresh(old_refresh);
  REQUIRE(tokens["code"] == 0);
  CHECK(tokens["data"]["scope"] == "all");
  CHECK(tokens["data"]["expires_in"].get<std::int64_t>() > 0);
  CHECK(sim.access_token != old_access);
  CHECK(sim.refresh_token != old_refresh);
  CHECK(sim.call(sim::flow_path, flow_window())["code"] == 0);
  const auto old = sim.call_raw(sim::flow_path, flow_window().dump(), old_access, wall_now());
  CHECK(json::parse(old.response.body)["code"] == 100);
  CHECK(sim.refresh(old_refresh)["code"] == 100);
}

TEST_CASE("envelope shapes: bare, toplevel, and no has_next") {
  {
    // The default: the flow query bare, orders standard.
    running_sim sim(quiet_flags({"--records", "500"}));
    const auto page = sim.call(sim::flow_path, flow_window());
    CHECK(page["data"].is_array());
    CHECK(page["data"].size() == 50);
    CHECK(page["requestId"].is_string());
    auto past_end = flow_window();
    past_end["page_index"] = 11;
    CHECK(sim.call(sim::flow_path, past_end)["data"].is_null());
  }
  {
    running_sim sim(quiet_flags({"--envelope", "bare", "--records", "500", "--empty-data", "array"}));
    auto past_end = flow_window();
    past_end["page_index"] = 11;
    const auto empty = sim.call(sim::flow_path, past_end);
    CHECK(empty["data"].is_array());
    CHECK(empty["data"].empty());
  }
  {
    running_sim sim(quiet_flags({"--envelope", "toplevel", "--records", "500"}));
    const auto page = sim.call(sim::flow_path, flow_window());
    CHECK(page["issuccess"] == true);
    CHECK(page["data_count"] == 500);
    CHECK(page["has_next"] == true);
    CHECK(page["datas"].size() == 50);
    CHECK_FALSE(page.contains("data"));
  }
  {
    running_sim sim(quiet_flags({"--omit-has-next", "--records", "500", "--flow-envelope", "standard"}));
    const auto page = sim.call(sim::flow_path, flow_window());
    CHECK(page["data"]["page_count"] == 10);
    CHECK_FALSE(page["data"].contains("has_next"));
  }
}
