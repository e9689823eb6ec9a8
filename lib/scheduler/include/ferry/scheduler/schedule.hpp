#pragma once
// When a job is due: every N (measured from the last run's start) or a
// 5-field cron expression read as Vixie cron reads it ("m h dom mon dow" with
// *, lists, ranges and steps; month and weekday names; @hourly, @daily,
// @weekly, @monthly, @yearly; day-of-month and day-of-week combine with OR
// only when neither field starts with '*') evaluated in a time zone. Pure;
// thread-safe after construction.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::scheduler {

using sys_seconds = std::chrono::sys_seconds;

class cron_expression {
 public:
  // Parses `text`; nullopt with `error` naming the field and the problem.
  static std::optional<cron_expression> parse(std::string_view text, std::string_view time_zone, std::string& error);
  // The first matching minute strictly after `t`.
  sys_seconds next_after(sys_seconds t) const;
  // The longest wait between two matching minutes, in wall-clock time of the
  // expression's zone (a DST change may make one real gap an hour longer or
  // shorter): "0 9 * * 1-5" waits 3 days from Friday to Monday, "0 0 29 2 *"
  // 4 years. Read over 28 years of calendar, which holds every pattern of
  // weekdays, month lengths and leap days but the skipped leap day of 2100.
  std::chrono::seconds widest_gap() const;
  const std::string& text() const { return text_; }

 private:
  struct fields;
  std::shared_ptr<const fields> fields_;
  std::string text_;
};

class schedule {
 public:
  static schedule every(std::chrono::seconds period);
  static schedule cron(cron_expression expression);
  // The next time the job is due after a run that started at `last_start`
  // (or, with no run yet, the first due time after `now`: immediately for
  // interval schedules, which returns `now`).
  sys_seconds next_due(std::optional<sys_seconds> last_start, sys_seconds now) const;
  // The longest gap between two runs: the period for interval schedules, a
  // cron's widest gap (so an alert that allows two periods holds over a
  // weekend for a weekday cron). For alerts and backfill estimates.
  std::chrono::seconds period_hint() const;
  std::string describe() const;

 private:
  std::optional<std::chrono::seconds> every_;
  std::optional<cron_expression> cron_;
};

}  // namespace ferry::scheduler
