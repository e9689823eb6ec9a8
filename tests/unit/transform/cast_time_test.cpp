#include "cast_support.hpp"

using namespace ferry::transform;
using namespace ferry::transform::test;
using nlohmann::json;

TEST_CASE("datetimes keep the Beijing wall time as written", "[cast][datetime]") {
  CHECK(cast_ok("2026-01-02 03:04:05", "datetime") == "2026-01-02 03:04:05");
  CHECK(cast_ok("2026-01-02T03:04:05", "datetime") == "2026-01-02 03:04:05");
  CHECK(cast_ok("2026-01-02", "datetime") == "2026-01-02 00:00:00");
  CHECK(cast_ok("2024-02-29 23:59:59", "datetime") == "2024-02-29 23:59:59");
  CHECK(cast_ok("1988-04-17 02:30:00", "datetime") == "1988-04-17 02:30:00");  // China's DST era
}

TEST_CASE("invalid datetimes are refused", "[cast][datetime]") {
  const auto reason = [](std::string_view text) {
    return "\"" + std::string{text} + "\" is not a valid datetime (yyyy-MM-dd HH:mm:ss)";
  };
  for (const auto* bad : {"2026-13-01 00:00:00", "2026-02-29 10:00:00", "2026-02-30 10:00:00", "2026-01-01 24:00:00",
                          "2026-01-01 10:60:00", "2026-01-01 10:00:60", "2026/01/01 10:00:00", "2026-1-1 10:00:00",
                          "2026-01-01 10:00", "2026-01-01 10:00:00.123", "2026-01-01 10:00:00Z", " 2026-01-01",
                          "2026-01-01X10:00:00", "yesterday", "0"}) {
    CHECK(cast_error(bad, "datetime") == reason(bad));
  }
  CHECK(cast_error(number("1.5"), "datetime") == "1.5 is not a valid datetime (yyyy-MM-dd HH:mm:ss)");
  CHECK(cast_error(true, "datetime") == "true is not a valid datetime (yyyy-MM-dd HH:mm:ss)");
  CHECK(cast_error(json::object(), "datetime") == "an object is not a valid datetime (yyyy-MM-dd HH:mm:ss)");
}

TEST_CASE("integers are Unix seconds or milliseconds in Beijing time", "[cast][datetime]") {
  CHECK(cast_ok(0, "datetime") == "1970-01-01 08:00:00");
  CHECK(cast_ok(1767225600, "datetime") == "2026-01-01 08:00:00");          // seconds
  CHECK(cast_ok(1767225600123LL, "datetime") == "2026-01-01 08:00:00");     // milliseconds, ms dropped
  CHECK(cast_ok(99'999'999'999LL, "datetime") == "5138-11-16 17:46:39");    // the last value read as seconds
  CHECK(cast_ok(100'000'000'000LL, "datetime") == "1973-03-03 17:46:40");   // the first read as milliseconds
  CHECK(cast_ok(-86400, "datetime") == "1969-12-31 08:00:00");
}

TEST_CASE("Unix times beyond DATETIME's range are refused", "[cast][datetime]") {
  CHECK(cast_error(std::numeric_limits<std::uint64_t>::max(), "datetime") ==
        "18446744073709551615 is outside the datetime range as Unix time (years 1000..9999)");
  CHECK(cast_error(std::numeric_limits<std::int64_t>::max(), "datetime").ends_with("(years 1000..9999)"));
  CHECK(cast_error(-40'000'000'000LL, "datetime").ends_with("(years 1000..9999)"));
  CHECK(cast_error(253402300799000LL, "datetime").ends_with("(years 1000..9999)"));  // 10000-01-01 in Beijing
  CHECK(cast_ok(253402271999000LL, "datetime") == "9999-12-31 23:59:59");
}

TEST_CASE("timestamp columns also check MySQL's TIMESTAMP range", "[cast][datetime]") {
  CHECK(cast_ok("2038-01-19 11:14:07", "timestamp") == "2038-01-19 11:14:07");
  CHECK(cast_ok("1970-01-01 08:00:01", "timestamp") == "1970-01-01 08:00:01");
  CHECK(cast_error("2038-01-19 11:14:08", "timestamp").ends_with("is outside timestamp (1970-01-01 08:00:01.."
                                                                  "2038-01-19 11:14:07 Beijing time)"));
  CHECK_FALSE(cast_error("1970-01-01 08:00:00", "timestamp").empty());
  CHECK(cast_ok("2038-01-19 11:14:08", "datetime") == "2038-01-19 11:14:08");
}

TEST_CASE("dates take a date or a datetime at midnight", "[cast][date]") {
  CHECK(cast_ok("2026-01-02", "date") == "2026-01-02");
  CHECK(cast_ok("2026-01-02 00:00:00", "date") == "2026-01-02");
  CHECK(cast_ok("2026-01-02T00:00:00", "date") == "2026-01-02");
  CHECK(cast_ok("2024-02-29", "date") == "2024-02-29");
}

TEST_CASE("bad dates are refused", "[cast][date]") {
  CHECK(cast_error("2026-13-01", "date") == R"("2026-13-01" is not a valid date (yyyy-MM-dd))");
  CHECK(cast_error("2026-02-29", "date") == R"("2026-02-29" is not a valid date (yyyy-MM-dd))");
  CHECK(cast_error("2026-04-31", "date") == R"("2026-04-31" is not a valid date (yyyy-MM-dd))");
  CHECK(cast_error("2026-01-02 10:00:00", "date") == R"("2026-01-02 10:00:00" is not a date: it has a time of day)");
  CHECK(cast_error(20260102, "date") == "20260102 is not a valid date (yyyy-MM-dd)");
}
