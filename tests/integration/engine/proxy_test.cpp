// Calls from a whitelisted address: the platform refuses callers not on an
// app's IP whitelist (code 110), so deployments call through a fixed egress.
// A real HTTP proxy (Debian's tinyproxy) on loopback tunnels ferry's calls
// with CONNECT, from the source's "proxy" setting and from HTTP_PROXY.
#include "harness.hpp"
#include "support/tinyproxy.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;

using ferry::test_support::tinyproxy;
using ferry::test_support::unused_port;

TEST_CASE("calls go through an HTTP proxy with CONNECT, from the source's setting or HTTP_PROXY",
          "[engine][proxy]") {
  tinyproxy proxy{"sync"};
  sim s{{"--records", "5000", "--seed", "61", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_proxy"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  config["sources"]["jst"]["proxy"] = "http://127.0.0.1:" + std::to_string(proxy.port());
  const auto path = write_config("e_proxy", config);
  const auto result = run_ferryd_with_log({"--config", path.string(), "--once", "skusn_inout"});
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("through the proxy 127.0.0.1:" + std::to_string(proxy.port())));
  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
  const auto through_setting = proxy.tunnels();
  INFO(proxy.log());
  CHECK(through_setting >= 1);
  CHECK_THAT(proxy.log(), Catch::Contains("CONNECT 127.0.0.1:" + std::to_string(s.port())));

  // The same from the environment; NO_PROXY sends it direct again.
  config["sources"]["jst"].erase("proxy");
  const auto env_path = write_config("e_proxy_env", config);
  ::setenv("HTTP_PROXY", ("127.0.0.1:" + std::to_string(proxy.port())).c_str(), 1);
  const auto by_env = run_ferryd({"--config", env_path.string(), "--once", "skusn_inout", "--from",
                                  "2026-01-01 00:00:00", "--to", "2026-01-02 00:00:00"});
  CHECK(by_env.exit_code == 0);
  const auto through_env = proxy.tunnels();
  CHECK(through_env > through_setting);
  ::setenv("NO_PROXY", "localhost,127.0.0.1", 1);
  const auto direct = run_ferryd({"--config", env_path.string(), "--once", "skusn_inout", "--from",
                                  "2026-01-01 00:00:00", "--to", "2026-01-02 00:00:00"});
  ::unsetenv("HTTP_PROXY");
  ::unsetenv("NO_PROXY");
  CHECK(direct.exit_code == 0);
  CHECK(proxy.tunnels() == through_env);
}

TEST_CASE("a proxy that is down or refuses the tunnel fails the run naming the proxy", "[engine][proxy]") {
  sim s{{"--records", "500", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"e_proxy_down"};
  set_source_env();
  auto config = flow_config(s.port(), db);
  const auto dead = unused_port();
  config["sources"]["jst"]["proxy"] = "http://127.0.0.1:" + std::to_string(dead);
  config["sources"]["jst"]["retry"] = {{"max_attempts", 2}, {"base_delay", "10ms"}, {"max_delay", "20ms"}};
  const auto path = write_config("e_proxy_down", config);
  const auto result = run_ferryd({"--config", path.string(), "--once", "skusn_inout"});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.out, Catch::Contains("connect to proxy 127.0.0.1:" + std::to_string(dead)));
  CHECK(db.scalar("SELECT watermark FROM ferry_jobs") == "NULL");

  // A proxy that tunnels to port 443 only refuses jst-sim's port.
  tinyproxy strict{"strict", "ConnectPort 443\n"};
  config["sources"]["jst"]["proxy"] = "http://127.0.0.1:" + std::to_string(strict.port());
  const auto strict_path = write_config("e_proxy_strict", config);
  const auto refused = run_ferryd({"--config", strict_path.string(), "--once", "skusn_inout"});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.out, Catch::Contains("proxy 127.0.0.1:" + std::to_string(strict.port()) + " refused CONNECT 127.0.0.1:" +
                                          std::to_string(s.port())));
}
