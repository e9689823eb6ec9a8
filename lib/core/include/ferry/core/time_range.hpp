#pragma once
// An explicit range as operators give it (a backfill's from/to in the admin
// API, ferryd's --from/--to): two instants as core::parse_instant reads them
// (Beijing "yyyy-MM-dd HH:mm:ss", or RFC 3339 with an offset), the second
// after the first. The one parser of such ranges. Pure; thread-safe.
#include "ferry/core/time.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ferry::core {

struct time_range {
  sys_seconds start;
  sys_seconds end;
};

// How the caller's user calls the two ends, for errors ("from", "--from").
struct range_names {
  std::string_view from;
  std::string_view to;
};

// nullopt with `error` naming the bad end by `names`.
inline std::optional<time_range> parse_time_range(std::string_view from, std::string_view to, range_names names,
                                                  std::string& error) {
  const auto start = parse_instant(from);
  const auto end = parse_instant(to);
  constexpr std::string_view forms = " is not yyyy-MM-dd HH:mm:ss (Beijing time) or RFC 3339 with an offset";
  const auto quoted = [](std::string_view text) { return "\"" + std::string{text} + "\""; };
  if (!start) error = std::string{names.from} + ": " + quoted(from) + std::string{forms};
  else if (!end) error = std::string{names.to} + ": " + quoted(to) + std::string{forms};
  else if (*end <= *start) error = std::string{names.to} + " must be after " + std::string{names.from};
  else return time_range{*start, *end};
  return std::nullopt;
}

}  // namespace ferry::core
