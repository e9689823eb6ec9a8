#pragma once
// Private to the sync module: the state of one window while it is fetched
// and written, and the module's logger.
#include "ferry/retry/patience.hpp"
#include "ferry/core/time.hpp"
#include "ferry/sync/runner.hpp"

#include "ferry/core/log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ferry::sync {
namespace detail {

inline std::shared_ptr<spdlog::logger> logger() { return core::module_logger("sync"); }

inline std::string show(const window& w) {
  return core::format_shanghai_datetime(w.start) + " .. " + core::format_shanghai_datetime(w.end);
}

}  // namespace detail

// Work started on the loop and awaited later: set once when it ends, then
// every wait returns at once.
class done_signal {
 public:
  explicit done_signal(asio::any_io_executor ex) : timer_(ex, asio::steady_timer::time_point::max()) {}

  bool done() const noexcept { return done_; }

  void set() {
    done_ = true;
    timer_.cancel();
  }

  asio::awaitable<void> wait() {
    if (done_) co_return;
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

 private:
  asio::steady_timer timer_;  // cancelled by set()
  bool done_ = false;
};

// A batch being written while the window reads on. The writing coroutine
// touches only this; the window counts it in when it retires it.
struct runner::write_task {
  explicit write_task(asio::any_io_executor ex) : ended(ex) {}

  std::size_t target = 0;
  sink::batch rows;
  std::vector<std::uint64_t> keys;  // the key hashes of its rows, sorted
  mysql::upsert_counts counts;
  std::chrono::steady_clock::duration took{};
  std::exception_ptr error;
  bool started = false;  // its write has begun (a batch may wait for one ahead of it first)
  done_signal ended;
};

struct runner::window_run {
  window w;
  std::uint64_t run_id = 0;
  // This round's biz fields but the page's, rendered once per round.
  nlohmann::json request;
  // Batches in flight, oldest first; the key hashes of the rows pending
  // since the last flush; the first write that failed.
  std::deque<std::shared_ptr<write_task>> writes;
  std::vector<std::uint64_t> pending_keys;
  std::exception_ptr write_error;
  std::vector<std::uint64_t> key_hashes;
  std::uint64_t fetched = 0, pages = 0, rounds = 0;
  std::optional<std::uint64_t> data_count;
  std::vector<sink::batch> pending;
  mysql::upsert_counts counts;
  std::uint64_t key_inserted = 0;  // rows inserted into the key target by flushed batches
  std::vector<state::dead_letter> dead;
  std::uint64_t skipped = 0;  // records the job's filter kept out, this round
  // Source records with a dead letter, this round (a flattened record's
  // elements may give several letters: it counts once).
  std::uint64_t failed_records = 0;
  // Dead letters of records whose key was not counted in key_hashes.
  std::uint64_t uncounted_dead = 0;
  // A full refresh: the key cells of every record of the list, to delete the
  // rows whose key is not among them.
  std::vector<std::vector<mysql::cell>> snapshot_keys;
  std::uint64_t marked = 0;  // rows it marked instead (full_refresh.mark)
  // With a repeat guard: each id seen, with the record that had it.
  std::unordered_map<std::string, std::string> seen_ids;
  std::vector<std::vector<transform::row>> scratch;
  std::vector<std::vector<transform::row>> parent_scratch;  // a record's parent key and version
  bool page_cap_hit = false;
  bool failed = false;
  bool live = false;  // a live run's window: verified later when the API gave no count
  ratelimit::priority priority = ratelimit::priority::live;
  std::uint64_t retries = 0, throttles = 0;

  // A cursor walk (runner_cursor.cpp): the cursor it reads from; the largest
  // version seen by all its rounds, and by its first page; where the cursor
  // may move (known after the first page); the keys read by the rounds
  // before this one, and the largest version they saw; this round's keys,
  // its records whose key no earlier round read at a version at or below
  // the candidate, those above every earlier version, and its records
  // without a readable version.
  std::optional<std::int64_t> cursor;
  std::optional<std::int64_t> max_version, first_page_max;
  std::int64_t candidate = 0;
  std::unordered_set<std::uint64_t> keys_before;
  std::optional<std::int64_t> max_before;
  std::vector<std::uint64_t> round_keys;
  std::uint64_t new_below = 0, above_before = 0, no_version = 0;
  // What the walk's commit does to the job's cursor: from the value stored, to this.
  std::optional<std::int64_t> cursor_expected;
  std::int64_t cursor_to = 0;

  // "window <start> .. <end>", or "walk from start_ts=<n>": for messages.
  std::string where(const std::string& cursor_field) const {
    if (cursor) return "walk from " + cursor_field + "=" + std::to_string(*cursor);
    return "window " + detail::show(w);
  }

  // The same as a log field: window="<start> .. <end>" or start_ts=<n>.
  std::string log_field(const std::string& cursor_field) const {
    if (cursor) return cursor_field + "=" + std::to_string(*cursor);
    return "window=\"" + detail::show(w) + "\"";
  }

  // Adds this committed window (or walk) to its run's summary.
  void add_to(state::run_summary& summary, state::window_state st) const {
    summary.windows += 1;
    summary.incomplete_windows += st == state::window_state::incomplete ? 1 : 0;
    summary.pages += pages;
    summary.fetched += fetched;
    summary.inserted += counts.inserted;
    summary.updated += counts.updated;
    summary.unchanged += counts.unchanged;
    summary.deleted += counts.deleted;
    summary.marked += marked;
    summary.dead_letters += dead.size();
    summary.skipped += skipped;
    summary.retries += retries;
    summary.throttles += throttles;
  }

  std::uint64_t distinct() {
    std::sort(key_hashes.begin(), key_hashes.end());
    key_hashes.erase(std::unique(key_hashes.begin(), key_hashes.end()), key_hashes.end());
    return key_hashes.size() + uncounted_dead + skipped;
  }
};

// MySQL work with patience: transient failures (server down, restarting,
// read-only, deadlocks, lost connections) are retried with backoff for up to
// ten minutes; anything else ends the run with the statement's error.
template <class F>
asio::awaitable<std::invoke_result_t<F&, mysql::connection&>> runner::with_retries(const char* what, F f) {
  using namespace std::chrono;
  const auto started = steady_clock::now();
  retry::patience patience{{}, rng_()};
  for (;;) {
    std::string failure;
    bool lock_conflict = false;
    try {
      co_return co_await pool_.run(f);
    } catch (const mysql::error& e) {
      if (e.kind() == mysql::error_kind::fatal) throw run_failure(std::string{what} + ": " + e.what());
      if (e.kind() == mysql::error_kind::too_large)
        for (const auto& t : plan_.targets) t.writer->shrink();
      // 1213 deadlock, 1205 lock wait timeout: another writer holds the rows.
      lock_conflict = e.code() == 1213 || e.code() == 1205;
      failure = e.what();
    }
    // MySQL is down, restarting, read-only or deadlocked: wait and redo the
    // whole transaction, at retry::patience's pace, for up to ten minutes.
    const auto delay = patience.next(lock_conflict, steady_clock::now() - started);
    if (!delay) throw run_failure(std::string{what} + ": MySQL still failing after 10 minutes: " + failure);
    detail::logger()->warn("job={} {} failed (attempt {}), retrying in {}ms: {}", plan_.job_id, what,
                           patience.failures(), delay->count(), failure);
    asio::steady_timer timer{executor_, *delay};
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace ferry::sync
