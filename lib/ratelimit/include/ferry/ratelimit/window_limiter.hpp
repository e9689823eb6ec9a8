#pragma once
// The decision core of ferry's rate limiter: given the calls already sent and
// the current time, how long must the next call wait? Pure (time is always a
// parameter), deterministic, no I/O; `limiter` wraps it for coroutines.
//
// Why a sliding-window log and not a token bucket. Jushuitan allows 5 calls a
// second and 100 a minute per app and answers excess calls with code 199/200;
// our simulator counts those windows as sliding windows. A token bucket of
// capacity N refilling N per period lets 2N calls through in one sliding
// period (the full bucket, then its refill), which such a server refuses. So
// each rate is a log of send times: a call may go when fewer than `calls` of
// the recorded sends lie in the last `per + margin`, i.e. never more than
// `calls` sends in any interval of length `per`. That is still a bucket in the
// docs' sense (bursts of up to `calls`, then one slot each time the oldest
// send leaves the window) and it uses the whole allowed rate apart from the
// margin: calls / (per + margin), 97.6% of 5/s and 99.96% of 100/min with the
// default 25 ms. Several rates at once (5/1s and 100/1m): a call goes when
// every rate allows it.
//
// When did the server count a call? Somewhere between our send and its
// answer: a request that waits in a socket buffer or behind a busy server
// reaches it late, and a margin only covers delays shorter than itself. So a
// call is logged by the latest moment the server can have counted it: a call
// opened with open() stands at "now" until close() gives its answer's time
// (the answer, or the failure that ended it). Then no interval of length `per`
// on the server's clock holds more than `calls` arrivals, however late each
// request arrived: the newest call sent in such an interval went out after
// every other one in it was answered or while it was still open, and either
// way counted against it. This costs the per-second rate the answer time
// (5 calls per 1 s + latency when the calls come back to back) and the
// minute rate a fraction of it. record() logs a call answered at once, as
// the pure tests use it. Memory: the calls of the longest window, plus the
// calls still open.
//
// Adaptive slow-down. A throttle answer means the server counted differently
// (another client on the same app, clock skew): halve the effective calls of
// the rate it names (floor 1) and block every call for that rate's period so
// the server's window drains. Throttle answers that arrive during that
// cool-down are answers to calls sent before it began, i.e. the same overload,
// and change nothing. Recovery: once a full period of the rate has passed
// after the cool-down (or after the last step) and a call succeeds, the
// effective calls grow by max(1, 10% of the configured calls), step by step,
// back to the configured value. With 5/s: 5 -> 2, blocked 1 s, then 3, 4, 5 a
// second apart; with 100/min: 100 -> 50, blocked 1 min, then +10 a minute.
//
// Reserved calls. A token refresh must never wait long for a slot, but a
// sliding window that ordinary calls filled in one burst can stay full for
// most of its period (100 calls in 20 s, then 40 s of nothing). So each rate
// may keep a few calls for the reserved caller: ordinary calls see `calls -
// reserved` of it. reserve_for(max_wait, every) reserves, in each rate whose
// period is longer than the wait a refresh can afford, enough calls for the
// refreshes one period holds (period / every, rounded up, plus one), at most
// half the rate. Tokens that live 30 days reserve nothing; ones that live 20 s
// (a test's) reserve 5 of 100 a minute.
//
// Not thread-safe; one owner (a `limiter`, or a test).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "ferry/ratelimit/clock.hpp"

namespace ferry::ratelimit {

// At most `calls` calls in any interval of length `per`.
struct rate {
  std::uint32_t calls = 0;
  std::chrono::milliseconds per{0};
};

// What a throttle answer says about which limit was hit.
enum class throttle_kind {
  per_second,  // Jushuitan code 199: the rate with the shortest period
  per_minute,  // Jushuitan code 200: the rate with the longest period
  unknown,     // HTTP 429: every rate
};

class window_limiter {
 public:
  using time_point = clock::time_point;

  // No rates means no limit. Throws std::invalid_argument for a rate with
  // zero calls or a non-positive period, or for a negative margin.
  explicit window_limiter(std::vector<rate> rates,
                          std::chrono::milliseconds margin = std::chrono::milliseconds{25});

  // How long a call must wait from `now`; zero means it may go now. A
  // `reserved` caller may use the calls kept for it.
  std::chrono::nanoseconds wait_time(time_point now, bool reserved = false) const;
  // Keeps calls for the reserved caller (see above); replaces earlier reserves.
  void reserve_for(std::chrono::milliseconds max_wait, std::chrono::milliseconds every);
  // Replaces the rates, keeping the log of calls sent (so the calls of the
  // last window count against the new rates) and the reserve asked for. A
  // rate whose period is unchanged keeps its slow-down and cool-down, capped
  // at its new count. Throws std::invalid_argument as the constructor does,
  // and then changes nothing.
  void set_rates(std::vector<rate> rates);
  // The calls kept for the reserved caller in rates()[rate_index].
  std::uint32_t reserved_calls(std::size_t rate_index) const { return states_.at(rate_index).reserved; }
  // A call went out at `now` and was answered at once. Send times must not go
  // back; an earlier time is taken as the latest one (stricter).
  void record(time_point now);
  // A call went out at `now` and is open until close(id, answered): it counts
  // as sent at every moment until then. Returns its id.
  std::uint64_t open(time_point now);
  // The call `id` was answered (or failed) at `now`: it counts from then on
  // as sent at max(its send, now). An unknown or closed id changes nothing.
  void close(std::uint64_t id, time_point now);
  // The open call `id` never went out: it is forgotten, as if never opened.
  // A closed or unknown id changes nothing.
  void cancel(std::uint64_t id);
  // Calls opened and not yet closed.
  std::size_t open_calls() const;
  // The server answered a call with a throttle code at `now`.
  void on_throttle(time_point now, throttle_kind kind);
  // The server answered a call normally at `now`; drives recovery.
  void on_success(time_point now);

  // The lowest effective/configured ratio over all rates: 1.0 at full speed.
  double factor() const;
  // The calls per period currently allowed for rates()[rate_index];
  // throws std::out_of_range for a bad index.
  std::uint32_t effective_calls(std::size_t rate_index) const;
  const std::vector<rate>& rates() const { return rates_; }
  std::chrono::milliseconds margin() const { return margin_; }

 private:
  struct rate_state {
    std::uint32_t effective = 0;
    std::uint32_t reserved = 0;
    time_point cooldown_until = time_point::min();
    time_point clean_since = time_point::min();  // start of the current clean period
  };

  void slow_down(std::size_t index, time_point now);

  std::vector<rate> rates_;
  std::vector<rate_state> states_;
  std::chrono::milliseconds margin_;
  struct call {
    std::uint64_t id = 0;
    time_point sent;
    time_point counted;  // the answer's time; unused while open
    bool open = false;
  };
  // The open call `id`, or calls_.end().
  std::deque<call>::iterator find_open(std::uint64_t id);
  // Drops the calls no window can see any more.
  void prune(time_point now);
  // Each call's latest possible count time at `now`, newest first.
  std::vector<time_point> count_times(time_point now) const;

  std::deque<call> calls_;  // in send order
  std::size_t log_capacity_ = 0;  // closed calls kept: the most calls of any rate
  std::uint64_t next_id_ = 1;
  std::chrono::milliseconds longest_{0};  // the longest period
  time_point blocked_until_ = time_point::min();
  std::chrono::milliseconds reserve_max_wait_{0};
  std::chrono::milliseconds reserve_every_{0};  // 0: no reserve asked for
};

}  // namespace ferry::ratelimit
