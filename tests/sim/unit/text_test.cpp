#include "ferry/sim/options.hpp"
#include "ferry/sim/random.hpp"
#include "ferry/sim/text.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace ferry;

namespace {

std::string json_quoted(std::string_view text) {
  std::string out;
  sim::append_json_string(out, text);
  return out;
}

}  // namespace

TEST_CASE("JSON strings escape quotes, backslashes and control bytes") {
  CHECK(json_quoted("a\"b") == R"("a\"b")");
  CHECK(json_quoted("C:\\x") == R"("C:\\x")");
  CHECK(json_quoted("l1\nl2\tt\r") == R"("l1\nl2\tt\r")");
  CHECK(json_quoted(std::string_view{"\x01\x1f", 2}) == R"("\u0001\u001f")");
  CHECK(json_quoted("好评 😀") == "\"好评 😀\"");
}

TEST_CASE("JSON strings round-trip through nlohmann") {
  const std::string tricky = "引号\"反斜杠\\换行\n制表\t回车\r控制\x01 emoji 😀 </script>";
  CHECK(nlohmann::json::parse(json_quoted(tricky)).get<std::string>() == tricky);
}

TEST_CASE("decimals have exactly four places, written from integers") {
  CHECK(sim::decimal4(123400) == "12.3400");
  CHECK(sim::decimal4(0) == "0.0000");
  CHECK(sim::decimal4(1) == "0.0001");
  CHECK(sim::decimal4(-5) == "-0.0005");
  CHECK(sim::decimal4(999999999999) == "99999999.9999");
}

TEST_CASE("Beijing datetimes match ferry::core's formatter") {
  using core::sys_seconds;
  CHECK(sim::beijing_datetime(sys_seconds{std::chrono::seconds{0}}) == "1970-01-01 08:00:00");
  CHECK(sim::beijing_datetime(*core::parse_shanghai_datetime("2026-02-28 23:59:59")) == "2026-02-28 23:59:59");
  CHECK(sim::beijing_datetime(*core::parse_shanghai_datetime("2024-02-29 00:00:00")) == "2024-02-29 00:00:00");
  sim::random_stream r(7);
  for (int i = 0; i < 2000; ++i) {
    const sys_seconds t{std::chrono::seconds{r.between(-2'000'000'000, 4'000'000'000)}};
    REQUIRE(sim::beijing_datetime(t) == core::format_shanghai_datetime(t));
  }
}

TEST_CASE("time flags: now, now-D and now+D are taken from the start time") {
  using namespace std::chrono;
  const sys_seconds now{seconds{1'800'000'000}};
  CHECK(ferry::sim::parse_time_flag("now", now) == now);
  CHECK(ferry::sim::parse_time_flag("now-2h", now) == now - hours{2});
  CHECK(ferry::sim::parse_time_flag("now+40m", now) == now + minutes{40});
  CHECK_FALSE(ferry::sim::parse_time_flag("now+soon", now).has_value());
  CHECK_FALSE(ferry::sim::parse_time_flag("now*2", now).has_value());
}
