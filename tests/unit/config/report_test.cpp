// How a load reports: syntax errors, repeated keys, and every error in file order.
#include "config_test_support.hpp"

#include <catch2/catch.hpp>

using namespace ferry::config;
using namespace ferry::config::test;

namespace {

document& job(document& doc) { return doc["jobs"][0]; }
document& target(document& doc) { return doc["jobs"][0]["targets"][0]; }
document& jst(document& doc) { return doc["sources"]["jst"]; }

}  // namespace

TEST_CASE("a number beyond a double is an error, not an exception", "[config][errors]") {
  // Found by the config fuzz target: nlohmann throws out_of_range, which escaped the loader.
  const auto result = load_text(R"({"mysql": {"port": 1e400}})");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].path.empty());
  CHECK(result.errors[0].to_string() ==
        "JSON number out of range: number overflow parsing '1e400' — numbers must fit a double (up to about 1.8e308)");
}

TEST_CASE("a JSON syntax error reports line and column", "[config][errors]") {
  const auto result = load_text("{\n  \"mysql\": {,}\n}");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].path.empty());
  CHECK(result.errors[0].message.starts_with("JSON syntax error at line 2, column 13: "));
  CHECK(load_text("{\"jobs\": [1,]}")
            .errors.at(0)
            .message.starts_with("JSON syntax error at line 1, column 13"));
  CHECK(load_text("").errors.at(0).message.starts_with("JSON syntax error at line 1, column 1"));
  CHECK(load_text("[]").errors.at(0).to_string() == "expected an object, got an array");
}

TEST_CASE("a key written twice is an error", "[config][errors]") {
  std::string text = documented_example;
  text.insert(text.find("\"page_size\": 1000"), "\"page_size\": 50, ");
  auto result = load_text(text);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].to_string() ==
        "jobs[0].page_size: duplicate key — the later value would silently win; keep one");
  result = load_text(R"({"mysql": {}, "mysql": {}})");
  REQUIRE_FALSE(result.errors.empty());
  CHECK(result.errors[0].path == "mysql");
  CHECK(result.errors[0].message == "duplicate key");
}

TEST_CASE("every error of a load is reported, in file order", "[config][errors]") {
  auto doc = example_document();
  target(doc).erase("key");
  job(doc)["source"] = "jst2";
  jst(doc)["rate_limits"][1]["per"] = "1x";
  doc["mysql"]["pool_sze"] = 4;
  job(doc)["request"][0]["value"] = "{{LAST_SYNC_TIME}}";
  const auto result = load(doc);
  CHECK_FALSE(result.value);
  std::vector<std::string> paths;
  for (const auto& e : result.errors) paths.push_back(e.path);
  CHECK(paths == std::vector<std::string>{"mysql.pool_sze", "sources.jst.rate_limits[1].per",
                                          "jobs[0].source", "jobs[0].request[0].value",
                                          "jobs[0].targets[0].key"});
}

TEST_CASE("file order follows the text, not the schema", "[config][errors]") {
  const auto result = load_text(R"({"jobs": [{"id": "a", "source": "x"}], "mysql": {"user": "u"}})");
  REQUIRE(result.errors.size() >= 4);
  CHECK(result.errors[0].to_string() == R"(jobs[0].source: "x" is not a source — define it under "sources")");
  CHECK(result.errors.back().path == "sources");  // missing at the top level: after everything present
  CHECK(result.errors.back().message == "required");
}
