#include "ferry/scheduler/schedule.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <bitset>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <vector>

namespace ferry::scheduler {

struct cron_expression::fields {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;    // 1..31
  std::bitset<13> months;  // 1..12
  std::bitset<7> weekdays; // 0 = Sunday
  bool days_restricted = false;
  bool weekdays_restricted = false;
  const date::time_zone* zone = nullptr;

  // Whether the expression runs at all on this local day: its month, and its
  // day of month and day of week (either one when both are restricted).
  bool matches_day(date::local_days day) const {
    const date::year_month_day ymd{day};
    const bool dom = days[static_cast<unsigned>(ymd.day())];
    const bool dow = weekdays[date::weekday{day}.c_encoding()];
    const bool day_ok = (days_restricted && weekdays_restricted) ? (dom || dow) : (dom && dow);
    return months[static_cast<unsigned>(ymd.month())] && day_ok;
  }
};

namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == sep) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

std::optional<int> number(std::string_view text) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// One field: "*", "5", "1-5", "*/15", "10-50/5", and lists of those.
template <std::size_t N>
bool parse_field(std::string_view text, int low, int high, std::bitset<N>& bits, std::string& error) {
  for (auto part : split(text, ',')) {
    int step = 1;
    if (const auto slash = part.find('/'); slash != std::string_view::npos) {
      const auto s = number(part.substr(slash + 1));
      if (!s || *s < 1) { error = "step '" + std::string{part.substr(slash + 1)} + "' is not a positive number"; return false; }
      step = *s;
      part = part.substr(0, slash);
    }
    int from = low, to = high;
    if (part != "*") {
      const auto dash = part.find('-');
      const auto a = number(part.substr(0, dash));
      const auto b = dash == std::string_view::npos ? a : number(part.substr(dash + 1));
      if (!a || !b) { error = "'" + std::string{part} + "' is not a number or range"; return false; }
      from = *a;
      to = dash == std::string_view::npos && step > 1 ? high : *b;
    }
    if (from < low || to > high || from > to) {
      error = "'" + std::string{part} + "' is outside " + std::to_string(low) + ".." + std::to_string(high);
      return false;
    }
    for (int v = from; v <= to; v += step) bits.set(static_cast<std::size_t>(v));
  }
  return true;
}

// Month and weekday names (three letters, any case) as their numbers, as
// Vixie cron reads them: "mon-fri" is "1-5", "jan,jul" is "1,7". Anything
// else is left for parse_field to judge.
std::optional<std::string> with_numbers(std::string_view field, const std::vector<std::string_view>& names, int first,
                                        std::string& error) {
  std::string out;
  for (std::size_t i = 0; i < field.size();) {
    if (!std::isalpha(static_cast<unsigned char>(field[i]))) {
      out += field[i++];
      continue;
    }
    std::size_t j = i;
    std::string word;
    while (j < field.size() && std::isalpha(static_cast<unsigned char>(field[j])))
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(field[j++])));
    const auto it = std::find(names.begin(), names.end(), word);
    if (it == names.end()) {
      error = "'" + std::string{field.substr(i, j - i)} + "' is not a number or a name (" + std::string{names[0]} +
              ", " + std::string{names[1]} + ", ...)";
      return std::nullopt;
    }
    out += std::to_string(first + static_cast<int>(it - names.begin()));
    i = j;
  }
  return out;
}

// The shortcuts Vixie cron knows, but @reboot (ferryd has no boot to run at).
std::optional<std::string_view> expand_shortcut(std::string_view text) {
  static const std::pair<std::string_view, std::string_view> shortcuts[] = {
      {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"}};
  for (const auto& [name, fields] : shortcuts)
    if (text == name) return fields;
  return std::nullopt;
}

}  // namespace

std::optional<cron_expression> cron_expression::parse(std::string_view text, std::string_view time_zone,
                                                      std::string& error) {
  std::string_view expanded = text;
  while (!expanded.empty() && expanded.front() == ' ') expanded.remove_prefix(1);
  while (!expanded.empty() && expanded.back() == ' ') expanded.remove_suffix(1);
  if (!expanded.empty() && expanded.front() == '@') {
    const auto fields = expand_shortcut(expanded);
    if (!fields) {
      error = "unknown shortcut '" + std::string{expanded} + "' (use @hourly, @daily, @weekly, @monthly or @yearly)";
      return std::nullopt;
    }
    expanded = *fields;
  }
  std::vector<std::string_view> parts;
  for (auto p : split(expanded, ' '))
    if (!p.empty()) parts.push_back(p);
  if (parts.size() != 5) {
    error = "needs 5 fields (minute hour day-of-month month day-of-week), got " + std::to_string(parts.size());
    return std::nullopt;
  }
  auto f = std::make_shared<fields>();
  std::bitset<8> weekdays;
  std::string why;
  const auto check = [&](bool ok, const char* name) {
    if (!ok) error = std::string{name} + ": " + why;
    return ok;
  };
  static const std::vector<std::string_view> month_names{"jan", "feb", "mar", "apr", "may", "jun",
                                                         "jul", "aug", "sep", "oct", "nov", "dec"};
  static const std::vector<std::string_view> day_names{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  const auto months = with_numbers(parts[3], month_names, 1, why);
  if (!check(months.has_value(), "month")) return std::nullopt;
  const auto days = with_numbers(parts[4], day_names, 0, why);
  if (!check(days.has_value(), "day-of-week")) return std::nullopt;
  const bool ok = check(parse_field(parts[0], 0, 59, f->minutes, why), "minute") &&
                  check(parse_field(parts[1], 0, 23, f->hours, why), "hour") &&
                  check(parse_field(parts[2], 1, 31, f->days, why), "day-of-month") &&
                  check(parse_field(*months, 1, 12, f->months, why), "month") &&
                  check(parse_field(*days, 0, 7, weekdays, why), "day-of-week");
  if (!ok) return std::nullopt;
  for (std::size_t d = 0; d < 7; ++d) f->weekdays[d] = weekdays[d];
  if (weekdays[7]) f->weekdays.set(0);  // 7 is Sunday too
  // As Vixie cron: a day field that starts with '*' ("*", "*/2") counts as
  // unrestricted, so "0 0 */2 * 1" is odd days that are Mondays, not odd
  // days or Mondays; OR applies only when both fields are restricted.
  f->days_restricted = parts[2].front() != '*';
  f->weekdays_restricted = parts[4].front() != '*';
  try {
    f->zone = date::locate_zone(std::string{time_zone});
  } catch (const std::exception&) {
    error = "unknown time zone '" + std::string{time_zone} + "'";
    return std::nullopt;
  }
  cron_expression e;
  e.fields_ = std::move(f);
  e.text_ = std::string{text};
  return e;
}

sys_seconds cron_expression::next_after(sys_seconds t) const {
  using namespace std::chrono;
  const auto& f = *fields_;
  // Walk local wall-clock minutes, skipping whole days, hours and minutes
  // that cannot match; five years without a match means an impossible
  // expression such as "0 0 30 2 *".
  auto local = date::floor<minutes>(f.zone->to_local(t)) + minutes{1};
  const auto give_up = local + date::years{5};
  while (local < give_up) {
    const auto day = date::floor<date::days>(local);
    if (!f.matches_day(day)) {
      local = day + date::days{1};
      continue;
    }
    const auto hm = date::hh_mm_ss{local - day};
    if (!f.hours[static_cast<std::size_t>(hm.hours().count())]) {
      local = day + hm.hours() + hours{1};
      continue;
    }
    if (!f.minutes[static_cast<std::size_t>(hm.minutes().count())]) {
      local += minutes{1};
      continue;
    }
    // A wall time skipped by a DST change does not exist: earliest mapping.
    return time_point_cast<seconds>(f.zone->to_sys(local, date::choose::earliest));
  }
  throw std::runtime_error("cron expression '" + text_ + "' never matches");
}

std::chrono::seconds cron_expression::widest_gap() const {
  using namespace std::chrono;
  const auto& f = *fields_;
  // The matching minutes of a matching day, from midnight.
  std::vector<int> in_day;
  for (int h = 0; h < 24; ++h)
    for (int m = 0; m < 60; ++m)
      if (f.hours[static_cast<std::size_t>(h)] && f.minutes[static_cast<std::size_t>(m)]) in_day.push_back(h * 60 + m);
  if (in_day.empty()) throw std::runtime_error("cron expression '" + text_ + "' never matches");
  int widest = 0;
  for (std::size_t i = 1; i < in_day.size(); ++i) widest = std::max(widest, in_day[i] - in_day[i - 1]);
  // Between matching days: from the last minute of one to the first of the next.
  const date::local_days begin{date::year{2001} / 1 / 1};
  const date::local_days end{date::year{2029} / 1 / 1};
  std::optional<date::local_days> previous;
  for (auto day = begin; day < end; day += date::days{1}) {
    if (!f.matches_day(day)) continue;
    if (previous) {
      const auto days_apart = static_cast<int>((day - *previous).count());
      widest = std::max(widest, days_apart * 1440 + in_day.front() - in_day.back());
    }
    previous = day;
  }
  if (!previous) throw std::runtime_error("cron expression '" + text_ + "' never matches");
  // One matching day in 28 years cannot happen (a date that exists recurs
  // within 8); a single matching minute a day still repeats the next day.
  return minutes{widest == 0 ? 1440 : widest};
}

schedule schedule::every(std::chrono::seconds period) {
  schedule s;
  s.every_ = period;
  return s;
}

schedule schedule::cron(cron_expression expression) {
  schedule s;
  s.cron_ = std::move(expression);
  return s;
}

sys_seconds schedule::next_due(std::optional<sys_seconds> last_start, sys_seconds now) const {
  if (every_) return last_start ? *last_start + *every_ : now;
  return cron_->next_after(last_start.value_or(now));
}

std::chrono::seconds schedule::period_hint() const {
  if (every_) return *every_;
  return cron_->widest_gap();
}

std::string schedule::describe() const {
  if (every_) return "every " + std::to_string(every_->count()) + "s";
  return "cron " + cron_->text();
}

}  // namespace ferry::scheduler
