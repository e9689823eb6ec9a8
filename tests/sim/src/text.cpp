#include "ferry/sim/text.hpp"

#include <array>
#include <chrono>

namespace ferry::sim {
namespace {

constexpr std::string_view hex_digits = "0123456789abcdef";

// Writes `value` as `width` zero-padded decimal digits.
void append_padded(std::string& out, std::int64_t value, int width) {
  std::array<char, 20> digits{};
  for (int i = width - 1; i >= 0; --i) {
    digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits.data(), static_cast<std::size_t>(width));
}

struct civil_date {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// Howard Hinnant's civil_from_days: days since 1970-01-01 to a Gregorian date.
civil_date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return {y, m, d};
}

// 1992-01-01T00:00:00Z: from then on Asia/Shanghai is UTC+8 without DST.
constexpr std::int64_t fixed_offset_since = 694224000;

}  // namespace

void append_json_string(std::string& out, std::string_view utf8) {
  out.push_back('"');
  for (const char c : utf8) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        if (byte < 0x20) {
          out.append("\\u00");
          out.push_back(hex_digits[byte >> 4]);
          out.push_back(hex_digits[byte & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void append_decimal4(std::string& out, std::int64_t ten_thousandths) {
  if (ten_thousandths < 0) {
    out.push_back('-');
    ten_thousandths = -ten_thousandths;
  }
  out.append(std::to_string(ten_thousandths / 10000));
  out.push_back('.');
  append_padded(out, ten_thousandths % 10000, 4);
}

std::string decimal4(std::int64_t ten_thousandths) {
  std::string out;
  append_decimal4(out, ten_thousandths);
  return out;
}

void append_beijing_datetime(std::string& out, core::sys_seconds t) {
  const std::int64_t secs = t.time_since_epoch().count();
  if (secs < fixed_offset_since) {
    out.append(core::format_shanghai_datetime(t));
    return;
  }
  const std::int64_t local = secs + 8 * 3600;
  const civil_date date = civil_from_days(local / 86400);
  const std::int64_t of_day = local % 86400;
  append_padded(out, date.year, 4);
  out.push_back('-');
  append_padded(out, date.month, 2);
  out.push_back('-');
  append_padded(out, date.day, 2);
  out.push_back(' ');
  append_padded(out, of_day / 3600, 2);
  out.push_back(':');
  append_padded(out, of_day / 60 % 60, 2);
  out.push_back(':');
  append_padded(out, of_day % 60, 2);
}

std::string beijing_datetime(core::sys_seconds t) {
  std::string out;
  append_beijing_datetime(out, t);
  return out;
}

}  // namespace ferry::sim
