// jst-sim over HTTP: every fault kind, its count in /__sim/stats, and replay by seed.
#include "sim_fixture.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <catch2/catch.hpp>

using namespace ferry;
using namespace ferry::sim::testing;
using nlohmann::json;

namespace {

const std::string biz = json{{"page_index", 1}, {"page_size", 20},
                             {"create_time_start", "2026-01-01 00:00:00"},
                             {"create_time_end", "2026-01-10 00:00:00"}}.dump();

// Sets one fault kind to certainty and all others to zero.
void only(running_sim& sim, const char* kind) {
  json faults{{"http_500", 0}, {"http_502", 0}, {"http_503", 0}, {"reset", 0},
              {"timeout", 0},  {"malformed", 0}, {"code_150", 0}};
  if (kind != nullptr) faults[kind] = 1.0;
  sim.set_faults(faults);
}

// What a call looked like from outside, for comparing two runs.
std::string outcome(const test_support::http_result& r) {
  if (!r.ok()) return "error";
  if (r.response.status != 200) return std::to_string(r.response.status);
  const auto body = json::parse(r.response.body, nullptr, false);
  return body.is_discarded() ? "malformed" : "code " + std::to_string(body["code"].get<int>());
}

}  // namespace

TEST_CASE("each fault kind is injected and counted") {
  running_sim sim(quiet_flags({"--fault-delay", "3s"}));
  test_support::http_client client("127.0.0.1", sim.port(), std::chrono::seconds{10});
  auto call = [&] { return client.post_form(sim::flow_path, sim::signed_business_body(sim.creds, sim.access_token, biz, wall_now())); };

  for (const auto& [kind, status] : {std::pair{"http_500", 500u}, {"http_502", 502u}, {"http_503", 503u}}) {
    only(sim, kind);
    const auto r = call();
    REQUIRE(r.ok());
    CHECK(r.response.status == status);
  }
  only(sim, "reset");
  const auto reset = call();
  CHECK_FALSE(reset.ok());
  CHECK((reset.error == boost::asio::error::connection_reset || reset.error == boost::beast::http::error::end_of_stream ||
         reset.error == boost::asio::error::eof));
  only(sim, "malformed");
  const auto malformed = call();
  REQUIRE(malformed.ok());
  CHECK(malformed.response.status == 200);
  CHECK(json::parse(malformed.response.body, nullptr, false).is_discarded());
  only(sim, "code_150");
  CHECK(json::parse(call().response.body)["code"] == 150);
  only(sim, "timeout");
  client.set_timeout(std::chrono::milliseconds{1000});
  const auto timed_out = call();
  CHECK(timed_out.error == boost::beast::error::timeout);
  only(sim, nullptr);
  client.set_timeout(std::chrono::seconds{10});
  CHECK(json::parse(call().response.body)["code"] == 0);

  const auto faults = sim.stats()["endpoints"][std::string{sim::flow_path}]["faults"];
  for (const char* kind : {"http_500", "http_502", "http_503", "reset", "malformed", "code_150", "timeout"}) {
    INFO(kind);
    CHECK(faults[kind] == 1);
  }
}

TEST_CASE("control paths are never faulted") {
  running_sim sim(quiet_flags());
  only(sim, "reset");
  CHECK(sim.stats()["totals"]["calls"] == 0);
  CHECK(sim.truth(sim::flow_path, "2026-01-01 00:00:00", "2026-01-01 06:00:00").size() > 0);
}

TEST_CASE("the same seed and call order give the same faults") {
  auto flags = [](const char* seed) {
    return quiet_flags({"--seed", seed, "--http-500", "0.2", "--http-503", "0.1", "--reset", "0.1", "--malformed",
                        "0.1", "--code-150", "0.1"});
  };
  auto run = [&](const std::vector<std::string>& f) {
    running_sim sim(f);
    std::vector<std::string> seen;
    for (int i = 0; i < 40; ++i)
      seen.push_back(outcome(sim.call_raw(sim::flow_path, biz, sim.access_token, wall_now())));
    return seen;
  };
  const auto first = run(flags("77"));
  CHECK(first == run(flags("77")));
  CHECK(std::count(first.begin(), first.end(), "code 0") < 40);
  CHECK(std::count(first.begin(), first.end(), "code 0") > 0);
  CHECK(first != run(flags("78")));
}
