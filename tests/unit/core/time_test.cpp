#include "ferry/core/time.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <string_view>

using namespace std::chrono;
using ferry::core::format_duration;
using ferry::core::format_shanghai_datetime;
using ferry::core::parse_duration;
using ferry::core::parse_shanghai_datetime;

TEST_CASE("Beijing wall time is UTC+8", "[time]") {
  const auto t = parse_shanghai_datetime("2026-01-01 08:00:00");
  REQUIRE(t);
  CHECK(t->time_since_epoch() == sys_days{year{2026} / 1 / 1}.time_since_epoch());
  CHECK(format_shanghai_datetime(*t) == "2026-01-01 08:00:00");
  CHECK(format_shanghai_datetime(sys_seconds{}) == "1970-01-01 08:00:00");
}

TEST_CASE("datetimes round-trip across month, year and leap-day edges", "[time]") {
  for (const char* text : {"2024-02-29 23:59:59", "2025-12-31 23:59:59", "2026-03-01 00:00:00",
                           "1999-12-31 16:00:00"}) {
    const auto t = parse_shanghai_datetime(text);
    REQUIRE(t);
    CHECK(format_shanghai_datetime(*t) == text);
  }
}

TEST_CASE("a date alone means midnight in Beijing", "[time]") {
  CHECK(parse_shanghai_datetime("2026-05-01") == parse_shanghai_datetime("2026-05-01 00:00:00"));
}

TEST_CASE("instants before 1992 use the zone database, with Beijing's summer time", "[time]") {
  // 1988-07-01 was in China's daylight-saving period: UTC+9.
  const auto t = parse_shanghai_datetime("1988-07-01 09:00:00");
  REQUIRE(t);
  CHECK(*t == sys_seconds{sys_days{year{1988} / 7 / 1}.time_since_epoch()});
  CHECK(format_shanghai_datetime(*t) == "1988-07-01 09:00:00");
}

TEST_CASE("malformed or impossible datetimes are refused", "[time]") {
  for (const char* text : {"", "2026-02-30 00:00:00", "2026-13-01 00:00:00", "2026-01-01 24:00:00",
                           "2026-01-01 23:60:00", "2026-01-01T00:00:00", "2026-1-01 00:00:00",
                           "2026-01-01 00:00:00Z", "abcd-ef-gh", "2026-01-01 00:00", "+026-01-01"})
    CHECK_FALSE(parse_shanghai_datetime(text));
}

TEST_CASE("the datetime check agrees with the calendar and with the parse", "[time]") {
  // The calendar written out here, independently of the date library.
  const auto days_in = [](int y, int m) {
    constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap ? 1 : 0);
  };
  char line[32];
  for (const int y : {0, 1000, 1900, 1988, 2000, 2023, 2024, 9999})
    for (int m = 0; m <= 13; ++m)
      for (int d = 0; d <= 32; ++d) {
        std::snprintf(line, sizeof line, "%04d-%02d-%02d 12:34:56", y, m, d);
        const bool valid = m >= 1 && m <= 12 && d >= 1 && d <= days_in(y, m);
        INFO(line);
        CHECK(ferry::core::is_shanghai_datetime(line) == valid);
        CHECK(parse_shanghai_datetime(line).has_value() == valid);
        CHECK(ferry::core::is_shanghai_datetime(std::string_view{line, 10}) == valid);
      }
  for (const char* text : {"2026-01-01 23:59:59", "2026-01-01 00:00:00", "2026-12-31"})
    CHECK(ferry::core::is_shanghai_datetime(text));
  for (const char* text : {"", "2026-01-01 24:00:00", "2026-01-01 23:60:00", "2026-01-01 23:59:60",
                           "2026-01-01T00:00:00", "2026-1-01 00:00:00", "2026-01-01 00:00:00Z", "abcd-ef-gh",
                           "2026-01-01 00:00", "+026-01-01", "2026-01-01 0:00:000", "2026/01/01", "2026-01-01 00-00-00",
                           "2026-01-01 :0:00:00", "2026-01-\x01", "2026-0\xff-01"})
    CHECK_FALSE(ferry::core::is_shanghai_datetime(text));
}

TEST_CASE("durations parse in every unit and combine", "[time]") {
  CHECK(parse_duration("30s") == milliseconds{30'000});
  CHECK(parse_duration("5m") == minutes{5});
  CHECK(parse_duration("2h") == hours{2});
  CHECK(parse_duration("30d") == days{30});
  CHECK(parse_duration("250ms") == milliseconds{250});
  CHECK(parse_duration("1m30s") == seconds{90});
  for (const char* text : {"", "s", "5", "-5s", "1.5s", "5 s", "5y", "10000000000s"})
    CHECK_FALSE(parse_duration(text));
  CHECK(format_duration(seconds{90}) == "1m30s");
  CHECK(format_duration(days{30}) == "30d");
  CHECK(format_duration(milliseconds{0}) == "0s");
}

// Instants below are written as seconds since the epoch, computed with
// Python's datetime and zoneinfo (a second implementation), not with ferry.
TEST_CASE("RFC 3339 carries Beijing's offset, summer time and all", "[time]") {
  using ferry::core::format_rfc3339;
  CHECK(format_rfc3339(sys_seconds{seconds{1769875199}}) == "2026-01-31T23:59:59+08:00");
  CHECK(format_rfc3339(sys_seconds{}) == "1970-01-01T08:00:00+08:00");
  CHECK(format_rfc3339(sys_seconds{seconds{583718400}}) == "1988-07-01T09:00:00+09:00");  // summer time
  // Local mean time (+08:05:43) is not a whole-minute offset: such instants are written in UTC.
  CHECK(format_rfc3339(sys_seconds{seconds{-62135596800}}) == "0001-01-01T00:00:00Z");
}

TEST_CASE("instants parse as Beijing wall time or as RFC 3339 with any offset", "[time]") {
  using ferry::core::parse_instant;
  const auto at = [](long long s) { return std::optional<sys_seconds>{sys_seconds{seconds{s}}}; };
  CHECK(parse_instant("2026-01-31 23:59:59") == at(1769875199));
  CHECK(parse_instant("2026-01-31") == at(1769788800));
  CHECK(parse_instant("2026-01-31T23:59:59+08:00") == at(1769875199));
  CHECK(parse_instant("2026-01-31T15:59:59Z") == at(1769875199));
  CHECK(parse_instant("2026-01-31t15:59:59z") == at(1769875199));
  CHECK(parse_instant("2026-01-31T15:59:59-00:00") == at(1769875199));
  CHECK(parse_instant("2026-12-31T23:59:59+14:00") == at(1798711199));
  CHECK(parse_instant("1996-12-19T16:39:57-08:00") == at(851042397));  // RFC 3339, section 5.8
  CHECK(parse_instant("1988-07-01T09:00:00+09:00") == at(583718400));
  for (long long s : {0LL, 583718400LL, 1769875199LL, 4102444800LL}) {
    INFO(s);
    CHECK(parse_instant(ferry::core::format_rfc3339(sys_seconds{seconds{s}})) == at(s));
  }
}

TEST_CASE("malformed instants are refused, fractions and leap seconds too", "[time]") {
  using ferry::core::parse_instant;
  for (const char* text :
       {"", "2026-01-31T23:59:59", "2026-01-31T23:59:59+8:00", "2026-01-31T23:59:59+08", "2026-01-31T23:59:59+0800",
        "2026-01-31T23:59:59+24:00", "2026-01-31T23:59:59+08:60", "2026-01-31T23:59:59 +08:00",
        "2026-01-31 23:59:59Z", "2026-01-31T23:59:59ZZ", "2026-02-30T00:00:00Z", "2026-01-31T24:00:00Z",
        "1985-04-12T23:20:50.52Z", "1990-12-31T23:59:60Z", "2026-01-31X23:59:59Z", "2026-01-31T23:59:59+08:00x",
        "yesterday"}) {
    INFO(text);
    CHECK_FALSE(parse_instant(text));
  }
}
