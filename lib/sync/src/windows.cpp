#include "ferry/sync/windows.hpp"

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


}  // namespace ferry::sync
