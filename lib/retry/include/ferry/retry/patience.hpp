#pragma once
// How long ferry keeps redoing a MySQL transaction that failed for a reason
// that passes (the server down, restarting or read-only, a lost connection,
// a deadlock or a lock wait timeout): the delay before each redo, and when to
// give up. Two kinds of failure, two paces:
//   - a lock conflict (1213, 1205) has already waited for the lock, so it is
//     redone soon: step × n, at most lock_longest, plus up to `jitter` drawn
//     at random, so that two writers stop meeting;
//   - anything else is given more and more time: first × 2^n, at most
//     `longest` between tries.
// After `give_up` since the first failure, next() says stop. The caller
// passes the time elapsed, so tests need no clock. One per transaction; not
// thread-safe.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace ferry::retry {

struct patience_rules {
  std::chrono::milliseconds first{250};
  std::chrono::milliseconds longest{30'000};
  std::chrono::milliseconds lock_step{100};
  std::chrono::milliseconds lock_longest{2'000};
  std::chrono::milliseconds jitter{250};
  std::chrono::milliseconds give_up{std::chrono::minutes{10}};
};

class patience {
 public:
  explicit patience(patience_rules rules = {}, std::uint64_t seed = std::random_device{}());

  // Attempt n failed `elapsed` after the first attempt began: the delay
  // before the next attempt, or nullopt when it is time to give up.
  std::optional<std::chrono::milliseconds> next(bool lock_conflict, std::chrono::nanoseconds elapsed);
  int failures() const { return failures_; }

 private:
  patience_rules rules_;
  std::mt19937_64 random_;
  int failures_ = 0;
  int lock_conflicts_ = 0;
};

}  // namespace ferry::retry
