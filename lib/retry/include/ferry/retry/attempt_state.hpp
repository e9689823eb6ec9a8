#pragma once
// What to do after each answer while fetching one page: retry after a
// backoff, wait out a throttle, refresh the access token, or stop. The rules
// (DESIGN.md, correctness model):
//   success        -> done
//   transient      -> retry after backoff.delay(n) until max_attempts calls
//                     were counted, then give up ("gave up after 6 attempts: HTTP 503")
//   throttle       -> throttle_wait with a short jitter (the limiter does the
//                     real waiting); not counted as an attempt; give up once
//                     the fetch's throttle waits exceed max_throttle_wait
//   token_expired  -> refresh_token the first time, give up the second
//   fatal          -> give up at once, the detail being the reason
// Every answer but a throttle counts as an attempt.
//
// One per page fetch, owned by the fetching coroutine; borrows the run's
// backoff, which must outlive it. Not thread-safe.
#include <chrono>
#include <string>
#include <string_view>

#include "ferry/retry/backoff.hpp"
#include "ferry/retry/policy.hpp"

namespace ferry::retry {

struct decision {
  enum class action { done, retry, throttle_wait, refresh_token, give_up };
  action what = action::done;
  std::chrono::milliseconds delay{0};  // wait this long before the next call
  std::string reason;                  // for logs; for give_up, the run's failure message
};

class attempt_state {
 public:
  // Throws std::invalid_argument for an invalid policy.
  attempt_state(const policy& p, backoff& b);

  // `detail` names the answer ("HTTP 503", "code 150: 服务器内部错误");
  // `throttle_waited_so_far` is the time this fetch has spent waiting because
  // of throttles, including the limiter's waits. After done or give_up the
  // fetch is over: another call throws std::logic_error.
  decision next(outcome o, std::string_view detail,
                std::chrono::milliseconds throttle_waited_so_far);

  int attempts() const { return attempts_; }
  int throttles() const { return throttles_; }
  bool refreshed() const { return refreshed_; }
  bool finished() const { return finished_; }

 private:
  decision on_transient(std::string_view detail);
  decision on_throttle(std::string_view detail, std::chrono::milliseconds waited);
  decision on_token_expired(std::string_view detail);
  decision finish(decision::action what, std::string reason);

  policy policy_;
  backoff& backoff_;
  int attempts_ = 0;
  int throttles_ = 0;
  bool refreshed_ = false;
  bool finished_ = false;
};

}  // namespace ferry::retry
