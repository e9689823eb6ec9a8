#pragma once
// One run of one job: plan the windows, fetch every page of each window
// (page 1 first, then the rest concurrently up to max_in_flight under the
// source's rate limiter), map the records, write them in idempotent batches,
// check the distinct keys received against the API's data_count, and commit
// the window's ledger row and new watermark in the same transaction as its
// last batch. A window whose count comes up short is fetched again, then
// halved, then recorded as incomplete; never skipped silently.
//
// Runs on the caller's executor (one io_context thread); MySQL work goes to
// the pool's threads. Not thread-safe.
#include "ferry/core/asio.hpp"
#include "ferry/mysql/pool.hpp"
#include "ferry/source/jushuitan/client.hpp"
#include "ferry/state/job_lock.hpp"
#include "ferry/state/store.hpp"
#include "ferry/sync/job_plan.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>

namespace ferry::sync {

// Fetches one page: the source's client with its limiter, retries and token
// refresh; `priority` is live for a window's first read, verify for the
// verification pass (which only takes calls no live page waits for).
using page_fetcher = std::function<asio::awaitable<source::jushuitan::fetch_result>(
    const std::string& api, const nlohmann::json& biz, const std::string& list_key, ratelimit::priority priority)>;

// Wall-clock time, injectable for tests.
using wall_clock = std::function<std::chrono::sys_seconds()>;
std::chrono::sys_seconds system_now();

// Hooks for metrics, each optional, called on the runner's executor as the
// run goes (not only at its end), so dashboards see progress.
struct run_observer {
  std::function<void(const std::string& table, const mysql::upsert_counts&)> rows_written;
  std::function<void(std::uint64_t records)> records_fetched;
  std::function<void(std::uint64_t letters)> dead_letters;
  std::function<void(std::uint64_t records)> records_skipped;  // kept out by the job's filter
  std::function<void(std::uint64_t retries)> retried;
  std::function<void(std::chrono::sys_seconds watermark)> watermark_moved;
  std::function<void(std::chrono::duration<double> elapsed)> batch_written;
  // A window read once more by the verification pass, and the rows only that read found.
  std::function<void(std::uint64_t found)> window_verified;
};

struct run_request {
  state::run_kind kind = state::run_kind::once;
  // An explicit range (backfill, --from/--to): synced without moving the watermark.
  std::optional<range> explicit_range;
  // Set by a stopping daemon: the run ends before its next window (the
  // current one is finished or, if the process is cut off, redone next time).
  const std::atomic<bool>* stop = nullptr;
  // When another ferryd holds the job's lock: how long to keep trying
  // (every 250 ms) before giving up without running.
  std::chrono::milliseconds lock_wait{0};
};

struct run_result {
  std::uint64_t run_id = 0;
  bool nothing_to_do = false;
  std::optional<range> covered;
  state::run_summary summary;
  double seconds = 0;
  // Not run at all: another ferryd holds the job's lock. Says who, and what
  // it is running; no run was recorded.
  std::optional<std::string> held_elsewhere;
  bool ok() const { return summary.error.empty() && summary.incomplete_windows == 0; }
};

class runner {
 public:
  runner(asio::any_io_executor ex, mysql::pool& pool, const job_plan& plan, page_fetcher fetch,
         wall_clock now = system_now, run_observer observer = {}, state::job_locks* locks = nullptr);

  // Creates the state tables and the job's target tables (once per process).
  asio::awaitable<void> prepare();
  // Runs the job under its lock (when the runner has locks): a run that
  // cannot take it returns at once with held_elsewhere set.
  asio::awaitable<run_result> run(run_request request);

 private:
  asio::awaitable<run_result> run_locked(run_request request, bool first_take);
  // One value's read (or the whole job's, without for_each): its windows
  // from `covered` (or from its watermark), or its cursor walk.
  asio::awaitable<void> run_scope(const run_request& request, const state::job_state& job,
                                  std::optional<range> covered, std::uint64_t run_id, state::run_summary& summary);
  // The values of a for_each job, as JSON texts; checks its `after` job first.
  asio::awaitable<std::vector<std::string>> for_each_values();
  asio::awaitable<state::lock_attempt> take_lock(std::chrono::milliseconds wait);
  // Before a window's commit: stops the run (run_failure) when this process
  // no longer holds the job's lock because another ferryd took it while the
  // lock's session was cut.
  asio::awaitable<void> check_lock();
  struct window_run;
  asio::awaitable<void> process_window(window w, std::optional<std::chrono::sys_seconds>& watermark,
                                       bool advance, std::uint64_t run_id, state::run_summary& summary,
                                       int depth);
  // A cursor job's walk (runner_cursor.cpp): every page from the job's
  // cursor, again until proved complete, committed with the cursor's move.
  asio::awaitable<void> process_walk(const state::job_state& job, std::uint64_t run_id, state::run_summary& summary);
  void note_versions(window_run& wr, const source::jushuitan::page& p, std::uint64_t page_index) const;
  void note_key(window_run& wr, const nlohmann::json& record, std::uint64_t key) const;
  class prefetch;
  asio::awaitable<void> fetch_round(window_run& wr);
  asio::awaitable<source::jushuitan::page> fetch_page(window_run& wr, std::uint64_t page_index);
  asio::awaitable<void> take_page(window_run& wr, source::jushuitan::page page, std::uint64_t page_index);
  // Maps one record into the pending batches, or makes it a dead letter (false).
  // count_key: its key counts toward the window's distinct keys.
  bool take_record(window_run& wr, const nlohmann::json& record, std::uint64_t page_index, bool count_key);
  // The same for a record of a page as parsed (node `record` of its tape),
  // for jobs whose records are mapped as they come: no DOM unless it fails.
  bool take_record(window_run& wr, const ferry::json::tape& t, std::uint32_t record, std::uint64_t page_index);
  // After a record mapped into wr.scratch: its key and its rows into the
  // pending batches. `record` (the DOM) is needed by cursor walks and
  // targets that follow a parent, which take records as DOMs.
  void keep_rows(window_run& wr, bool count_key, const nlohmann::json* record);
  void dead_letter(window_run& wr, const nlohmann::json& record, const transform::record_error& error,
                   std::uint64_t page_index, bool count_key);
  // True when records must be DOMs (filter, flatten, an id guard, for_each
  // values added to them, cursor walks, targets that follow a parent).
  bool needs_dom(const window_run& wr) const;
  // A page's records as DOMs, through the filter, flattening and id guard.
  void take_dom_records(window_run& wr, source::jushuitan::page& p, std::uint64_t page_index);
  std::uint64_t record_hash(const nlohmann::json& record) const;
  void check_repeat(window_run& wr, const nlohmann::json& record) const;
  std::string named(const nlohmann::json& record) const;
  asio::awaitable<void> flush(window_run& wr, std::size_t target);
  // Batches written while the window reads on (runner.cpp says when).
  struct write_task;
  asio::awaitable<void> write_batch(std::shared_ptr<write_task> task);
  // Waits for one batch, then counts it into the window (once, whoever waits).
  asio::awaitable<void> retire(window_run& wr, std::shared_ptr<write_task> task);
  // A written batch's counts into the window, the metrics and the observer.
  void count_written(window_run& wr, std::size_t target, const mysql::upsert_counts& counts,
                     std::chrono::steady_clock::duration took);
  // Waits for every batch in flight; rethrows the first one's failure.
  asio::awaitable<void> settle_writes(window_run& wr);
  // One round's pages, read and mapped (fetch_round settles its writes).
  asio::awaitable<void> read_pages(window_run& wr);
  void add_family(window_run& wr, std::size_t target, const nlohmann::json& record);
  // Writes every target's pending batch inside the caller's transaction; the counts per target.
  std::vector<mysql::upsert_counts> write_pending(mysql::connection& conn, const window_run& wr) const;
  // A full refresh's checks before it deletes: true when the window's list
  // may replace the table (complete, every record mapped); throws
  // run_failure when the list is empty or far shorter than the last one.
  asio::awaitable<bool> full_refresh_deletes(window_run& wr, state::window_state st);
  asio::awaitable<void> commit(window_run& wr, state::window_state st, std::optional<std::chrono::sys_seconds> expected,
                               std::optional<std::chrono::sys_seconds> advance_to);
  // The verification pass (runner_verify.cpp): windows committed without a
  // data_count, read once more after plan.verify_after.
  asio::awaitable<void> verify_due(const run_request& request, std::uint64_t run_id, state::run_summary& summary);
  asio::awaitable<bool> verify_window(const state::window_record& due, std::uint64_t run_id,
                                      state::run_summary& summary);
  template <class F>
  asio::awaitable<std::invoke_result_t<F&, mysql::connection&>> with_retries(const char* what, F f);

  asio::any_io_executor executor_;
  mysql::pool& pool_;
  const job_plan& plan_;
  page_fetcher fetch_;
  wall_clock now_;
  run_observer observer_;
  state::job_locks* locks_;
  // The key of the progress being read in ferry's state tables: the job's
  // id, or "<job>@<value>" for one value of a for_each job (scoped_id), and
  // that value as JSON text (empty without for_each).
  std::string state_id_;
  std::string scope_value_;
  // A catch-up run reads with the calls live runs leave over.
  ratelimit::priority run_priority_ = ratelimit::priority::live;
  // Seeds each transaction's retry::patience (its jitter after a lock conflict).
  std::minstd_rand rng_{std::random_device{}()};
  // A job with one target (no children, no flattening, no id guard, no full
  // refresh) writes a window's batches concurrently (runner.cpp, flush).
  bool concurrent_writes_;
  // Written batches, emptied but keeping their arrays, for the next flushes.
  std::vector<sink::batch> spare_;
};

// The state key of one value of a for_each job: "<job>@<value>" (a string
// value without its quotes), or "<job prefix>@<hash>" past 64 characters.
std::string scoped_id(const std::string& job_id, const std::string& value_json);

// A record's row version (the cursor's field, e.g. `ts`): an integer, or a
// string of one; nullopt when missing or not one.
std::optional<std::int64_t> row_version(const nlohmann::json& record, const std::string& field);

// Thrown inside a run for a failure that ends it; the message is the run's error.
class run_failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ferry::sync
