#include "ferry/sync/windows.hpp"

#include "ferry/core/time.hpp"
#include "ferry/core/time_range.hpp"

#include <algorithm>
#include <stdexcept>

namespace ferry::sync {

std::optional<range> live_range(const window_policy& policy, std::optional<sys_seconds> watermark,
                                sys_seconds now) {
  // Never reach back before the configured start, even with lookback.
  sys_seconds start = policy.start;
  if (watermark) start = std::max(policy.start, *watermark - policy.lookback);
  sys_seconds end = now - policy.lag;
  if (policy.stop) end = std::min(end, *policy.stop);
  // A run whose range ends at or before the watermark would fetch only rows
  // already covered: nothing to do until time moves on.
  if (end <= start || (watermark && end <= *watermark)) return std::nullopt;
  return range{start, end};
}

std::vector<window> split_range(range r, std::chrono::seconds max_span) {
  if (max_span <= std::chrono::seconds{0}) throw std::invalid_argument("max_span must be positive");
  std::vector<window> out;
  for (sys_seconds from = r.start; from < r.end;) {
    const sys_seconds to = std::min(r.end, from + max_span);
    out.push_back({from, to});
    from = to;
  }
  return out;
}

std::vector<window> halve(const window& w) {
  const auto span = w.end - w.start;
  if (span < std::chrono::seconds{2}) return {w};
  const sys_seconds middle = w.start + span / 2;
  return {{w.start, middle}, {middle, w.end}};
}


std::optional<range> parse_range(std::string_view from, std::string_view to, range_names names, std::string& error) {
  const auto r = core::parse_time_range(from, to, {names.from, names.to}, error);
  if (!r) return std::nullopt;
  return range{r->start, r->end};
}

window_verdict decide_window(const window_round& r, const window_rules& rules) {
  const bool short_of_count = r.data_count && r.distinct < *r.data_count;
  if (!r.page_cap_hit && short_of_count) {
    if (r.round <= rules.refetch_rounds) return window_verdict::refetch;
    if (r.can_halve) return window_verdict::halve;
  }
  const bool too_many_dead =
      r.fetched > 0 && static_cast<double>(r.failed_records) > rules.dead_letter_max_ratio * static_cast<double>(r.fetched);
  if (too_many_dead) return window_verdict::failed;
  return r.page_cap_hit || short_of_count ? window_verdict::incomplete : window_verdict::complete;
}

const char* to_string(window_verdict v) {
  switch (v) {
    case window_verdict::complete: return "complete";
    case window_verdict::refetch: return "refetch";
    case window_verdict::halve: return "halve";
    case window_verdict::incomplete: return "incomplete";
    case window_verdict::failed: return "failed";
  }
  return "?";
}

}  // namespace ferry::sync
