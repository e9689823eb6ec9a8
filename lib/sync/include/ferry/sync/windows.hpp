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
#include <cstdint>
#include <string>
#include <string_view>
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

// An explicit range as operators give it (a backfill's from/to, ferryd's
// --from/--to): two "yyyy-MM-dd HH:mm:ss" Beijing times, the second after the
// first. nullopt with `error` naming the bad one by `names` (e.g. "--from").
struct range_names {
  std::string_view from;
  std::string_view to;
};
std::optional<range> parse_range(std::string_view from, std::string_view to, range_names names, std::string& error);

// Cuts [start, end] into windows of at most max_span, in order.
std::vector<window> split_range(range r, std::chrono::seconds max_span);

// Halves a window (for a window whose counts came up short twice).
std::vector<window> halve(const window& w);

// What one round of reading a window found.
struct window_round {
  int round = 1;                              // 1 for the first read of the window
  std::uint64_t distinct = 0;                 // distinct keys received (dead letters and skipped rows included)
  std::optional<std::uint64_t> data_count;    // the API's count, when it gave one
  bool page_cap_hit = false;                  // stopped at the job's page cap
  bool can_halve = false;                     // a top-level window of more than one second
  std::uint64_t fetched = 0;                  // records received
  std::uint64_t failed_records = 0;           // records that could not be transformed
};

// How hard a job tries, from its plan.
struct window_rules {
  int refetch_rounds = 2;             // rounds read again before halving
  double dead_letter_max_ratio = 0.01;
};

// What the runner does next with the window:
//   complete   – every key the count promised (or no count to check) arrived: commit it;
//   refetch    – short: read the whole window again;
//   halve      – still short: read it as two halves, each decided on its own;
//   incomplete – short after everything (or stopped at the page cap): commit it as
//                incomplete, the watermark moves, and ferry_windows shows it to redo;
//   failed     – more records than the job allows could not be transformed: the run
//                stops (the window's rows and dead letters are committed as failed).
enum class window_verdict { complete, refetch, halve, incomplete, failed };
window_verdict decide_window(const window_round& r, const window_rules& rules);
const char* to_string(window_verdict v);

}  // namespace ferry::sync
