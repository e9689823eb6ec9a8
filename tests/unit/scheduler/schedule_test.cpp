#include "ferry/core/time.hpp"
#include "ferry/scheduler/schedule.hpp"

#include <catch2/catch.hpp>

using namespace ferry::scheduler;
using namespace std::chrono_literals;

namespace {
sys_seconds bj(const char* text) { return *ferry::core::parse_shanghai_datetime(text); }
std::string show(sys_seconds t) { return ferry::core::format_shanghai_datetime(t); }

cron_expression cron(const char* text, const char* tz = "Asia/Shanghai") {
  std::string error;
  auto e = cron_expression::parse(text, tz, error);
  INFO(text << ": " << error);
  REQUIRE(e);
  return *e;
}
}  // namespace

TEST_CASE("cron expressions against a table of examples", "[cron]") {
  struct example { const char* expr; const char* after; const char* next; };
  const example table[] = {
      {"*/10 * * * *", "2026-03-01 10:03:00", "2026-03-01 10:10:00"},
      {"*/10 * * * *", "2026-03-01 10:10:00", "2026-03-01 10:20:00"},
      {"*/10 * * * *", "2026-03-01 23:55:30", "2026-03-02 00:00:00"},
      {"0 * * * *", "2026-03-01 10:00:00", "2026-03-01 11:00:00"},
      {"30 2 * * *", "2026-03-01 02:30:00", "2026-03-02 02:30:00"},
      {"0 9-17/4 * * *", "2026-03-01 10:00:00", "2026-03-01 13:00:00"},
      {"15,45 8 * * *", "2026-03-01 08:20:00", "2026-03-01 08:45:00"},
      {"0 0 1 * *", "2026-01-31 12:00:00", "2026-02-01 00:00:00"},
      {"0 0 29 2 *", "2026-01-01 00:00:00", "2028-02-29 00:00:00"},
      {"0 12 * * 1", "2026-11-26 00:00:00", "2026-11-30 12:00:00"},   // 2026-11-26 is a Thursday
      {"0 12 * * 0", "2026-11-26 00:00:00", "2026-11-29 12:00:00"},
      {"0 12 * * 7", "2026-11-26 00:00:00", "2026-11-29 12:00:00"},   // 7 is Sunday too
      {"0 12 * * 1-5", "2026-11-27 13:00:00", "2026-11-30 12:00:00"}, // Friday afternoon -> Monday
      {"0 0 1 * 1", "2026-11-26 00:00:00", "2026-11-30 00:00:00"},    // dom OR dow when both restricted
      {"0 0 13 * 5", "2026-11-14 00:00:00", "2026-11-20 00:00:00"},
      {"59 23 31 12 *", "2026-06-01 00:00:00", "2026-12-31 23:59:00"},
      {"0 0 * 2 *", "2026-02-28 00:00:00", "2027-02-01 00:00:00"},
  };
  for (const auto& e : table) {
    INFO(e.expr << " after " << e.after);
    CHECK(show(cron(e.expr).next_after(bj(e.after))) == e.next);
  }
}

TEST_CASE("cron in another time zone", "[cron]") {
  // 09:00 in UTC is 17:00 in Beijing.
  CHECK(show(cron("0 9 * * *", "UTC").next_after(bj("2026-03-01 12:00:00"))) == "2026-03-01 17:00:00");
}

TEST_CASE("bad cron expressions name the field", "[cron]") {
  const std::pair<const char*, const char*> bad[] = {
      {"* * * *", "needs 5 fields"},          {"60 * * * *", "minute"},
      {"* 24 * * *", "hour"},                 {"* * 0 * *", "day-of-month"},
      {"* * * 13 *", "month"},                {"* * * * 8", "day-of-week"},
      {"*/0 * * * *", "step"},                {"a * * * *", "minute"},
      {"5-1 * * * *", "outside"},             {"* * * * * *", "got 6"},
  };
  for (const auto& [text, expected] : bad) {
    std::string error;
    INFO(text);
    CHECK_FALSE(cron_expression::parse(text, "Asia/Shanghai", error));
    CHECK_THAT(error, Catch::Contains(expected));
  }
  std::string error;
  CHECK_FALSE(cron_expression::parse("* * * * *", "Mars/Olympus", error));
  CHECK_THAT(error, Catch::Contains("time zone"));
}

TEST_CASE("an impossible cron expression is reported, not looped on", "[cron]") {
  CHECK_THROWS_WITH(cron("0 0 30 2 *").next_after(bj("2026-01-01 00:00:00")), Catch::Contains("never matches"));
}

TEST_CASE("interval schedules count from the last run's start", "[schedule]") {
  const auto s = schedule::every(300s);
  CHECK(s.next_due(std::nullopt, bj("2026-01-01 10:00:00")) == bj("2026-01-01 10:00:00"));
  CHECK(s.next_due(bj("2026-01-01 10:00:00"), bj("2026-01-01 10:01:00")) == bj("2026-01-01 10:05:00"));
  // After downtime the next run is due at once: one catch-up run, not one per missed period.
  CHECK(s.next_due(bj("2026-01-01 10:00:00"), bj("2026-01-02 10:00:00")) == bj("2026-01-01 10:05:00"));
  CHECK(s.period_hint() == 300s);
  CHECK(schedule::cron(cron("*/10 * * * *")).period_hint() == 600s);
}

TEST_CASE("a cron's period is its widest gap, not its first", "[cron]") {
  const auto period = [](const char* text) { return schedule::cron(cron(text)).period_hint(); };
  CHECK(period("0 9 * * *") == 24h);
  // Weekdays at 9: Friday to Monday is the widest gap, so an alert allowing two periods holds over a weekend.
  CHECK(period("0 9 * * 1-5") == 72h);
  // Every 15 minutes in office hours: from 17:45 to 09:00 the next day.
  CHECK(period("*/15 9-17 * * *") == 15h + 15min);
  // Monthly on the 1st: a 31-day month is the longest wait.
  CHECK(period("0 2 1 * *") == 31 * 24h);
  // Leap days only: four years (1,461 days) between runs.
  CHECK(period("0 0 29 2 *") == 1461 * 24h);
  // Day of month OR day of week when both are restricted: the 1st or any Sunday.
  CHECK(period("0 0 1 * 0") <= 7 * 24h);
  CHECK_THROWS_WITH(cron("0 0 30 2 *").widest_gap(), Catch::Contains("never matches"));
}

TEST_CASE("cron reads shortcuts, names and '*'-prefixed day fields as Vixie cron does", "[cron]") {
  const auto same = [](const char* a, const char* b, const char* after) {
    INFO(a << " vs " << b << " after " << after);
    CHECK(show(cron(a).next_after(bj(after))) == show(cron(b).next_after(bj(after))));
  };
  for (const char* after : {"2026-11-26 10:30:00", "2026-12-31 23:59:00", "2027-02-28 12:00:00"}) {
    same("@hourly", "0 * * * *", after);
    same("@daily", "0 0 * * *", after);
    same("@midnight", "0 0 * * *", after);
    same("@weekly", "0 0 * * 0", after);
    same("@monthly", "0 0 1 * *", after);
    same("@yearly", "0 0 1 1 *", after);
    same("@annually", "0 0 1 1 *", after);
    same("0 9 * * mon-fri", "0 9 * * 1-5", after);
    same("0 9 * * MON,Wed,fri", "0 9 * * 1,3,5", after);
    same("0 0 1 jan,JUL *", "0 0 1 1,7 *", after);
    same("0 0 * * sun", "0 0 * * 0", after);
  }
  // "*/2" starts with '*': unrestricted for the OR rule, so odd days AND Mondays.
  // 2026-11-30 is a Monday but even; 2026-12-07 is a Monday and odd.
  CHECK(show(cron("0 0 */2 * 1").next_after(bj("2026-11-26 00:00:00"))) == "2026-12-07 00:00:00");
  // "1-31/2" does not start with '*': restricted, so odd days OR Mondays.
  CHECK(show(cron("0 0 1-31/2 * 1").next_after(bj("2026-11-26 00:00:00"))) == "2026-11-27 00:00:00");
  // A weekday field "*/2" (Sun, Tue, Thu, Sat) with a restricted day of month: both must hold.
  // (December 1st, 2026 is a Tuesday; with OR it would be Saturday the 28th.)
  CHECK(show(cron("0 0 1 * */2").next_after(bj("2026-11-26 00:00:00"))) == "2026-12-01 00:00:00");

  std::string error;
  CHECK_FALSE(cron_expression::parse("@reboot", "Asia/Shanghai", error));
  CHECK_THAT(error, Catch::Contains("unknown shortcut '@reboot'"));
  CHECK_FALSE(cron_expression::parse("0 9 * * mo", "Asia/Shanghai", error));
  CHECK_THAT(error, Catch::Contains("day-of-week: 'mo' is not a number or a name"));
  CHECK_FALSE(cron_expression::parse("0 0 1 janu *", "Asia/Shanghai", error));
  CHECK_THAT(error, Catch::Contains("month: 'janu'"));
}
