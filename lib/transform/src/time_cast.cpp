#include "cast_detail.hpp"
#include "ferry/core/time.hpp"

#include <chrono>
#include <limits>

namespace ferry::transform::detail {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// Unix times from 1000-01-01 to 9999-12-31 (UTC), MySQL's DATETIME range.
constexpr std::int64_t earliest_unix = -30610224000;
constexpr std::int64_t latest_unix = 253402300799;
// Below this an integer is Unix seconds (until year 5138), above it milliseconds.
constexpr std::int64_t milliseconds_from = 100'000'000'000;
// MySQL TIMESTAMP holds 1970-01-01 00:00:01 .. 2038-01-19 03:14:07 UTC.
constexpr std::int64_t timestamp_earliest = 1;
constexpr std::int64_t timestamp_latest = 2'147'483'647;

struct wall_time {
  std::string text;  // "yyyy-MM-dd HH:mm:ss"
  sys_seconds instant;
};

// Reads "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss" or "yyyy-MM-dd" as Beijing wall time.
std::optional<wall_time> read_wall_time(std::string_view s) {
  std::string text{s};
  if (text.size() == 19 && text[10] == 'T') text[10] = ' ';
  const auto instant = core::parse_shanghai_datetime(text);
  if (!instant) return std::nullopt;
  if (text.size() == 10) text += " 00:00:00";
  return wall_time{std::move(text), *instant};
}

// A JSON integer as Unix seconds or milliseconds, if it lies in DATETIME's range.
std::optional<sys_seconds> unix_time(const json& input) {
  if (input.is_number_unsigned() && input.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return std::nullopt;
  auto count = input.get<std::int64_t>();
  if (count >= milliseconds_from) count /= 1000;
  if (count < earliest_unix || count > latest_unix) return std::nullopt;
  return sys_seconds{seconds{count}};
}

bool is_timestamp_column(const sql_type& type) { return type.sql == "timestamp"; }

// "yyyy-MM-dd HH:mm:ss" into a datetime (not a timestamp) column: kept as
// written when it is a valid wall time, refused when not.
bool usual_form(std::string_view text, const sql_type& type) {
  return text.size() == 19 && text[10] == ' ' && !is_timestamp_column(type);
}

cast_result checked_instant(const shown& input, wall_time time, const sql_type& type) {
  if (is_timestamp_column(type)) {
    const auto unix = time.instant.time_since_epoch().count();
    if (unix < timestamp_earliest || unix > timestamp_latest)
      return refuse(input.text() +
                    " is outside timestamp (1970-01-01 08:00:01..2038-01-19 11:14:07 Beijing time)");
  }
  return accept(std::move(time.text));
}

cast_result datetime_from_unix(const json& input, const sql_type& type) {
  const auto instant = unix_time(input);
  // Beijing is 8 hours ahead of UTC, which can push year 9999 into 10000.
  auto text = instant ? core::format_shanghai_datetime(*instant) : std::string{};
  if (!instant || text.size() != 19 || text.front() < '1' || text.front() > '9')
    return refuse(describe(input) + " is outside the datetime range as Unix time (years 1000..9999)");
  return checked_instant({&input, {}}, {std::move(text), *instant}, type);
}

}  // namespace

cast_result cast_datetime(const json& input, const sql_type& type) {
  if (input.is_number_integer()) return datetime_from_unix(input, type);
  const auto refused = [&] { return refuse(describe(input) + " is not a valid datetime (yyyy-MM-dd HH:mm:ss)"); };
  if (!input.is_string()) return refused();
  return cast_datetime_string({&input, {}}, input.get_ref<const json::string_t&>(), type);
}

bool datetime_as_written(std::string_view text, const sql_type& type) {
  return usual_form(text, type) && core::is_shanghai_datetime(text);
}

cast_result cast_datetime_string(const shown& input, std::string_view text, const sql_type& type) {
  if (text.empty()) return accept_null();
  const auto refused = [&] { return refuse(input.text() + " is not a valid datetime (yyyy-MM-dd HH:mm:ss)"); };
  // The usual form into a datetime column: checked where it lies, copied once.
  if (usual_form(text, type)) return core::is_shanghai_datetime(text) ? accept(std::string{text}) : refused();
  auto time = read_wall_time(text);
  if (!time) return refused();
  return checked_instant(input, std::move(*time), type);
}

cast_result cast_date(const json& input, const sql_type&) {
  const auto refused = [&] { return refuse(describe(input) + " is not a valid date (yyyy-MM-dd)"); };
  if (!input.is_string()) return refused();
  const auto& s = input.get_ref<const json::string_t&>();
  if (s.empty()) return accept_null();
  const auto time = read_wall_time(s);
  if (!time) return refused();
  if (!time->text.ends_with(" 00:00:00")) return refuse(describe(input) + " is not a date: it has a time of day");
  return accept(time->text.substr(0, 10));
}

}  // namespace ferry::transform::detail
