#pragma once
// An explicit range as operators give it (a backfill's from/to in the admin
// API, ferryd's --from/--to): two "yyyy-MM-dd HH:mm:ss" Beijing times, the
// second after the first. The one parser of such ranges. Pure; thread-safe.
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
inline std::optional<time_range> parse_shanghai_range(std::string_view from, std::string_view to, range_names names,
                                                      std::string& error) {
  const auto start = parse_shanghai_datetime(from);
  const auto end = parse_shanghai_datetime(to);
  const auto quoted = [](std::string_view text) { return "\"" + std::string{text} + "\""; };
  if (!start) error = std::string{names.from} + ": " + quoted(from) + " is not yyyy-MM-dd HH:mm:ss";
  else if (!end) error = std::string{names.to} + ": " + quoted(to) + " is not yyyy-MM-dd HH:mm:ss";
  else if (*end <= *start) error = std::string{names.to} + " must be after " + std::string{names.from};
  else return time_range{*start, *end};
  return std::nullopt;
}

}  // namespace ferry::core
