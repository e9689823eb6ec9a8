// deploy/ferry.schema.json against the loader: every default the schema
// states for mysql, a source and a window is the value the loader gives when
// the key is left out (tests/deploy/schema_check.py checks the rest: that the
// schema takes every shipped config and refuses what ferryd refuses).
#include "config_test_support.hpp"
#include "ferry/core/time.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace ferry::config;
using namespace ferry::config::test;

namespace {

nlohmann::json schema() {
  std::ifstream in{std::filesystem::path{FERRY_SOURCE_DIR} / "deploy" / "ferry.schema.json"};
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

// The defaults of a $defs entry's properties, by key.
nlohmann::json defaults(const nlohmann::json& properties) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : properties.items())
    if (value.contains("default")) out[key] = value["default"];
  return out;
}

std::chrono::milliseconds duration(const nlohmann::json& text) {
  const auto d = ferry::core::parse_duration(text.get<std::string>());
  REQUIRE(d);
  return *d;
}

// The documented example with every key the test looks at left out.
config loaded_without_defaults() {
  auto doc = example_document();
  for (const char* key : {"host", "port", "pool_size"}) doc["mysql"].erase(key);
  for (const char* key : {"rate_limits", "timeout", "max_in_flight"}) doc["sources"]["jst"].erase(key);
  for (const char* key : {"lag", "lookback"}) doc["jobs"][0]["window"].erase(key);
  const auto result = load(doc);
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.value);
  return *result.value;
}

}  // namespace

TEST_CASE("the schema's defaults are the loader's", "[config][schema]") {
  const auto s = schema();
  const auto c = loaded_without_defaults();

  const auto m = defaults(s["$defs"]["mysql"]["properties"]);
  CHECK(m.size() == 9);
  CHECK(m["host"] == c.mysql.host);
  CHECK(m["port"] == c.mysql.port);
  CHECK(m["pool_size"] == c.mysql.pool_size);
  CHECK(duration(m["connect_timeout"]) == c.mysql.connect_timeout);
  CHECK(duration(m["read_timeout"]) == c.mysql.read_timeout);
  CHECK(duration(m["write_timeout"]) == c.mysql.write_timeout);
  CHECK(m["batch_rows"] == c.mysql.batch_rows);
  CHECK(m["batch_bytes"] == c.mysql.batch_bytes);
  CHECK(m["write_mode"] == "auto");
  CHECK(c.mysql.mode == write_mode::automatic);
  CHECK(s["$defs"]["mysql"]["properties"]["tls"]["properties"]["mode"]["default"] == "disabled");
  CHECK(c.mysql.tls.mode == mysql_tls_mode::disabled);

  const auto& source = c.sources.at(0);
  const auto& sp = s["$defs"]["source"]["properties"];
  const auto src = defaults(sp);
  CHECK(duration(src["timeout"]) == source.timeout);
  CHECK(duration(src["connect_timeout"]) == source.connect_timeout);
  CHECK(src["max_in_flight"] == source.max_in_flight);
  CHECK(src["max_response_bytes"] == source.max_response_bytes);
  REQUIRE(src["rate_limits"].size() == source.rate_limits.size());
  for (std::size_t i = 0; i < source.rate_limits.size(); ++i) {
    CHECK(src["rate_limits"][i]["calls"] == source.rate_limits[i].calls);
    CHECK(duration(src["rate_limits"][i]["per"]) == source.rate_limits[i].per);
  }
  const auto retry = defaults(sp["retry"]["properties"]);
  CHECK(retry["max_attempts"] == source.retry.max_attempts);
  CHECK(duration(retry["base_delay"]) == source.retry.base_delay);
  CHECK(duration(retry["max_delay"]) == source.retry.max_delay);
  CHECK(duration(retry["max_throttle_wait"]) == source.retry.max_throttle_wait);
  CHECK(sp["tls"]["properties"]["verify"]["default"] == source.tls.verify);

  const auto w = defaults(s["$defs"]["window"]["properties"]);
  CHECK(duration(w["lag"]) == c.jobs.at(0).window.lag);
  CHECK(duration(w["lookback"]) == c.jobs.at(0).window.lookback);
}
