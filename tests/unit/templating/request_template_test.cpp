#include "ferry/templating/request_template.hpp"

#include "ferry/core/time.hpp"

#include <catch2/catch.hpp>

using namespace ferry::templating;
using nlohmann::ordered_json;

namespace {

template_context sample_context() {
  const auto start = ferry::core::parse_shanghai_datetime("2026-01-01 00:00:00");
  const auto end = ferry::core::parse_shanghai_datetime("2026-01-02 00:00:00");
  REQUIRE(start);
  REQUIRE(end);
  return {*start, *end, *end + std::chrono::hours{1}};
}

request_template compiled(const char* json) {
  std::vector<template_error> errors;
  auto request = request_template::from_json(ordered_json::parse(json), "jobs[0].request", errors);
  for (const auto& e : errors) INFO(e.path << ": " << e.message << " — " << e.hint);
  REQUIRE(errors.empty());
  REQUIRE(request);
  return *request;
}

std::vector<template_error> errors_of(const char* json) {
  std::vector<template_error> errors;
  CHECK_FALSE(request_template::from_json(ordered_json::parse(json), "jobs[0].request", errors));
  CHECK_FALSE(errors.empty());
  return errors;
}

}  // namespace

TEST_CASE("the QEasy list form renders fields in order", "[request]") {
  const auto request = compiled(R"([
    {"field": "create_time_start", "label": "开始", "type": "datetime", "value": "{{LAST_SYNC_TIME|datetime}}", "describe": "d"},
    {"field": "create_time_end", "label": "结束", "type": "string", "value": "{{CURRENT_TIME|datetime}}"},
    {"field": "wms_co_id", "value": 12345}])");
  CHECK(
      request.render(sample_context()).dump() ==
      R"({"create_time_start":"2026-01-01 00:00:00","create_time_end":"2026-01-02 00:00:00","wms_co_id":12345})");
  CHECK(request.has_window_fields());
  CHECK(request.field_names() ==
        std::vector<std::string>{"create_time_start", "create_time_end", "wms_co_id"});
}

TEST_CASE("the object form renders fields in the order written", "[request]") {
  const auto request =
      compiled(R"({"z_end": "{{CURRENT_TIME|timestamp_ms}}", "a_start": "{{LAST_SYNC_TIME|timestamp}}",
    "flag": true, "ids": [3, 1], "nested": {"b": 1, "a": "{{CURRENT_TIME|date}}"}, "none": null, "text": "x"})");
  CHECK(request.render(sample_context()).dump() ==
        R"({"z_end":1767283200000,"a_start":1767196800,"flag":true,"ids":[3,1],)"
        R"("nested":{"b":1,"a":"{{CURRENT_TIME|date}}"},"none":null,"text":"x"})");
  CHECK(request.field_names().front() == "z_end");
}

TEST_CASE("numeric and boolean QEasy types turn strings into JSON values", "[request]") {
  const auto request = compiled(R"([
    {"field": "a", "type": "int", "value": "12345"},
    {"field": "b", "type": "Integer", "value": "-7"},
    {"field": "c", "type": "number", "value": "{{CURRENT_TIME|timestamp}}"},
    {"field": "d", "type": "bool", "value": "true"},
    {"field": "e", "type": "string", "value": "12345"},
    {"field": "f", "type": "long", "value": 99}])");
  CHECK(request.render(sample_context()).dump() ==
        R"({"a":12345,"b":-7,"c":1767283200,"d":true,"e":"12345","f":99})");
}

TEST_CASE("QEasy entries with an empty or null value are left out", "[request]") {
  const auto request = compiled(R"([
    {"field": "io_ids", "type": "string", "value": ""},
    {"field": "o_ids", "value": null},
    {"field": "create_time_start", "value": "{{LAST_SYNC_TIME|datetime}}"}])");
  CHECK(request.field_names() == std::vector<std::string>{"create_time_start"});
}

TEST_CASE("a request of literals only does not take the window", "[request]") {
  CHECK_FALSE(compiled(R"({"wms_co_id": 1, "since": "{{DAYS_AGO_1|date}}"})").has_window_fields());
  CHECK_FALSE(compiled("[]").has_window_fields());
  CHECK(compiled("{}").render(sample_context()).dump() == "{}");
}

TEST_CASE("request errors name their path", "[request][errors]") {
  SECTION("not an object or list") {
    const auto e = errors_of("42");
    CHECK(e[0].path == "jobs[0].request");
    CHECK(e[0].message == "expected an object or a QEasy list, got a number");
  }
  SECTION("entry not an object") {
    const auto e = errors_of(R"(["create_time_start"])");
    CHECK(e[0].path == "jobs[0].request[0]");
    CHECK(e[0].message == "expected an object, got a string");
  }
  SECTION("field and value required") {
    const auto e = errors_of(R"([{"label": "x"}])");
    REQUIRE(e.size() == 2);
    CHECK(e[0].path == "jobs[0].request[0].field");
    CHECK(e[0].message == "required");
    CHECK(e[1].path == "jobs[0].request[0].value");
    CHECK(e[1].message == "required");
  }
  SECTION("field of the wrong type") {
    const auto e = errors_of(R"([{"field": 1, "value": "x"}])");
    CHECK(e[0].message == "expected a string, got a number");
  }
  SECTION("unknown entry key with a suggestion") {
    const auto e = errors_of(R"([{"field": "a", "valeu": "x", "value": "y"}])");
    CHECK(e[0].path == "jobs[0].request[0].valeu");
    CHECK(e[0].message == "unknown key");
    CHECK(e[0].hint == "did you mean \"value\"?");
  }
  SECTION("unknown type") {
    const auto e = errors_of(R"([{"field": "a", "type": "uuid", "value": "y"}])");
    CHECK(e[0].path == "jobs[0].request[0].type");
    CHECK(e[0].message == "\"uuid\" is not a field type");
  }
  SECTION("template errors keep the template's message") {
    const auto e =
        errors_of(R"([{"field": "a", "value": "ok"}, {"field": "b", "value": "{{CURRENT|date}}"}])");
    REQUIRE(e.size() == 1);
    CHECK(e[0].path == "jobs[0].request[1].value");
    CHECK(e[0].entry == 1);
    CHECK(e[0].message == R"("{{CURRENT|date}}": unknown template name "CURRENT")");
  }
  SECTION("template error in the object form") {
    const auto e = errors_of(R"({"start": "{{LAST_SYNC_TIME|datetime}}", "end": "{{CURRENT_TIME}}"})");
    CHECK(e[0].path == "jobs[0].request.end");
    CHECK(e[0].entry == 1);
  }
  SECTION("odd object keys are quoted in the path") {
    const auto e = errors_of(R"({"a b": "{{X|date}}"})");
    CHECK(e[0].path == R"(jobs[0].request["a b"])");
  }
  SECTION("a numeric type needs digits") {
    const auto e = errors_of(R"([{"field": "a", "type": "int", "value": "12a"}])");
    CHECK(e[0].path == "jobs[0].request[0].value");
    CHECK(e[0].message == "\"12a\" is not a whole number");
    CHECK(errors_of(R"([{"field": "a", "type": "int", "value": "{{CURRENT_TIME|datetime}}"}])")[0].message ==
          "\"{{CURRENT_TIME|datetime}}\" is not a whole number");
  }
  SECTION("a boolean type needs true or false") {
    CHECK(errors_of(R"([{"field": "a", "type": "bool", "value": "yes"}])")[0].message ==
          "\"yes\" is not a boolean");
  }
}

TEST_CASE("duplicate field names are refused", "[request][errors]") {
  const auto e = errors_of(
      R"([{"field": "a", "value": "1"}, {"field": "b", "value": "2"}, {"field": "a", "value": ""}])");
  REQUIRE(e.size() == 1);
  CHECK(e[0].path == "jobs[0].request[2].field");
  CHECK(e[0].message == "duplicate field \"a\"");
  CHECK(e[0].hint == "already set at jobs[0].request[0]");
}

TEST_CASE("page_index and page_size are reserved for the engine", "[request][errors]") {
  auto e = errors_of(R"([{"field": "page_size", "value": "50"}])");
  CHECK(e[0].path == "jobs[0].request[0].field");
  CHECK(e[0].message == "\"page_size\" is set by ferry for every page");
  CHECK(e[0].hint == "remove it; set the page size with the job's \"page_size\" key");
  e = errors_of(R"({"page_index": 1})");
  CHECK(e[0].path == "jobs[0].request.page_index");
  CHECK(e[0].message == "\"page_index\" is set by ferry for every page");
  CHECK(errors_of(R"({"": 1})")[0].message == "empty field name");
}

TEST_CASE("every error in a request is reported", "[request][errors]") {
  const auto e = errors_of(
      R"([{"field": "page_size", "value": "1"}, {"value": "x"}, {"field": "c", "value": "{{A|b}}"}, 7])");
  REQUIRE(e.size() == 4);
  CHECK(e[0].entry == 0);
  CHECK(e[1].entry == 1);
  CHECK(e[2].entry == 2);
  CHECK(e[3].path == "jobs[0].request[3]");
}
