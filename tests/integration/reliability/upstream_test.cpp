// The upstream at its worst: 30% HTTP 5xx, connection resets, code 150, a
// platform limit half of what ferry is configured for (a throttle storm) and
// rows drifting while ferry pages, all the time; first with an access token
// that expires every 30 calls, then with answers slower than ferry's timeout
// and malformed JSON. The daemon must finish the job exactly, show the
// retries and throttles in its metrics, never send faster than its own
// bucket, and not storm the API.
//
// Why the two phases: a timeout or a malformed answer is an answer the
// platform *did* handle. When that call is a token refresh, the platform has
// already replaced both tokens and the client never learns the new ones; no
// client can recover from that without new tokens from the operator (ferry
// says so in its error). So expiry and lost answers are tested apart.
#include "harness.hpp"
#include "reliability.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <iostream>
#include <regex>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;

namespace {

double metric(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("a fault storm upstream ends complete and exact, within the bucket and without a retry storm",
          "[reliability][upstream]") {
  sim s{{"--records", "40000", "--seed", "31", "--http-500", "0.1", "--http-502", "0.1", "--http-503", "0.1",
         "--reset", "0.04", "--fault-delay", "3s", "--code-150", "0.04", "--token-expire-after-calls", "30",
         "--drift-rows-per-call", "20", "--limit-per-second", "4", "--limit-per-minute", "0",
         // the count check that catches the drift needs data_count (see faults_test.cpp)
         "--flow-envelope", "standard"}};
  test_database db{"r_storm"};
  set_source_env();
  ::setenv("FERRY_ADMIN_TOKEN", "storm-token", 1);
  auto config = flow_config(s.port(), db);
  const int bucket = 8;  // twice what the platform allows: ferry must find the real pace
  config["sources"]["jst"]["rate_limits"] = {{{"calls", bucket}, {"per", "1s"}}};
  config["sources"]["jst"]["timeout"] = "1s";
  config["sources"]["jst"]["retry"] = {{"max_attempts", 30}, {"base_delay", "100ms"}, {"max_delay", "2s"}};
  config["jobs"][0]["page_size"] = 500;
  config["jobs"][0]["window"]["max_span"] = "6d";
  config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}};
  config["jobs"][0]["schedule"] = {{"every", "1h"}};
  const auto path = write_config("r_storm", config);

  running_ferryd ferryd{{"--config", path.string()}};
  ferryd.admin_port();
  // Rows drift during the first 25 calls, then the data settles.
  eventually([&] { return s.stats()["business_calls"].get<int>() >= 25; }, 120s, "25 calls");
  s.set_faults({{"drift_rows_per_call", 0}});
  // Then lost answers instead of token expiry.
  eventually([&] { return s.stats()["business_calls"].get<int>() >= 70; }, 120s, "70 calls");
  s.set_faults({{"token_expire_after_calls", 0}, {"timeout", 0.03}, {"malformed", 0.04}});
  eventually([&] { return db.scalar("SELECT watermark FROM ferry_jobs WHERE job_id = 'skusn_inout'") ==
                          "2026-02-01 00:00:00"; },
             400s, "the job to finish through the storm");

  // The watermark moves in the last window's commit; the run ends (and is
  // counted) a moment later.
  ferry::test_support::http_client client{"127.0.0.1", ferryd.admin_port()};
  std::string text;
  eventually([&] {
    text = "\n" + client.get("/metrics").response.body;
    return metric(text, R"(ferry_job_runs_total{ferry_job="skusn_inout",outcome="success"})") >= 1;
  }, 30s, "the run to end");
  const auto stats = s.stats();
  const auto totals = stats["totals"];
  const auto calls = stats["business_calls"].get<double>();
  const auto pages = db.scalar("SELECT SUM(pages) FROM ferry_windows WHERE state = 'complete'");
  std::cout << "storm: " << calls << " calls for " << pages << " pages; faults " << totals["faults"].dump()
            << "; refused by the limit " << totals["refused_limit"] << "; peak " << stats["peak_calls_per_second"]
            << " calls/s (bucket " << bucket << ")" << std::endl;
  INFO(text);
  const std::string flow_calls = R"(ferry_http_requests_total{api="/open/webapi/wmsapi/skusn/queryinoutitemskusns",)";
  CHECK(metric(text, flow_calls + R"(outcome="transient",source="jst"})") > 0);
  CHECK(metric(text, flow_calls + R"(outcome="throttled",source="jst"})") > 0);
  CHECK(metric(text, flow_calls + R"(outcome="token_expired",source="jst"})") > 0);
  CHECK(metric(text, R"(ferry_retries_total{ferry_job="skusn_inout"})") > 0);
  CHECK(metric(text, R"(ferry_throttled_total{source="jst"})") > 0);
  CHECK(metric(text, R"(ferry_job_runs_total{ferry_job="skusn_inout",outcome="success"})") >= 1);
  for (const char* kind : {"http_500", "http_502", "http_503", "reset", "timeout", "malformed", "code_150"})
    CHECK(totals["faults"][kind].get<int>() > 0);
  CHECK(totals["refused_limit"].get<int>() > 0);
  CHECK(db.scalar("SELECT MAX(fetch_rounds) FROM ferry_windows") != "1");  // the drift was caught
  // Never faster than the bucket, and no retry storm: with 45% of calls
  // faulted and the platform refusing what passes its limit, a call per page
  // costs about 2.5 calls; four is the line.
  // jst-sim counts on arrival: a call that reaches it a few milliseconds late
  // can share a sliding second with the next second's first call, so one
  // call of jitter is allowed; a limiter that let a burst through would show
  // far more.
#ifdef FERRY_SANITIZED_BUILD
  // Under ASan or TSan, ferryd and jst-sim stall for whole seconds on a busy
  // machine, so calls the limiter spaced out can reach jst-sim together (25
  // in one second was seen under TSan): the peak is printed above, not checked.
  WARN("sanitizer build: the peak of " << stats["peak_calls_per_second"] << " calls/s is not checked");
#else
  CHECK(stats["peak_calls_per_second"].get<int>() <= bucket + 1);
#endif
  CHECK(calls <= 4.0 * std::stod(pages));

  const auto diff = compare_flow(db, s);
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(diff.matching > 40000);  // the rows inserted by the drift are there too
  ::kill(ferryd.pid(), SIGTERM);
  CHECK(ferryd.wait(60s) == 0);
}
