#include "ferry/core/time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <charconv>
#include <cstdio>

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

// The value of the two digits at text[pos], or -1.
int two_digits(std::string_view text, std::size_t pos) noexcept {
  const unsigned tens = static_cast<unsigned char>(text[pos]) - unsigned{'0'};
  const unsigned ones = static_cast<unsigned char>(text[pos + 1]) - unsigned{'0'};
  return tens < 10 && ones < 10 ? static_cast<int>(tens * 10 + ones) : -1;
}

struct civil_time {
  date::year_month_day day;
  int h = 0, mi = 0, s = 0;
};

// "yyyy-MM-dd" or "yyyy-MM-dd HH:mm:ss" read into a valid calendar day and time of day.
std::optional<civil_time> read_civil(std::string_view text) noexcept {
  if (text.size() != 10 && text.size() != 19) return std::nullopt;
  const int century = two_digits(text, 0), year = two_digits(text, 2), mo = two_digits(text, 5),
            d = two_digits(text, 8);
  if (century < 0 || year < 0 || text[4] != '-' || mo < 0 || text[7] != '-' || d < 0) return std::nullopt;
  civil_time t{date::year{century * 100 + year} / date::month{static_cast<unsigned>(mo)} /
               date::day{static_cast<unsigned>(d)}};
  if (text.size() == 19) {
    t.h = two_digits(text, 11);
    t.mi = two_digits(text, 14);
    t.s = two_digits(text, 17);
    if (text[10] != ' ' || text[13] != ':' || text[16] != ':' || t.h < 0 || t.mi < 0 || t.s < 0) return std::nullopt;
  }
  if (!t.day.ok() || t.h > 23 || t.mi > 59 || t.s > 59) return std::nullopt;
  return t;
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
  const auto t = read_civil(text);
  if (!t) return std::nullopt;
  return local_to_sys(date::local_days{t->day} + hours{t->h} + minutes{t->mi} + seconds{t->s});
}

bool is_shanghai_datetime(std::string_view text) noexcept { return read_civil(text).has_value(); }

std::string format_shanghai_datetime(sys_seconds t) {
  return date::format("%Y-%m-%d %H:%M:%S", sys_to_local(t));
}

std::string format_rfc3339(sys_seconds t) {
  const auto local = sys_to_local(t);
  const auto offset_seconds = local.time_since_epoch() - t.time_since_epoch();
  // Local mean time before 1901 is 8:05:43 ahead; RFC 3339 offsets are whole minutes.
  if (offset_seconds % minutes{1} != seconds{0}) return date::format("%Y-%m-%dT%H:%M:%SZ", t);
  const auto offset = duration_cast<minutes>(offset_seconds).count();
  const auto size = offset < 0 ? -offset : offset;
  std::array<char, 8> zone{};
  std::snprintf(zone.data(), zone.size(), "%c%02d:%02d", offset < 0 ? '-' : '+', static_cast<int>(size / 60),
                static_cast<int>(size % 60));
  return date::format("%Y-%m-%dT%H:%M:%S", local) + zone.data();
}

std::optional<sys_seconds> parse_instant(std::string_view text) {
  // "yyyy-MM-ddTHH:mm:ss" then "Z" or "+hh:mm" / "-hh:mm".
  constexpr std::size_t civil_size = 19;
  if (text.size() <= civil_size || (text[10] != 'T' && text[10] != 't')) return parse_shanghai_datetime(text);
  std::array<char, civil_size> civil{};
  text.copy(civil.data(), civil_size);
  civil[10] = ' ';
  const auto t = read_civil({civil.data(), civil_size});
  if (!t) return std::nullopt;
  const auto zone = text.substr(civil_size);
  minutes offset{0};
  if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const int h = two_digits(zone, 1), m = two_digits(zone, 4);
    if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
    offset = hours{h} + minutes{m};
    if (zone[0] == '-') offset = -offset;
  } else if (zone != "Z" && zone != "z") {
    return std::nullopt;
  }
  const auto wall = date::sys_days{t->day} + hours{t->h} + minutes{t->mi} + seconds{t->s};
  return sys_seconds{wall - offset};
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
