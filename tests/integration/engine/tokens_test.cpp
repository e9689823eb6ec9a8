// The token lifecycle against jst-sim in its documented defaults: tokens
// that expire by time with their refresh token, refresh calls counted
// against the limits, service-provider apps that may not refresh, getInitToken
// for self-built apps, and code 100 that is not about the token.
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;
using nlohmann::ordered_json;

namespace {

const ordered_json real_limits = ordered_json::array({{{"calls", 5}, {"per", "1s"}}, {{"calls", 100}, {"per", "1m"}}});

std::int64_t stat(nlohmann::json stats, const std::string& path, const char* key) {
  const auto& endpoints = stats["endpoints"];
  if (!endpoints.contains(path)) return 0;
  return endpoints[path][key].get<std::int64_t>();
}

constexpr const char* refresh_path = "/openWeb/auth/refreshToken";
constexpr const char* init_path = "/openWeb/auth/getInitToken";

const std::vector<std::string> order_columns{"o_id",     "so_id",    "shop_id", "shop_name", "status",
                                             "order_date", "modified", "pay_amount", "freight", "buyer_message"};

}  // namespace

TEST_CASE("tokens that live 20 s are refreshed ahead of expiry under the real limits: no failed call, no throttle",
          "[engine][tokens]") {
  sim s{{"--records", "300000", "--seed", "41", "--token-ttl", "20s"}};
  test_database db{"e_ttl"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["sources"]["jst"]["rate_limits"] = real_limits;
  const auto path = write_config("e_ttl", config);
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"}, 600s);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("throttles 0"));
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
  const auto stats = s.stats();
  INFO(stats.dump());
  // 300 pages at 100 calls a minute (5 of them kept for refreshes): over three minutes of
  // calls, ten token lifetimes and more.
  CHECK(stat(stats, refresh_path, "served") >= 9);
  CHECK(stats["totals"]["refused_auth"] == 0);   // no call met an expired or retired token
  CHECK(stats["totals"]["refused_limit"] == 0);  // refreshes included, nothing over the limits
  CHECK(db.scalar("SELECT access_token = '" + s.tokens()["access_token"].get<std::string>() +
                  "' FROM ferry_sources") == "1");
  CHECK(db.scalar("SELECT expires_at IS NOT NULL AND issued_at IS NOT NULL FROM ferry_sources") == "1");
}

TEST_CASE("a daemon and a --once of one account refresh in turn across expiries: both exact, no refresh refused",
          "[engine][tokens]") {
  sim s{{"--records", "40000", "--orders", "6000", "--seed", "42", "--token-ttl", "20s"}};
  test_database db{"e_ttl_two"};
  set_source_env();
  ::setenv("FERRY_ADMIN_TOKEN", "two-token", 1);
  // Each process gets half of the account's limits.
  const ordered_json half = ordered_json::array({{{"calls", 2}, {"per", "1s"}}, {{"calls", 50}, {"per", "1m"}}});
  auto daemon_config = flow_config(s.port(), db);
  daemon_config["sources"]["jst"]["rate_limits"] = half;
  daemon_config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}};
  daemon_config["jobs"][0]["schedule"] = {{"every", "1h"}};
  auto once_config = orders_config(s.port(), db);
  once_config["sources"]["jst"]["rate_limits"] = half;
  const auto daemon_path = write_config("e_ttl_two_daemon", daemon_config);
  const auto once_path = write_config("e_ttl_two_once", once_config);

  ferryd_daemon daemon{daemon_path};
  const auto once = run_ferryd({"--config", once_path.string(), "--once", "orders"}, 600s);
  CHECK(once.exit_code == 0);
  eventually([&] { return db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE job_id = 'skusn_inout' AND state <> "
                                    "'running'") == "1"; },
             300s, "the daemon's run");
  CHECK(daemon.terminate() == 0);
  CHECK(db.scalar("SELECT state FROM ferry_runs WHERE job_id = 'skusn_inout'") == "success");

  const auto flow_diff = compare_flow(db, s);
  INFO(flow_diff.describe());
  CHECK(flow_diff.exact());
  const auto orders = s.truth(orders_api, "2026-01-01 00:00:00", "2026-02-01 00:00:00");
  const auto order_diff = compare(db, "bi_orders", {"o_id"}, order_columns, orders);
  INFO(order_diff.describe());
  CHECK(order_diff.exact());
  const auto stats = s.stats();
  INFO(stats.dump());
  CHECK(stat(stats, refresh_path, "served") >= 3);        // several expiries passed
  CHECK(stat(stats, refresh_path, "refused_auth") == 0);  // never with a refresh token the other retired
}

TEST_CASE("a service-provider app fails at its first refresh, in one call, naming what the merchant must do",
          "[engine][tokens]") {
  sim s{{"--records", "3000", "--app-kind", "isv", "--token-expire-after-calls", "2", "--limit-per-second", "0",
         "--limit-per-minute", "0"}};
  test_database db{"e_isv"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["sources"]["jst"]["app_kind"] = "isv";
  config["sources"]["jst"]["token_expires_at"] = "2027-01-05 10:00:00";
  config["jobs"][0]["window"]["max_span"] = "1d";
  const auto path = write_config("e_isv", config);
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.out, Catch::Contains("服务商应用禁止刷新access_token") && Catch::Contains("authorise") &&
                             Catch::Contains("2027-01-05 10:00:00"));
  const auto stats = s.stats();
  INFO(stats.dump());
  CHECK(stat(stats, refresh_path, "calls") == 1);
  CHECK(stat(stats, init_path, "calls") == 0);
}

TEST_CASE("a self-built app whose stored tokens all died mints new ones and completes exactly", "[engine][tokens]") {
  sim s{{"--records", "20000", "--seed", "43", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_mint"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["sources"]["jst"]["mint_tokens"] = true;
  const auto path = write_config("e_mint", config);
  REQUIRE(run_ferryd({"--config", path.string(), "--once", "skusn_inout", "--from", "2026-01-01 00:00:00", "--to",
                      "2026-01-02 00:00:00"})
              .exit_code == 0);
  const auto stored = db.scalar("SELECT access_token FROM ferry_sources");
  // Both tokens die now, long before the expiry ferry stored.
  s.tokens(0);
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  REQUIRE(result.exit_code == 0);
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
  const auto stats = s.stats();
  INFO(stats.dump());
  CHECK(stat(stats, init_path, "served") == 1);
  CHECK(stat(stats, refresh_path, "refused_auth") == 1);  // the dead refresh token, tried once
  const auto now_stored = db.scalar("SELECT access_token FROM ferry_sources");
  CHECK(now_stored != stored);
  CHECK(now_stored == s.tokens()["access_token"].get<std::string>());

  // No token at all in the config: minted at the start.
  test_database fresh{"e_mint_none"};
  auto none = flow_config(s.port(), fresh);
  none["sources"]["jst"]["mint_tokens"] = true;
  none["sources"]["jst"].erase("access_token_env");
  none["sources"]["jst"].erase("refresh_token_env");
  const auto none_path = write_config("e_mint_none", none);
  const auto minted = run_ferryd({"--config", none_path.string(), "--once", "skusn_inout", "--from",
                                  "2026-01-01 00:00:00", "--to", "2026-01-02 00:00:00"});
  CHECK(minted.exit_code == 0);
  CHECK(stat(s.stats(), init_path, "served") == 2);
}

TEST_CASE("a --once renews tokens past half their lifetime, so runs from cron never let them lapse",
          "[engine][tokens]") {
  sim s{{"--records", "2000", "--seed", "44", "--token-ttl", "1h", "--limit-per-second", "0", "--limit-per-minute",
         "0"}};
  test_database db{"e_half_life"};
  set_source_env();
  const auto path = write_config("e_half_life", flow_config(s.port(), db));
  const std::vector<std::string> once{"--config", path.string(), "--once", "skusn_inout", "--from",
                                      "2026-01-01 00:00:00", "--to", "2026-01-02 00:00:00"};
  // Tokens from the environment, expiry unknown: one refresh to learn it.
  REQUIRE(run_ferryd(once).exit_code == 0);
  REQUIRE(stat(s.stats(), refresh_path, "served") == 1);
  CHECK(db.scalar("SELECT TIMESTAMPDIFF(MINUTE, issued_at, expires_at) FROM ferry_sources") == "60");
  // Most of the hour left: nothing to do.
  REQUIRE(run_ferryd(once).exit_code == 0);
  CHECK(stat(s.stats(), refresh_path, "served") == 1);
  // 25 minutes left of 60: more than a daemon's margin (10%, 6 minutes), so
  // a daemon would wait; a --once may not run again before they expire.
  ferry::mysql::connection{db.options}.execute(
      "UPDATE ferry_sources SET issued_at = issued_at - INTERVAL 35 MINUTE, "
      "expires_at = expires_at - INTERVAL 35 MINUTE");
  const auto before = db.scalar("SELECT access_token FROM ferry_sources");
  const auto issued_before = db.scalar("SELECT issued_at FROM ferry_sources");
  REQUIRE(run_ferryd(once).exit_code == 0);
  CHECK(stat(s.stats(), refresh_path, "served") == 2);
  const auto after = db.scalar("SELECT access_token FROM ferry_sources");
  CHECK(after != before);
  CHECK(after == s.tokens()["access_token"].get<std::string>());
  // Issued now (35 minutes after the aged time), for a full hour.
  CHECK(db.scalar("SELECT TIMESTAMPDIFF(MINUTE, '" + issued_before + "', issued_at) >= 34 FROM ferry_sources") == "1");
  CHECK(db.scalar("SELECT TIMESTAMPDIFF(MINUTE, issued_at, expires_at) FROM ferry_sources") == "60");
}

TEST_CASE("a business error under code 100 fails the window with the platform's message, tokens untouched",
          "[engine][tokens]") {
  sim s{{"--records", "5000", "--seed", "44", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_code100"};
  set_source_env();
  const auto path = write_config("e_code100", flow_config(s.port(), db));
  REQUIRE(run_ferryd({"--config", path.string(), "--once", "skusn_inout", "--from", "2026-01-01 00:00:00", "--to",
                      "2026-01-02 00:00:00"})
              .exit_code == 0);
  const auto before = db.scalar("SELECT CONCAT(access_token, ' ', refresh_token) FROM ferry_sources");
  const auto generation = s.tokens()["generation"];
  s.set_faults({{"code_100", 1.0}});
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.out, Catch::Contains("上架仓位不能为空") && Catch::Contains("requestId sim-"));
  CHECK(db.scalar("SELECT CONCAT(access_token, ' ', refresh_token) FROM ferry_sources") == before);
  CHECK(s.tokens()["generation"] == generation);
  CHECK(stat(s.stats(), refresh_path, "calls") == 1);  // only the first run's, which learnt the expiry
}

TEST_CASE("a renewal never waits behind calls the limiter granted while it held the token gate", "[engine][tokens]") {
  // Pages fetched four at a time (answers with a count), one call a second,
  // and half of all calls (refreshes too) answered 503: while a refresh
  // backs off for over a second, a page waiting on the limiter is granted
  // the account's next call. Were it to hold that call at the closed
  // gate, it would count as sent until the gate opened, and the refresh's
  // next attempt would wait for a call only the refresh can free.
  sim s{{"--records", "3000", "--seed", "45", "--flow-envelope", "standard", "--token-expire-after-calls", "12",
         "--http-503", "0.5", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_gate"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["jobs"][0]["page_size"] = 100;
  config["sources"]["jst"]["rate_limits"] = ordered_json::array({{{"calls", 1}, {"per", "1s"}}});
  config["sources"]["jst"]["retry"] = {{"max_attempts", 40}, {"base_delay", "3s"}, {"max_delay", "3s"}};
  const auto path = write_config("e_gate", config);
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"}, 240s);
  REQUIRE(result.exit_code == 0);
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
  const auto stats = s.stats();
  INFO(stats.dump());
  // 31 pages and more, a token every 12 accepted calls: enough that a page's
  // retry after its refresh (a 503 backoff of up to 3 s) is not met by a
  // token the other pages already used up.
  CHECK(stat(stats, refresh_path, "served") >= 2);
  CHECK(stats["endpoints"][refresh_path]["faults"]["http_503"].get<int>() > 0);  // a refresh did back off
}
