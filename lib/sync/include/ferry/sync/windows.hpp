#pragma once
// Window planning: which time ranges a job run asks the API for.
//
// A live run covers [watermark - lookback, now - lag]: it ends in the past so
// the upstream has settled, and starts a little before the watermark so rows
// that arrived late are caught. The range is cut into windows of at most
// max_span (the endpoint's limit). Bounds are inclusive on both ends, as the
// Jushuitan queries are, so neighbouring windows share their edge second: a
// row stamped exactly on an edge is fetched twice and upserted once, never
// missed. Pure; thread-safe.
#include <chrono>
#include <optional>
#include <vector>

namespace ferry::sync {

using sys_seconds = std::chrono::sys_seconds;

struct window {
  sys_seconds start;
  sys_seconds end;
  bool operator==(const window&) const = default;
};

struct window_policy {
  sys_seconds start;                   // the job's configured first instant
  std::optional<sys_seconds> stop;     // optional configured last instant
  std::chrono::seconds max_span{std::chrono::hours{24 * 7}};
  std::chrono::seconds lag{60};
  std::chrono::seconds lookback{300};
};

// The range a live run covers, or nullopt when there is nothing to do yet.
struct range {
  sys_seconds start;
  sys_seconds end;
};
std::optional<range> live_range(const window_policy& policy, std::optional<sys_seconds> watermark,
                                sys_seconds now);

// Cuts [start, end] into windows of at most max_span, in order.
std::vector<window> split_range(range r, std::chrono::seconds max_span);

// Halves a window (for a window whose counts came up short twice).
std::vector<window> halve(const window& w);

}  // namespace ferry::sync
