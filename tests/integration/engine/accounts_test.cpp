// Several Jushuitan accounts in one ferryd: each `sources` entry is one app
// key with its own tokens and its own limiter, against jst-sim serving as
// many accounts, each limited on its own as the platform limits each app.
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

using namespace ferry::test;
using namespace std::chrono_literals;
using nlohmann::ordered_json;

TEST_CASE("three accounts in one daemon, each at the real limits: every table exact, no throttle, no account "
          "over its limits",
          "[engine][accounts]") {
  constexpr int accounts = 3;
  sim s{{"--records", "12000", "--seed", "71", "--accounts", std::to_string(accounts)}};
  test_database db{"e_accounts"};
  set_source_env();
  ::setenv("FERRY_ADMIN_TOKEN", "accounts-token", 1);
  const auto one = flow_config(s.port(), db);
  ordered_json config = one;
  config["sources"] = ordered_json::object();
  config["jobs"] = ordered_json::array();
  config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}};
  for (int k = 1; k <= accounts; ++k) {
    const std::string suffix = k == 1 ? "" : "-" + std::to_string(k);
    const std::string env_suffix = k == 1 ? "" : "_" + std::to_string(k);
    auto source = one["sources"]["jst"];
    source["app_key"] = "demo" + suffix;
    source["app_secret_env"] = "JST_APP_SECRET" + env_suffix;
    source["access_token_env"] = "JST_ACCESS_TOKEN" + env_suffix;
    source["refresh_token_env"] = "JST_REFRESH_TOKEN" + env_suffix;
    source["rate_limits"] = ordered_json::array({{{"calls", 5}, {"per", "1s"}}, {{"calls", 100}, {"per", "1m"}}});
    ::setenv(("JST_APP_SECRET" + env_suffix).c_str(), ("demo-secret" + suffix).c_str(), 1);
    ::setenv(("JST_ACCESS_TOKEN" + env_suffix).c_str(), ("demo-access-token" + suffix).c_str(), 1);
    ::setenv(("JST_REFRESH_TOKEN" + env_suffix).c_str(), ("demo-refresh-token" + suffix).c_str(), 1);
    const std::string name = "shop" + std::to_string(k);
    config["sources"][name] = source;
    auto job = one["jobs"][0];
    job["id"] = "skusn_inout_" + name;
    job["source"] = name;
    job["schedule"] = {{"every", "1h"}};
    job["targets"][0]["table"] = "bi_skusn_inout_" + name;
    config["jobs"].push_back(job);
  }
  const auto path = write_config("e_accounts", config);
  ferryd_daemon daemon{path};
  eventually([&] { return db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'success'") == "3"; }, 300s,
             "a successful run of each account's job");
  CHECK(daemon.terminate() == 0);

  const auto truth = s.truth(flow_api, "2026-01-01 00:00:00", "2026-02-01 00:00:00");
  REQUIRE(truth.size() == 12000);
  for (int k = 1; k <= accounts; ++k) {
    const auto diff = compare(db, "bi_skusn_inout_shop" + std::to_string(k), flow_key, flow_columns, truth);
    INFO("account " << k << ": " << diff.describe());
    CHECK(diff.exact());
  }
  const auto stats = s.stats();
  INFO(stats.dump());
  CHECK(stats["totals"]["refused_limit"] == 0);
  for (const auto& key : {"demo", "demo-2", "demo-3"}) {
    const auto& account = stats["accounts"][key];
    INFO(key);
    CHECK(account["accepted"].get<int>() >= 13);  // 12 pages and a refresh to learn the expiry, at least
    CHECK(account["refused_limit"] == 0);
    CHECK(account["peak_calls_per_second"].get<int>() <= 5);
    CHECK(account["peak_calls_per_minute"].get<int>() <= 100);
  }
  // Each account kept its own tokens.
  for (int k = 1; k <= accounts; ++k) {
    const std::string key = k == 1 ? "demo" : "demo-" + std::to_string(k);
    CHECK(db.scalar("SELECT access_token = '" + s.tokens_of(key)["access_token"].get<std::string>() +
                    "' FROM ferry_sources WHERE source = 'shop" + std::to_string(k) + "'") == "1");
  }
}
