// Routing, auth and validation of the admin API, over real HTTP on 127.0.0.1.
#include "harness.hpp"

#include <catch2/catch.hpp>

namespace {

using namespace ferry::admin::testing;
using nlohmann::json;

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
  // The control's typed job, rendered by the router: Beijing times, nulls for what is not known.
  const auto expected = json::parse(R"({"id":"skusn","source":"jst","api":"/open/webapi/wmsapi/skusn/queryinoutitemskusns",
    "schedule":"every 3600s","paused":false,"state":"idle","queued":false,"backfills_queued":0,
    "watermark":"2026-02-01 00:00:00","freshness_seconds":90,"last_run_started":null,"next_run":"2026-02-01 01:00:00",
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
  CHECK(dry["windows"] == json::parse(R"([{"from":"2024-01-01 00:00:00","to":"2024-01-02 12:00:00"}])"));
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
      {"POST", "/healthz", "GET"},
      {"DELETE", "/readyz", "GET"},
      {"POST", "/metrics", "GET"},
      {"POST", "/api/v1/jobs", "GET"},
      {"DELETE", "/api/v1/jobs/skusn", "GET, PATCH"},
      {"PUT", "/api/v1/jobs/skusn/runs", "GET, POST"},
      {"GET", "/api/v1/jobs/skusn/backfills", "POST"},
      {"POST", "/api/v1/jobs/skusn/windows", "GET"},
      {"GET", "/api/v1/log-level", "PUT"},
  };
  for (const auto& [method, target, allow] : table) {
    INFO(method << " " << target);
    auto r = client.send(method, target);
    CHECK(r.res.status == 405);
    CHECK(error_code_of(r.res) == "method_not_allowed");
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

TEST_CASE("query parameters are checked") {
  admin_fixture server;
  admin_client client(server.port());
  for (const char* target : {"/api/v1/jobs/skusn/runs?limit=0", "/api/v1/jobs/skusn/runs?limit=1001",
                             "/api/v1/jobs/skusn/runs?limit=abc", "/api/v1/jobs/skusn/runs?limit=5x",
                             "/api/v1/jobs/skusn/runs?limit=-1", "/api/v1/jobs/skusn/runs?limit=",
                             "/api/v1/jobs/skusn/runs?limit=99999999999999999999999"}) {
    INFO(target);
    auto r = client.get(target);
    CHECK(r.res.status == 400);
    CHECK(message_of(r) == R"("limit" must be an integer from 1 to 1000)");
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
  CHECK(message_of(not_a_time) == R"(from: "yesterday" is not yyyy-MM-dd HH:mm:ss)");
  auto state = client.get("/api/v1/jobs/skusn/windows?state=done");
  CHECK(state.res.status == 422);
  CHECK(error_code_of(state.res) == "invalid_state");
  auto level = client.send("PUT", "/api/v1/log-level", R"({"level":"loud"})", json_type);
  CHECK(level.res.status == 422);
  CHECK(error_code_of(level.res) == "invalid_level");
  CHECK(message_of(level) == "level must be trace, debug, info, warn, error, critical or off");
  CHECK(server.control.calls == calls);
}
