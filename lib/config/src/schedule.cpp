#include "sections.hpp"

#include "ferry/scheduler/schedule.hpp"

#include <date/tz.h>

#include <chrono>

#include <array>
#include <sstream>

namespace ferry::config::detail {
namespace {

constexpr std::array<std::string_view, 4> schedule_keys{"every", "cron", "tz", "jitter"};
constexpr std::string_view cron_hint = R"("minute hour day-of-month month day-of-week", e.g. "*/5 * * * *")";

// The shape first, with hints for the usual slips; then the scheduler's own
// parse (ranges, steps) and a first due time, so that a cron that never
// matches ("0 0 30 2 *") is an error here and not at start or reload.
bool check_cron_shape(const object_reader& r, const std::string& cron) {
  if (cron.find_first_not_of(' ') != std::string::npos && cron[cron.find_first_not_of(' ')] == '@')
    return true;  // a shortcut: the scheduler names the ones it knows
  std::istringstream in{cron};
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  if (fields.size() != 5) {
    r.report("cron", json(cron).dump() + " has " + std::to_string(fields.size()) + " fields, not 5",
             std::string{cron_hint});
    return false;
  }
  // Month and day-of-week take names too ("jan", "mon-fri"); the scheduler
  // says which names it knows.
  for (std::size_t i = 0; i < 3; ++i) {
    const auto bad = fields[i].find_first_not_of("0123456789*,-/");
    if (bad != std::string::npos) {
      r.report("cron",
               json(cron).dump() + ": field " + std::to_string(i + 1) + " has '" + fields[i][bad] + "'",
               "minute, hour and day-of-month take digits, '*', ',', '-' and '/' only");
      return false;
    }
  }
  return true;
}

void check_cron(const object_reader& r, const std::string& cron, const std::string& tz) {
  if (!check_cron_shape(r, cron)) return;
  std::string error;
  const auto expression = scheduler::cron_expression::parse(cron, tz, error);
  if (!expression) {
    r.report("cron", json(cron).dump() + ": " + error, std::string{cron_hint});
    return;
  }
  try {
    expression->next_after(std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  } catch (const std::exception&) {
    r.report("cron", json(cron).dump() + " never matches: no such day in five years",
             "day-of-month and month must meet (there is no 30 February)");
  }
}

void check_tz(const object_reader& r, const std::string& tz) {
  try {
    date::locate_zone(tz);
  } catch (const std::exception&) {
    r.report("tz", json(tz).dump() + " is not a time zone", "an IANA name, e.g. \"Asia/Shanghai\"");
  }
}

}  // namespace

schedule_config read_schedule(const json& value, const location& where, const load_context& ctx) {
  const object_reader r{value, where, ctx.diag, schedule_keys};
  schedule_config schedule;
  if (!r.is_object()) return schedule;
  schedule.every.reset();
  const bool has_every = r.find("every") != nullptr;
  const bool has_cron = r.find("cron") != nullptr;
  if (has_every && has_cron) {
    r.report("cron", "both \"every\" and \"cron\" are set", "keep one of them");
  } else if (!has_every && !has_cron) {
    ctx.diag.add(where, "needs \"every\" or \"cron\"", R"(e.g. {"every": "5m"} or {"cron": "*/5 * * * *"})");
  } else if (has_every) {
    schedule.every = r.duration("every", std::chrono::seconds{1});
  } else if (auto cron = r.string("cron")) {
    schedule.cron = std::move(*cron);
  }
  if (!has_cron) schedule.every = schedule.every.value_or(std::chrono::minutes{5});
  if (const auto tz = r.string("tz")) {
    if (!has_cron)
      r.report("tz", "only applies to \"cron\"", "an interval (\"every\") runs the same in any time zone");
    else
      check_tz(r, *tz);
    schedule.tz = *tz;
  }
  if (const auto jitter = r.duration("jitter", std::chrono::milliseconds{0})) schedule.jitter = *jitter;
  // In its time zone; an unknown zone was reported above.
  if (schedule.cron) {
    std::string tz_error;
    if (scheduler::cron_expression::parse("* * * * *", schedule.tz, tz_error)) check_cron(r, *schedule.cron, schedule.tz);
    else check_cron_shape(r, *schedule.cron);
  }
  return schedule;
}

}  // namespace ferry::config::detail
