#include "ferry/core/time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <charconv>

namespace ferry::core {
namespace {

using namespace std::chrono;

// Asia/Shanghai has been UTC+8 without daylight saving since 1991-09-15; only
// older instants need the time-zone database.
constexpr auto beijing_offset = hours{8};
constexpr sys_seconds fixed_offset_since{date::sys_days{date::year{1992} / 1 / 1}};

const date::time_zone* shanghai_zone() {
  static const date::time_zone* zone = date::locate_zone("Asia/Shanghai");
  return zone;
}

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  // At most four digits: no overflow to check.
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

sys_seconds local_to_sys(date::local_seconds local) {
  const sys_seconds guess{local.time_since_epoch() - beijing_offset};
  if (guess >= fixed_offset_since) return guess;
  // choose::earliest: a wall time repeated by a DST change maps to its first instant.
  return shanghai_zone()->to_sys(local, date::choose::earliest);
}

date::local_seconds sys_to_local(sys_seconds t) {
  if (t >= fixed_offset_since) return date::local_seconds{t.time_since_epoch() + beijing_offset};
  return shanghai_zone()->to_local(t);
}

}  // namespace

std::optional<sys_seconds> parse_shanghai_datetime(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() != 10 && text.size() != 19) return std::nullopt;
  if (!read_digits(text, 0, 4, y) || text[4] != '-' || !read_digits(text, 5, 2, mo) ||
      text[7] != '-' || !read_digits(text, 8, 2, d))
    return std::nullopt;
  if (text.size() == 19 &&
      (text[10] != ' ' || !read_digits(text, 11, 2, h) || text[13] != ':' ||
       !read_digits(text, 14, 2, mi) || text[16] != ':' || !read_digits(text, 17, 2, s)))
    return std::nullopt;
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const auto local = date::local_days{ymd} + hours{h} + minutes{mi} + seconds{s};
  return local_to_sys(local);
}

std::string format_shanghai_datetime(sys_seconds t) {
  return date::format("%Y-%m-%d %H:%M:%S", sys_to_local(t));
}

std::string format_shanghai_date(sys_seconds t) {
  return date::format("%Y-%m-%d", sys_to_local(t));
}

std::optional<milliseconds> parse_duration(std::string_view text) {
  struct unit { std::string_view suffix; milliseconds size; };
  // "ms" before "m" so that "250ms" is not read as minutes.
  static constexpr std::array<unit, 5> units{{{"ms", milliseconds{1}},
                                              {"s", seconds{1}},
                                              {"m", minutes{1}},
                                              {"h", hours{1}},
                                              {"d", days{1}}}};
  if (text.empty()) return std::nullopt;
  milliseconds total{0};
  while (!text.empty()) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0 || digits > 9) return std::nullopt;
    long long value = 0;
    std::from_chars(text.data(), text.data() + digits, value);
    text.remove_prefix(digits);
    const unit* found = nullptr;
    for (const auto& u : units)
      if (text.starts_with(u.suffix)) { found = &u; break; }
    if (found == nullptr) return std::nullopt;
    text.remove_prefix(found->suffix.size());
    total += found->size * value;
  }
  return total;
}

std::string format_duration(milliseconds d) {
  if (d.count() == 0) return "0s";
  std::string out;
  auto take = [&](milliseconds size, std::string_view suffix) {
    if (d >= size) {
      out += std::to_string(d / size);
      out += suffix;
      d %= size;
    }
  };
  take(days{1}, "d");
  take(hours{1}, "h");
  take(minutes{1}, "m");
  take(seconds{1}, "s");
  take(milliseconds{1}, "ms");
  return out;
}

}  // namespace ferry::core
