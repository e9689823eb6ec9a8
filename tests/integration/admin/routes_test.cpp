// Routing, auth and validation of the admin API, over real HTTP on 127.0.0.1.
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string_view>

namespace {

using namespace ferry::admin::testing;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* json_type = "application/json";

json body_of(const ferry::http::result& r) { return json::parse(r.res.body, nullptr, false); }

std::string message_of(const ferry::http::result& r) {
  auto body = body_of(r);
  return body.is_object() && body.contains("error") ? body["error"].value("message", "") : "";
}

struct api_call {
  const char* method;
  const char* target;
  const char* body;
};

const std::vector<api_call> every_api_route{
    {"GET", "/api/v1/jobs", ""},
    {"GET", "/api/v1/jobs/skusn", ""},
    {"PATCH", "/api/v1/jobs/skusn", R"({"paused":true})"},
    {"GET", "/api/v1/jobs/skusn/runs", ""},
    {"POST", "/api/v1/jobs/skusn/runs", ""},
    {"POST", "/api/v1/jobs/skusn/backfills", R"({"from":"2024-01-01","to":"2024-01-02"})"},
    {"GET", "/api/v1/jobs/skusn/windows?state=incomplete", ""},
    {"PUT", "/api/v1/log-level", R"({"level":"debug"})"},
    {"GET", "/api/v1/no-such-route", ""},
};

}  // namespace

TEST_CASE("healthz and readyz answer without a token") {
  admin_fixture server;
  admin_client client(server.port());
  auto health = client.send("GET", "/healthz", "", "", std::nullopt);
  REQUIRE(health.ok());
  CHECK(health.res.status == 200);
  CHECK(health.res.content_type == json_type);
  CHECK(body_of(health) == json{{"status", "ok"}});

  auto ready = client.send("GET", "/readyz", "", "", std::nullopt);
  CHECK(ready.res.status == 200);
  CHECK(body_of(ready) == json{{"status", "ready"}});

  server.control.ready = false;
  auto not_ready = client.send("GET", "/readyz", "", "", std::nullopt);
  CHECK(not_ready.res.status == 503);
  CHECK(error_code_of(not_ready.res) == "not_ready");
  CHECK(message_of(not_ready) == "MySQL unreachable: connection refused");
}

TEST_CASE("metrics are open by default, in text format 0.0.4") {
  admin_fixture server;
  admin_client client(server.port());
  auto metrics = client.send("GET", "/metrics", "", "", std::nullopt);
  REQUIRE(metrics.ok());
  CHECK(metrics.res.status == 200);
  CHECK(metrics.res.content_type.rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(metrics.res.body.find("ferry_build_info{") != std::string::npos);
  CHECK(metrics.res.body.find(R"(ferry_records_fetched_total{ferry_job="skusn"} 0)") != std::string::npos);
}

TEST_CASE("metrics behind the token when configured") {
  auto options = test_options();
  options.metrics_need_token = true;
  admin_fixture server(options);
  admin_client client(server.port());
  auto missing = client.send("GET", "/metrics", "", "", std::nullopt);
  CHECK(missing.res.status == 401);
  CHECK(header(missing.res, "WWW-Authenticate").rfind("Bearer", 0) == 0);
  CHECK(client.send("GET", "/metrics", "", "", "wrong").res.status == 401);
  auto right = client.get("/metrics");
  CHECK(right.res.status == 200);
  CHECK(right.res.body.find("ferry_build_info") != std::string::npos);
  // health checks stay open for load balancers and systemd.
  CHECK(client.send("GET", "/healthz", "", "", std::nullopt).res.status == 200);
}

TEST_CASE("every /api route refuses a missing or wrong token with 401") {
  admin_fixture server;
  admin_client client(server.port());
  for (const auto& call : every_api_route) {
    INFO(call.method << " " << call.target);
    auto missing = client.send(call.method, call.target, call.body, json_type, std::nullopt);
    REQUIRE(missing.ok());
    CHECK(missing.res.status == 401);
    CHECK(error_code_of(missing.res) == "unauthorized");
    CHECK(header(missing.res, "WWW-Authenticate") == R"(Bearer realm="ferry")");
    for (std::string wrong : {std::string("nope"), test_token + "x", test_token.substr(1), std::string()}) {
      auto refused = client.send(call.method, call.target, call.body, json_type, wrong);
      CHECK(refused.res.status == 401);
      CHECK(header(refused.res, "WWW-Authenticate").find(R"(error="invalid_token")") != std::string::npos);
    }
    ferry::http::request basic{call.method, call.target, json_type, call.body,
                               {{"Authorization", "Basic " + test_token}}};
    CHECK(client.send_raw(basic).res.status == 401);
  }
  CHECK(server.control.calls == 0);
  // The token never comes back in an answer.
  auto wrong = client.send("GET", "/api/v1/jobs", "", "", "nope");
  CHECK(wrong.res.body.find("nope") == std::string::npos);
}

TEST_CASE("the right token reaches the control with the right arguments") {
  admin_fixture server;
  admin_client client(server.port());
  struct expectation {
    api_call call;
    unsigned status;
    std::string control_call;
  };
  const std::vector<expectation> table{
      {{"GET", "/api/v1/jobs", ""}, 200, "list_jobs"},
      {{"GET", "/api/v1/jobs/skusn", ""}, 200, "get_job skusn"},
      {{"PATCH", "/api/v1/jobs/skusn", R"({"paused":true})"}, 200, "set_paused skusn true"},
      {{"PATCH", "/api/v1/jobs/orders", R"({"paused":false})"}, 200, "set_paused orders false"},
      {{"GET", "/api/v1/jobs/skusn/runs", ""}, 200, "list_runs skusn 20"},
      {{"GET", "/api/v1/jobs/skusn/runs?limit=5", ""}, 200, "list_runs skusn 5"},
      {{"GET", "/api/v1/jobs/skusn/runs?limit=1000", ""}, 200, "list_runs skusn 1000"},
      {{"POST", "/api/v1/jobs/skusn/runs", ""}, 202, "trigger skusn"},
      {{"POST", "/api/v1/jobs/skusn/runs", "{}"}, 202, "trigger skusn"},
      {{"POST", "/api/v1/jobs/skusn/backfills", R"({"from":"2024-01-01","to":"2024-01-02"})"}, 202,
       "backfill skusn 2024-01-01 00:00:00 2024-01-02 00:00:00 real"},
      {{"POST", "/api/v1/jobs/skusn/backfills", R"({"from":"2024-01-01","to":"2024-01-02","dry_run":true})"}, 200,
       "backfill skusn 2024-01-01 00:00:00 2024-01-02 00:00:00 dry"},
      // RFC 3339 with any offset names the same instants.
      {{"POST", "/api/v1/jobs/skusn/backfills",
        R"({"from":"2023-12-31T16:00:00Z","to":"2024-01-02T01:00:00+09:00","dry_run":true})"},
       200, "backfill skusn 2024-01-01 00:00:00 2024-01-02 00:00:00 dry"},
      {{"GET", "/api/v1/jobs/skusn/windows", ""}, 200, "list_windows skusn -"},
      {{"GET", "/api/v1/jobs/skusn/windows?state=incomplete", ""}, 200, "list_windows skusn incomplete"},
      {{"GET", "/api/v1/jobs/skusn/windows?state=in%63omplete", ""}, 200, "list_windows skusn incomplete"},
      {{"GET", "/api/v1/jobs/sku%73n", ""}, 200, "get_job skusn"},
      {{"PUT", "/api/v1/log-level", R"({"level":"debug"})"}, 200, "set_log_level debug"},
  };
  for (const auto& row : table) {
    INFO(row.call.method << " " << row.call.target << " " << row.call.body);
    auto r = client.send(row.call.method, row.call.target, row.call.body, *row.call.body ? json_type : "");
    REQUIRE(r.ok());
    CHECK(r.res.status == row.status);
    CHECK(r.res.content_type == json_type);
    CHECK(server.control.last_call() == row.control_call);
  }
  CHECK(client.connections_opened() == 1);  // all of it on one keep-alive connection
  // The control's typed job, rendered by the router: RFC 3339 times, nulls for what is not known.
  const auto expected = json::parse(R"({"id":"skusn","source":"jst","api":"/open/webapi/wmsapi/skusn/queryinoutitemskusns",
    "schedule":"every 3600s","paused":false,"state":"idle","queued":false,"backfills_queued":0,
    "watermark":"2026-02-01T00:00:00+08:00","freshness_seconds":90,"last_run_started":null,
    "next_run":"2026-02-01T01:00:00+08:00",
    "held_elsewhere":null,"source_token":{"expires_at":null,"renewable":true},
    "last_run":{"id":7,"state":"failed","seconds":1.5,"error":"code 199: too many calls",
                "counts":{"windows":2,"incomplete_windows":0,"pages":0,"fetched":10,"inserted":0,"updated":0,
                          "unchanged":0,"dead_letters":0,"retries":0,"throttles":0}}})");
  CHECK(body_of(client.get("/api/v1/jobs/skusn")) == expected);
  CHECK(body_of(client.send("PATCH", "/api/v1/jobs/skusn", R"({"paused":true})", json_type))["state"] == "paused");
  CHECK(body_of(client.send("POST", "/api/v1/jobs/skusn/runs")) ==
        json{{"queued", true}, {"running", true}, {"paused", false}});
  const auto dry = body_of(client.send("POST", "/api/v1/jobs/skusn/backfills",
                                       R"({"from":"2024-01-01","to":"2024-01-02 12:00:00","dry_run":true})", json_type));
  CHECK(dry["windows"] ==
        json::parse(R"([{"from":"2024-01-01T00:00:00+08:00","to":"2024-01-02T12:00:00+08:00"}])"));
  CHECK(dry["estimated_calls_min"] == 1);
  CHECK(body_of(client.send("PUT", "/api/v1/log-level", R"({"level":"warn"})", json_type)) == json{{"level", "warn"}});
}

TEST_CASE("the scheme name is case-insensitive, the token is not") {
  admin_fixture server;
  admin_client client(server.port());
  ferry::http::request lower{"GET", "/api/v1/jobs", "", "", {{"Authorization", "bearer " + test_token}}};
  CHECK(client.send_raw(lower).res.status == 200);
  CHECK(client.send("GET", "/api/v1/jobs", "", "", test_token).res.status == 200);
  std::string upper = test_token;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(client.send("GET", "/api/v1/jobs", "", "", upper).res.status == 401);
}

TEST_CASE("unknown routes are 404 not_found") {
  admin_fixture server;
  admin_client client(server.port());
  for (const char* target : {"/nope", "/healthz/x", "/api", "/api/v1", "/api/v2/jobs", "/api/v1/nope",
                             "/api/v1/jobs/skusn/nope", "/api/v1/jobs/skusn/runs/1", "/api/v1/jobs/skusn/"}) {
    INFO(target);
    auto r = client.get(target);
    CHECK(r.res.status == 404);
    CHECK(error_code_of(r.res) == "not_found");
  }
  CHECK(server.control.calls == 0);
}

TEST_CASE("unknown jobs are 404 job_not_found and malformed ids never reach the control") {
  admin_fixture server;
  admin_client client(server.port());
  auto unknown = client.get("/api/v1/jobs/nope");
  CHECK(unknown.res.status == 404);
  CHECK(error_code_of(unknown.res) == "job_not_found");
  CHECK(server.control.last_call() == "get_job nope");
  CHECK(client.send("POST", "/api/v1/jobs/nope/runs").res.status == 404);

  const int calls = server.control.calls;
  const std::string too_long(65, 'a');
  for (const std::string& target : std::vector<std::string>{"/api/v1/jobs/Skusn", "/api/v1/jobs/sku-sn", "/api/v1/jobs/a%2Fb", "/api/v1/jobs/a%20b",
                             "/api/v1/jobs/" + too_long, "/api/v1/jobs/%00", "/api/v1/jobs/" + too_long + "/runs",
                             "/api/v1/jobs/x.y/windows"}) {
    INFO(target);
    auto r = client.get(target);
    CHECK(r.res.status == 404);
    CHECK(error_code_of(r.res) == "job_not_found");
  }
  CHECK(server.control.calls == calls);
  CHECK(client.get("/api/v1/jobs/" + std::string(64, 'a')).res.status == 404);  // valid id, asked
  CHECK(server.control.calls == calls + 1);
  // A bad escape is not a path at all.
  auto bad_escape = client.get("/api/v1/jobs/%zz");
  CHECK(bad_escape.res.status == 400);
  CHECK(error_code_of(bad_escape.res) == "bad_request");
}

TEST_CASE("a wrong method is 405 with Allow") {
  admin_fixture server;
  admin_client client(server.port());
  const std::vector<std::tuple<const char*, const char*, const char*>> table{
      {"POST", "/healthz", "GET, HEAD"},
      {"DELETE", "/readyz", "GET, HEAD"},
      {"POST", "/metrics", "GET, HEAD"},
      {"POST", "/", "GET, HEAD"},
      {"PUT", "/static/status.js", "GET, HEAD"},
      {"POST", "/problems/not_found", "GET, HEAD"},
      {"POST", "/api/v1/jobs", "GET, HEAD"},
      {"DELETE", "/api/v1/jobs/skusn", "GET, HEAD, PATCH"},
      {"PUT", "/api/v1/jobs/skusn/runs", "GET, HEAD, POST"},
      {"GET", "/api/v1/jobs/skusn/backfills", "POST"},
      {"HEAD", "/api/v1/jobs/skusn/backfills", "POST"},
      {"POST", "/api/v1/jobs/skusn/windows", "GET, HEAD"},
      {"GET", "/api/v1/log-level", "PUT"},
      {"POST", "/api/v1/version", "GET, HEAD"},
  };
  for (const auto& [method, target, allow] : table) {
    INFO(method << " " << target);
    auto r = client.send(method, target);
    CHECK(r.res.status == 405);
    if (std::string_view{method} != "HEAD") CHECK(error_code_of(r.res) == "method_not_allowed");
    CHECK(header(r.res, "Allow") == allow);
  }
  CHECK(server.control.calls == 0);
}

TEST_CASE("bodies not sent as application/json are 415") {
  admin_fixture server;
  admin_client client(server.port());
  for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx"}) {
    INFO(type);
    for (const auto& [method, target] : std::vector<std::pair<const char*, const char*>>{
             {"PATCH", "/api/v1/jobs/skusn"}, {"POST", "/api/v1/jobs/skusn/backfills"}, {"PUT", "/api/v1/log-level"}}) {
      auto r = client.send(method, target, R"({"paused":true})", type);
      CHECK(r.res.status == 415);
      CHECK(error_code_of(r.res) == "unsupported_media_type");
    }
    CHECK(client.send("POST", "/api/v1/jobs/skusn/runs", "{}", type).res.status == 415);
  }
  CHECK(server.control.calls == 0);
  auto with_charset = client.send("PATCH", "/api/v1/jobs/skusn", R"({"paused":true})", "Application/JSON; charset=utf-8");
  CHECK(with_charset.res.status == 200);
}

TEST_CASE("bad JSON and wrong types are 400 naming the field without calling the control") {
  admin_fixture server;
  admin_client client(server.port());
  const std::vector<std::tuple<const char*, const char*, const char*, const char*, const char*>> table{
      {"PATCH", "/api/v1/jobs/skusn", R"({"paused":)", "bad_json", "not valid JSON"},
      {"PATCH", "/api/v1/jobs/skusn", "", "bad_json", "not valid JSON"},
      {"PATCH", "/api/v1/jobs/skusn", "[true]", "invalid_body", "must be a JSON object"},
      {"PATCH", "/api/v1/jobs/skusn", R"({"paused":"yes"})", "invalid_body", R"("paused" must be true or false)"},
      {"PATCH", "/api/v1/jobs/skusn", R"({"paused":1})", "invalid_body", R"("paused" must be true or false)"},
      {"PATCH", "/api/v1/jobs/skusn", "{}", "invalid_body", R"("paused" is required)"},
      {"PATCH", "/api/v1/jobs/skusn", R"({"paused":true,"pause":false})", "invalid_body", R"(unknown key "pause")"},
      {"POST", "/api/v1/jobs/skusn/backfills", R"({"to":"2024-01-02"})", "invalid_body", R"("from" is required)"},
      {"POST", "/api/v1/jobs/skusn/backfills", R"({"from":"2024-01-01","to":2})", "invalid_body",
       R"("to" must be a string)"},
      {"POST", "/api/v1/jobs/skusn/backfills", R"({"from":"a","to":"b","dry_run":"yes"})", "invalid_body",
       R"("dry_run" must be true or false)"},
      {"POST", "/api/v1/jobs/skusn/backfills", R"({"from":"a","to":"b","dryrun":true})", "invalid_body",
       R"(unknown key "dryrun")"},
      {"PUT", "/api/v1/log-level", R"({"level":5})", "invalid_body", R"("level" must be a string)"},
      {"PUT", "/api/v1/log-level", R"({})", "invalid_body", R"("level" is required)"},
      {"POST", "/api/v1/jobs/skusn/runs", R"({"now":true})", "invalid_body", R"(unknown key "now")"},
      {"POST", "/api/v1/jobs/skusn/runs", "nope", "bad_json", "not valid JSON"},
  };
  for (const auto& [method, target, body, code, message] : table) {
    INFO(method << " " << target << " " << body);
    auto r = client.send(method, target, body, json_type);
    CHECK(r.res.status == 400);
    CHECK(error_code_of(r.res) == code);
    CHECK(message_of(r).find(message) != std::string::npos);
  }
  CHECK(server.control.calls == 0);
}

TEST_CASE("query parameters are checked: 400 when not of their type, 422 when out of range") {
  admin_fixture server;
  admin_client client(server.port());
  for (const char* target : {"/api/v1/jobs/skusn/runs?limit=abc", "/api/v1/jobs/skusn/runs?limit=5x",
                             "/api/v1/jobs/skusn/runs?limit=", "/api/v1/jobs/skusn/runs?limit=+5",
                             "/api/v1/jobs/skusn/runs?limit=1.5", "/api/v1/jobs/skusn/runs?limit=-",
                             "/api/v1/jobs/skusn/runs?limit=%205"}) {
    INFO(target);
    auto r = client.get(target);
    CHECK(r.res.status == 400);
    CHECK(error_code_of(r.res) == "invalid_query");
    CHECK(message_of(r) == R"("limit" must be an integer)");
  }
  for (const char* target : {"/api/v1/jobs/skusn/runs?limit=0", "/api/v1/jobs/skusn/runs?limit=1001",
                             "/api/v1/jobs/skusn/runs?limit=-1", "/api/v1/jobs/skusn/runs?limit=-0",
                             "/api/v1/jobs/skusn/runs?limit=99999999999999999999999"}) {
    INFO(target);
    auto r = client.get(target);
    CHECK(r.res.status == 422);
    CHECK(error_code_of(r.res) == "invalid_limit");
    CHECK(message_of(r) == R"("limit" must be from 1 to 1000)");
  }
  for (const char* target : {"/api/v1/jobs?x=1", "/api/v1/jobs/skusn/runs?limt=5",
                             "/api/v1/jobs/skusn/runs?limit=5&limit=6", "/api/v1/jobs/skusn/windows?status=x"}) {
    INFO(target);
    auto r = client.get(target);
    CHECK(r.res.status == 400);
    CHECK(error_code_of(r.res) == "invalid_query");
  }
  CHECK(server.control.calls == 0);
}

TEST_CASE("the control's refusals and the router's own 422s") {
  admin_fixture server;
  admin_client client(server.port());
  auto queued = client.send("POST", "/api/v1/jobs/orders/runs");
  CHECK(queued.res.status == 409);
  CHECK(error_code_of(queued.res) == "run_already_queued");
  auto too_long = client.send("POST", "/api/v1/jobs/skusn/backfills", R"({"from":"2024-01-01","to":"2026-01-01"})",
                              json_type);
  CHECK(too_long.res.status == 422);
  CHECK(error_code_of(too_long.res) == "invalid_range");
  CHECK(message_of(too_long) == "the range covers more than a year");
  const auto calls = server.control.calls.load();
  // Refused by the router before the control is asked.
  auto backwards = client.send("POST", "/api/v1/jobs/skusn/backfills", R"({"from":"2024-02-01","to":"2024-01-01"})",
                               json_type);
  CHECK(backwards.res.status == 422);
  CHECK(error_code_of(backwards.res) == "invalid_range");
  CHECK(message_of(backwards) == "to must be after from");
  auto not_a_time = client.send("POST", "/api/v1/jobs/skusn/backfills", R"({"from":"yesterday","to":"2024-01-01"})",
                                json_type);
  CHECK(not_a_time.res.status == 422);
  CHECK(message_of(not_a_time) ==
        R"(from: "yesterday" is not yyyy-MM-dd HH:mm:ss (Beijing time) or RFC 3339 with an offset)");
  auto fraction = client.send("POST", "/api/v1/jobs/skusn/backfills",
                              R"({"from":"2024-01-01","to":"2024-01-02T00:00:00.5Z"})", json_type);
  CHECK(fraction.res.status == 422);
  CHECK(error_code_of(fraction.res) == "invalid_range");
  auto state = client.get("/api/v1/jobs/skusn/windows?state=done");
  CHECK(state.res.status == 422);
  CHECK(error_code_of(state.res) == "invalid_state");
  auto level = client.send("PUT", "/api/v1/log-level", R"({"level":"loud"})", json_type);
  CHECK(level.res.status == 422);
  CHECK(error_code_of(level.res) == "invalid_level");
  CHECK(message_of(level) == "level must be trace, debug, info, warn, error, critical or off");
  CHECK(server.control.calls == calls);
}

TEST_CASE("HEAD is answered wherever GET is, with GET's status, headers and length and no body") {
  admin_fixture server;
  admin_client client(server.port());
  for (const char* target : {"/healthz", "/readyz", "/", "/static/status.css", "/problems/job_not_found",
                             "/api/v1/jobs", "/api/v1/jobs/skusn", "/api/v1/jobs/skusn/runs?limit=2",
                             "/api/v1/jobs/skusn/windows", "/api/v1/version", "/api/v1/jobs/nope", "/nope",
                             "/api/v1/jobs/skusn/runs?limit=0"}) {
    INFO(target);
    auto get = client.get(target);
    auto head = client.send("HEAD", target);
    REQUIRE(get.ok());
    REQUIRE(head.ok());
    CHECK(head.res.status == get.res.status);
    CHECK(head.res.content_type == get.res.content_type);
    CHECK(head.res.body.empty());
    CHECK(header(head.res, "Content-Length") == std::to_string(get.res.body.size()));
    CHECK(header(head.res, "Cache-Control") == header(get.res, "Cache-Control"));
    CHECK(header(head.res, "Allow") == header(get.res, "Allow"));
  }
  auto metrics = client.send("HEAD", "/metrics", "", "", std::nullopt);
  CHECK(metrics.res.status == 200);
  CHECK(metrics.res.body.empty());
  CHECK(std::stoul(header(metrics.res, "Content-Length")) > 100);
  auto no_token = client.send("HEAD", "/api/v1/jobs", "", "", std::nullopt);
  CHECK(no_token.res.status == 401);
  CHECK(header(no_token.res, "WWW-Authenticate") == R"(Bearer realm="ferry")");
  // On the wire: no body bytes after HEAD's headers; the next answer on the connection is whole.
  raw_connection raw(server.port());
  raw.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto both = raw.receive(3s, [](const std::string& text) {
    return text.find(R"({"status":"ok"})") != std::string::npos;
  });
  const auto second = both.find("HTTP/1.1 200 OK", 1);
  REQUIRE(second != std::string::npos);
  CHECK(both.substr(0, 15) == "HTTP/1.1 200 OK");
  const auto head_end = both.find("\r\n\r\n");
  CHECK(head_end + 4 == second);
  CHECK(both.substr(second).ends_with("\r\n\r\n" R"({"status":"ok"})"));
}

TEST_CASE("the version route names the build, as ferry_build_info does") {
  admin_fixture server;
  admin_client client(server.port());
  auto r = client.get("/api/v1/version");
  REQUIRE(r.res.status == 200);
  CHECK(r.res.content_type == json_type);
  const auto body = body_of(r);
  REQUIRE(body.is_object());
  CHECK(body.size() == 3);
  CHECK(body["api"] == "v1");
  REQUIRE(body["version"].is_string());
  const auto version = body["version"].get<std::string>();
  CHECK(std::count(version.begin(), version.end(), '.') == 2);
  CHECK((body["git"].is_null() || (body["git"].is_string() && !body["git"].get<std::string>().empty())));
  const auto metrics = client.get("/metrics").res.body;
  CHECK(metrics.find(R"(ferry_build_info{version=")" + version + R"("} 1)") != std::string::npos);
  CHECK(client.send("GET", "/api/v1/version", "", "", std::nullopt).res.status == 401);
  CHECK(error_code_of(client.get("/api/v1/version?x=1").res) == "invalid_query");
  CHECK(server.control.calls == 0);
}

TEST_CASE("every problem type's URI is a page saying what it means, open without a token") {
  admin_fixture server;
  admin_client client(server.port());
  // Each error code with its one status, as docs/admin-api.md lists them.
  const std::vector<std::pair<std::string, unsigned>> types{
      {"bad_request", 400},          {"bad_json", 400},         {"invalid_body", 400},
      {"invalid_query", 400},        {"unauthorized", 401},     {"not_found", 404},
      {"job_not_found", 404},        {"method_not_allowed", 405}, {"run_already_queued", 409},
      {"body_too_large", 413},       {"unsupported_media_type", 415}, {"invalid_limit", 422},
      {"invalid_range", 422},        {"invalid_state", 422},    {"invalid_level", 422},
      {"headers_too_large", 431},    {"internal", 500},         {"not_ready", 503},
      {"stopping", 503}};
  for (const auto& [code, status] : types) {
    INFO(code);
    auto page = client.send("GET", "/problems/" + code, "", "", std::nullopt);
    CHECK(page.res.status == 200);
    CHECK(page.res.content_type == "text/html; charset=utf-8");
    CHECK(page.res.body.find("HTTP " + std::to_string(status) + ", code <code>" + code + "</code>") !=
          std::string::npos);
  }
  auto unknown = client.send("GET", "/problems/nope%3Cb%3E", "", "", std::nullopt);
  CHECK(unknown.res.status == 404);
  CHECK(error_code_of(unknown.res) == "not_found");
  CHECK(client.get("/problems").res.status == 404);
  CHECK(client.get("/problems/not_found/x").res.status == 404);
}
