// The engine without sockets: check order, answers, drift and stats, on a hand-set clock.
#include "ferry/sim/engine.hpp"
#include "ferry/sim/signed_form.hpp"

#include <catch2/catch.hpp>

using namespace ferry;
using nlohmann::json;

namespace {

const sim::sys_seconds now{std::chrono::seconds{1'780'000'000}};
const sim::engine::steady_time t0{};
constexpr std::string_view form_type = "application/x-www-form-urlencoded";

sim::sim_options small_options() {
  sim::sim_options o;
  o.data.records = 2000;
  o.data.orders = 500;
  o.data.from = *core::parse_shanghai_datetime("2026-01-01 00:00:00");
  o.data.to = *core::parse_shanghai_datetime("2026-01-31 00:00:00");
  o.limit_per_second = 0;
  o.limit_per_minute = 0;
  return o;
}

struct harness {
  sim::engine engine{small_options()};
  std::string access_token = "demo-access-token";

  // `at` signs the call; `wall` is the simulator's clock when it arrives.
  json call(std::string_view path, const json& biz, sim::sys_seconds at = now, sim::sys_seconds wall = now) {
    const auto body = sim::signed_business_body(sim::credentials{}, access_token, biz.dump(), at);
    const auto reply = engine.handle({"POST", path, form_type, body}, wall, t0);
    REQUIRE(reply.status == 200);
    return json::parse(reply.body);
  }
  sim::sim_reply raw(std::string_view method, std::string_view target, std::string_view type, std::string_view body) {
    return engine.handle({method, target, type, body}, now, t0);
  }
};

// All of the data (which ends before 2026-01-31 00:00:00), a second under the 30-day cap.
json window(std::int64_t page_index, std::int64_t page_size) {
  return {{"page_index", page_index}, {"page_size", page_size},
          {"create_time_start", "2026-01-01 00:00:00"}, {"create_time_end", "2026-01-30 23:59:59"}};
}

}  // namespace

// The documented flow answer: a bare array with a requestId and no page
// fields; a page without rows is "data": null.
TEST_CASE("engine: the flow query answers a bare array, null when empty, with a requestId") {
  harness h;
  const auto page = h.call(sim::flow_path, window(2, 500));
  CHECK(page["code"] == 0);
  CHECK(page["msg"] == "执行成功");
  CHECK(page["requestId"].get<std::string>().starts_with("sim-"));
  REQUIRE(page["data"].is_array());
  CHECK(page["data"].size() == 500);
  CHECK(page["data"][0]["sku_sn"].is_string());
  CHECK(page["data"][0]["o_id"].is_string());
  CHECK_FALSE(page.contains("data_count"));
  const auto past_end = h.call(sim::flow_path, window(5, 500));
  CHECK(past_end["code"] == 0);
  CHECK(past_end["data"].is_null());
  CHECK(past_end["requestId"] != page["requestId"]);
}

TEST_CASE("engine: a window of exactly the documented cap is refused unless --accept-cap-edge") {
  auto exact = window(1, 100);
  exact["create_time_end"] = "2026-01-31 00:00:00";  // 30 days: "at most 30 days" says nothing of the edge
  harness strict;
  const auto refused = strict.call(sim::flow_path, exact);
  CHECK(refused["code"] == 140);
  CHECK(refused["msg"] == "传递参数有误：时间跨度不能超过 30 天");
  auto orders = json{{"page_index", 1}, {"page_size", 10}, {"modified_begin", "2026-01-01 00:00:00"},
                     {"modified_end", "2026-01-08 00:00:00"}};
  CHECK(strict.call(sim::orders_path, orders)["code"] == 140);
  orders["modified_end"] = "2026-01-07 23:59:59";
  CHECK(strict.call(sim::orders_path, orders)["code"] == 0);

  auto options = small_options();
  options.accept_cap_edge = true;
  harness lenient{sim::engine{options}};
  CHECK(lenient.call(sim::flow_path, exact)["code"] == 0);
  orders["modified_end"] = "2026-01-08 00:00:00";
  CHECK(lenient.call(sim::orders_path, orders)["code"] == 0);
}

TEST_CASE("engine: --flow-envelope standard keeps the old envelope with its counts") {
  auto options = small_options();
  options.flow_envelope.shape = sim::envelope_shape::standard;
  harness h{sim::engine{options}};
  const auto page = h.call(sim::flow_path, window(2, 500));
  CHECK(page["data"]["data_count"] == 2000);
  CHECK(page["data"]["page_count"] == 4);
  CHECK(page["data"]["has_next"] == true);
  CHECK(page["data"]["datas"].size() == 500);
}

TEST_CASE("engine: tokens expire by time, refreshes count against the limits, isv apps may not refresh") {
  auto options = small_options();
  options.token_ttl = std::chrono::seconds{20};
  options.limit_per_second = 2;
  harness h{sim::engine{options}};
  CHECK(h.call(sim::flow_path, window(1, 10))["code"] == 0);  // starts the tokens' clock
  const auto later = now + std::chrono::seconds{20};
  CHECK(h.call(sim::flow_path, window(1, 10), later, later)["code"] == 100);
  // The refresh token died with the access token.
  auto refresh = [&](const std::string& token, sim::sys_seconds at) {
    const auto body = sim::signed_refresh_body(sim::credentials{}, token, at);
    return json::parse(h.engine.handle({"POST", sim::refresh_path, form_type, body}, at, t0).body);
  };
  CHECK(refresh("demo-refresh-token", now + std::chrono::seconds{20})["code"] == 100);
  // A live refresh token works, and the refresh counts against the limits
  // like any call (2 a second here).
  harness fresh{sim::engine{options}};
  CHECK(fresh.call(sim::flow_path, window(1, 10))["code"] == 0);
  auto again = [&](const std::string& token) {
    const auto body = sim::signed_refresh_body(sim::credentials{}, token, now);
    return json::parse(fresh.engine.handle({"POST", sim::refresh_path, form_type, body}, now, t0).body);
  };
  const auto ok = again("demo-refresh-token");
  REQUIRE(ok["code"] == 0);
  CHECK(ok["data"]["expires_in"] == 20);
  CHECK(again(ok["data"]["refresh_token"].get<std::string>())["code"] == 199);  // the third call this second
  auto isv = small_options();
  isv.kind = sim::app_kind::isv;
  harness h_isv{sim::engine{isv}};
  const auto body = sim::signed_refresh_body(sim::credentials{}, "demo-refresh-token", now);
  const auto refused = json::parse(h_isv.engine.handle({"POST", sim::refresh_path, form_type, body}, now, t0).body);
  CHECK(refused["code"] == 150);
  CHECK(refused["msg"] == "服务商应用禁止刷新access_token");
}

TEST_CASE("engine: checks run in the documented order") {
  harness h;
  sim::credentials wrong_key;
  wrong_key.app_key = "nobody";
  auto body = sim::signed_business_body(wrong_key, h.access_token, "{}", now - std::chrono::hours{1});
  CHECK(json::parse(h.raw("POST", "/nowhere", form_type, body).body)["code"] == 10);  // app_key first
  body = sim::signed_business_body(sim::credentials{}, h.access_token, "{}", now - std::chrono::hours{1});
  CHECK(json::parse(h.raw("POST", "/nowhere", form_type, body).body)["code"] == 140);  // then timestamp
  body = sim::signed_business_body(sim::credentials{}, h.access_token, "{}", now) + "x";
  CHECK(json::parse(h.raw("POST", "/nowhere", form_type, body).body)["code"] == 10);  // then sign
  h.access_token = "stolen";
  CHECK(h.call("/nowhere", json::object())["code"] == 100);  // then token
  h.access_token = "demo-access-token";
  body = sim::signed_business_body(sim::credentials{}, h.access_token, "[1]", now);
  CHECK(json::parse(h.raw("POST", "/nowhere", form_type, body).body)["code"] == 140);  // then biz
  CHECK(h.call("/nowhere", json::object())["code"] == 190);  // then path
  CHECK(h.call(sim::flow_path, json::object())["code"] == 140);  // then parameters
  CHECK(h.raw("GET", sim::flow_path, form_type, "").status == 405);
  CHECK(json::parse(h.raw("POST", sim::flow_path, "application/json", "{}").body)["code"] == 140);
  const auto stats = h.engine.stats_json();
  CHECK(stats["totals"]["calls"] == 9);
  CHECK(stats["totals"]["refused_params"] == 2);
  CHECK(stats["totals"]["refused_auth"] == 7);
  CHECK(stats["endpoints"]["(other)"]["calls"] == 6);
}

TEST_CASE("engine: drift inserts K rows before the page, so page 2 repeats K rows") {
  harness h;
  REQUIRE(h.call(sim::flow_path, window(1, 100))["code"] == 0);
  const auto before = h.call(sim::flow_path, window(1, 100))["data"];
  REQUIRE(h.raw("POST", "/__sim/faults", "application/json", R"({"drift_rows_per_call":7})").status == 200);
  const auto page2 = h.call(sim::flow_path, window(2, 100));
  // The 7 new rows sit at the window's start, so page 2 begins with page 1's last 7 rows.
  for (int i = 0; i < 7; ++i) CHECK(page2["data"][static_cast<std::size_t>(i)] == before[static_cast<std::size_t>(93 + i)]);
}

TEST_CASE("engine: order drift moves the window's first K orders to its end") {
  harness h;
  json biz{{"page_index", 1}, {"page_size", 100},
           {"modified_begin", "2026-01-01 00:00:00"}, {"modified_end", "2026-01-07 23:59:59"}};
  const auto first = h.call(sim::orders_path, biz)["data"];
  REQUIRE(h.raw("POST", "/__sim/faults", "application/json", R"({"drift_rows_per_call":3})").status == 200);
  biz["page_index"] = first["page_count"];
  const auto last = h.call(sim::orders_path, biz)["data"];
  CHECK(last["data_count"] == first["data_count"]);
  const auto& tail = last["orders"];
  REQUIRE(tail.size() >= 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(tail[tail.size() - 3 + i]["o_id"] == first["orders"][i]["o_id"]);
    CHECK(tail[tail.size() - 3 + i]["modified"] == "2026-01-07 23:59:59");
  }
}

TEST_CASE("engine: order drift with drift_changes_items also edits the moved orders' items") {
  harness h;
  json biz{{"page_index", 1}, {"page_size", 100},
           {"modified_begin", "2026-01-01 00:00:00"}, {"modified_end", "2026-01-07 23:59:59"}};
  const auto first = h.call(sim::orders_path, biz)["data"];
  REQUIRE(h.raw("POST", "/__sim/faults", "application/json",
                R"({"drift_rows_per_call":4,"drift_changes_items":true})").status == 200);
  biz["page_index"] = first["page_count"];
  const auto tail = h.call(sim::orders_path, biz)["data"]["orders"];
  REQUIRE(tail.size() >= 4);
  // Four edits in turn (the drift serial is a multiple of 4 here): last item
  // dropped, every item dropped, first replaced, one added.
  std::vector<json> before, after;
  for (std::size_t i = 0; i < 4; ++i) {
    before.push_back(first["orders"][i]);
    after.push_back(tail[tail.size() - 4 + i]);
    REQUIRE(after[i]["o_id"] == before[i]["o_id"]);
  }
  const auto& b0 = before[0]["items"];
  CHECK(after[0]["items"].size() == b0.size() - 1);
  for (std::size_t k = 0; k + 1 < b0.size(); ++k) CHECK(after[0]["items"][k] == b0[k]);
  CHECK(after[1]["items"].empty());
  CHECK(after[1]["pay_amount"].get<double>() == std::stod(after[1]["freight"].get<std::string>()));
  CHECK(after[2]["items"].size() == before[2]["items"].size());
  CHECK(after[2]["items"][0]["oi_id"].get<std::int64_t>() > 900'000'000'000);
  CHECK(after[2]["items"][0]["oi_id"] != before[2]["items"][0]["oi_id"]);
  CHECK(after[3]["items"].size() == before[3]["items"].size() + 1);
  const auto added = after[3]["items"].back()["oi_id"].get<std::int64_t>();
  CHECK(added == after[2]["items"][0]["oi_id"].get<std::int64_t>() + 1);
}

TEST_CASE("engine: the malformed fault truncates the body, code_150 replaces it") {
  harness h;
  REQUIRE(h.raw("POST", "/__sim/faults", "application/json", R"({"malformed":1.0})").status == 200);
  const auto body = sim::signed_business_body(sim::credentials{}, h.access_token, window(1, 10).dump(), now);
  const auto reply = h.raw("POST", sim::flow_path, form_type, body);
  CHECK(reply.status == 200);
  CHECK(json::parse(reply.body, nullptr, false).is_discarded());
  REQUIRE(h.raw("POST", "/__sim/faults", "application/json", R"({"malformed":0,"code_150":1.0})").status == 200);
  CHECK(json::parse(h.raw("POST", sim::flow_path, form_type, body).body)["code"] == 150);
  CHECK(h.engine.stats_json()["totals"]["faults"]["malformed"] == 1);
  CHECK(h.engine.stats_json()["totals"]["faults"]["code_150"] == 1);
}

TEST_CASE("engine: control paths answer JSON and 404 elsewhere under /__sim") {
  harness h;
  CHECK(h.raw("GET", "/__sim/nothing", "", "").status == 404);
  const auto bad = h.raw("POST", "/__sim/faults", "application/json", R"({"bogus":1})");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("bogus") != std::string::npos);
  CHECK(h.raw("GET", "/__sim/truth?endpoint=/x&from=2026-01-01&to=2026-01-02", "", "").status == 400);
  const auto truth = h.raw("GET", "/__sim/truth?endpoint=%2Fopen%2Forders%2Fsingle%2Fquery&from=2026-01-01+00:00:00&to=2026-01-02", "", "");
  CHECK(truth.kind == sim::reply_kind::truth);
}

TEST_CASE("engine: /__sim/tokens ages the tokens, getInitToken mints new ones, a code_100 fault is a business error") {
  harness h;
  CHECK(h.call(sim::flow_path, window(1, 10))["code"] == 0);
  auto aged = h.raw("POST", "/__sim/tokens", "application/json", R"({"expire_in":0})");
  REQUIRE(aged.status == 200);
  CHECK(json::parse(aged.body)["expires_in"] == 0);
  CHECK(h.call(sim::flow_path, window(1, 10))["code"] == 100);
  CHECK(h.raw("POST", "/__sim/tokens", "application/json", R"({"expire_in":-1})").status == 400);
  const auto minted = json::parse(
      h.engine.handle({"POST", sim::init_token_path, form_type, sim::signed_init_token_body(sim::credentials{}, "abc123", now)},
                      now, t0).body);
  REQUIRE(minted["code"] == 0);
  h.access_token = minted["data"]["access_token"].get<std::string>();
  CHECK(h.call(sim::flow_path, window(1, 10))["code"] == 0);
  REQUIRE(h.raw("POST", "/__sim/faults", "application/json", R"({"code_100":1.0})").status == 200);
  const auto refused = h.call(sim::flow_path, window(1, 10));
  CHECK(refused["code"] == 100);
  CHECK(refused["msg"] == "上架仓位不能为空");
  CHECK(refused["requestId"].is_string());
}

TEST_CASE("engine: shops page by 100 at most with has_next and no counts, and /__sim/shops removes one") {
  auto options = small_options();
  options.data.shops = 250;
  sim::engine engine{options};
  const auto call = [&](const json& biz) {
    const auto body = sim::signed_business_body(sim::credentials{}, "demo-access-token", biz.dump(), now);
    const auto reply = engine.handle({"POST", sim::shops_path, form_type, body}, now, t0);
    REQUIRE(reply.status == 200);
    return json::parse(reply.body);
  };
  // No page_size: the documented default, 100.
  auto page = call(json::object());
  REQUIRE(page["code"] == 0);
  const auto& data = page["data"];
  CHECK(data["datas"].size() == 100);
  CHECK(data["has_next"] == true);
  CHECK(data["page_index"] == 1);
  CHECK_FALSE(data.contains("data_count"));  // the SDK's model: page_index, page_size, has_next only
  CHECK_FALSE(data.contains("page_count"));
  // The orders' six shops come first, with every documented field.
  const auto& first = data["datas"][0];
  CHECK(first["shop_id"] == 10010001);
  CHECK(first["shop_name"] == "天猫旗舰店");
  for (const char* field : {"shop_id", "shop_name", "co_id", "shop_site", "shop_url", "created", "nick",
                            "session_expired", "session_uid", "short_name", "group_id", "group_name"}) {
    INFO(field);
    CHECK(first.contains(field));
  }
  CHECK(first["co_id"].is_number_integer());
  CHECK(first["group_id"].is_number_integer());
  CHECK(first["created"].is_string());
  const auto last = call({{"page_index", 3}, {"page_size", 100}})["data"];
  CHECK(last["datas"].size() == 50);
  CHECK(last["has_next"] == false);
  // Over the cap: refused as the platform refuses bad paging.
  CHECK(call({{"page_size", 101}})["code"] != 0);
  // shop_ids filters.
  CHECK(call({{"shop_ids", {10010003, 10010005}}})["data"]["datas"].size() == 2);

  const auto removed = engine.handle({"POST", "/__sim/shops", "application/json", R"({"remove":[10010002,1]})"}, now, t0);
  REQUIRE(removed.status == 200);
  CHECK(json::parse(removed.body) == json{{"removed", 1}, {"shops", 249}});
  const auto after = call(json::object())["data"]["datas"];
  CHECK(after[1]["shop_id"] == 10010003);
  const auto listed = engine.handle({"GET", "/__sim/shops", "", ""}, now, t0);
  CHECK(json::parse(listed.body)["shops"].size() == 249);
  CHECK(engine.handle({"POST", "/__sim/shops", "application/json", R"({"remove":"x"})"}, now, t0).status == 400);
}

TEST_CASE("engine: --accounts serves several app keys, each with its own secret, tokens and limits") {
  auto options = small_options();
  options.accounts = 3;
  options.limit_per_second = 2;
  options.limit_per_minute = 0;
  const auto accounts = sim::account_credentials(options);
  REQUIRE(accounts.size() == 3);
  CHECK(accounts[0].app_key == "demo");
  CHECK(accounts[2].app_key == "demo-3");
  CHECK(accounts[2].app_secret == "demo-secret-3");
  CHECK(accounts[2].access_token == "demo-access-token-3");
  sim::engine engine{options};
  const auto call = [&](const sim::credentials& creds, std::string_view token) {
    const auto body = sim::signed_business_body(creds, token, window(1, 10).dump(), now);
    return json::parse(engine.handle({"POST", sim::flow_path, form_type, body}, now, t0).body)["code"].get<int>();
  };
  // Two calls a second each: the first account's third is refused, the second's own two are not.
  CHECK(call(accounts[0], accounts[0].access_token) == 0);
  CHECK(call(accounts[0], accounts[0].access_token) == 0);
  CHECK(call(accounts[0], accounts[0].access_token) == 199);
  CHECK(call(accounts[1], accounts[1].access_token) == 0);
  CHECK(call(accounts[1], accounts[1].access_token) == 0);
  // Each account signs with its own secret and calls with its own token.
  auto forged = accounts[2];
  forged.app_secret = accounts[0].app_secret;
  CHECK(call(forged, accounts[2].access_token) == 10);
  CHECK(call(accounts[2], accounts[0].access_token) == 100);
  CHECK(call({"nobody", "x", "y", "z"}, "y") == 10);

  // Refreshing the second account's tokens leaves the first one's alone.
  const auto refreshed = json::parse(
      engine.handle({"POST", sim::refresh_path, form_type, sim::signed_refresh_body(accounts[1], accounts[1].refresh_token, now)},
                    now, t0 + std::chrono::seconds{5})
          .body);
  REQUIRE(refreshed["code"] == 0);
  const auto tokens_of = [&](std::string_view key) {
    return json::parse(engine.handle({"GET", "/__sim/tokens?app_key=" + std::string{key}, "", ""}, now, t0).body);
  };
  CHECK(tokens_of("demo-2")["access_token"] == refreshed["data"]["access_token"]);
  CHECK(tokens_of("demo")["access_token"] == accounts[0].access_token);
  CHECK(json::parse(engine.handle({"GET", "/__sim/tokens", "", ""}, now, t0).body)["app_key"] == "demo");
  CHECK(engine.handle({"GET", "/__sim/tokens?app_key=nobody", "", ""}, now, t0).status == 400);

  const auto stats = json::parse(engine.handle({"GET", "/__sim/stats", "", ""}, now, t0).body)["accounts"];
  CHECK(stats["demo"]["accepted"] == 2);
  CHECK(stats["demo"]["refused_limit"] == 1);
  CHECK(stats["demo"]["peak_calls_per_second"] == 3);
  CHECK(stats["demo-2"]["accepted"] == 3);  // two pages and the refresh
  CHECK(stats["demo-2"]["refused_limit"] == 0);
  CHECK(stats["demo-3"]["accepted"] == 0);  // its calls were refused before the limits
}
