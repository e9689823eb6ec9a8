#pragma once
// ferry's own tables in the target database: the watermark and pause flag of
// every job (ferry_jobs), the ledger of windows (ferry_windows), run history
// (ferry_runs), dead letters (ferry_dead_letters) and the source accounts'
// tokens (ferry_sources). Times are stored as Asia/Shanghai DATETIMEs, like
// the synced data, and handled as sys_seconds in code.
//
// Every change that moves progress checks what it expects to find (the old
// watermark), so two writers can never both advance a job: ferry must not
// assume it is the only instance. Blocking (pool threads); functions are
// thread-safe, a connection is not.
#include "ferry/core/window_state.hpp"
#include "ferry/mysql/connection.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ferry::state {

using sys_seconds = std::chrono::sys_seconds;

// Creates or upgrades the state tables (under a named lock). Idempotent.
void migrate(mysql::connection& conn);
constexpr int schema_version = 5;

struct job_state {
  std::string job_id;
  std::optional<sys_seconds> watermark;  // end of the last complete window
  bool paused = false;
  // A cursor job: where its next walk starts (rows whose version is at least
  // this), and the largest version a walk has seen.
  std::optional<std::int64_t> cursor;
  std::optional<std::int64_t> cursor_seen;
};

// Reads a job's row, creating it (no watermark, not paused) when missing.
job_state load_job(mysql::connection& conn, const std::string& job_id);

// Sets the pause flag; returns false when the job has no row.
bool set_paused(mysql::connection& conn, const std::string& job_id, bool paused);

// "complete", "incomplete" or "failed" (ferry/core/window_state.hpp).
using core::window_state;
using core::to_string;
using core::parse_window_state;

struct window_record {
  std::uint64_t id = 0;  // the ledger row's id (when read back)
  std::string job_id;
  std::uint64_t run_id = 0;
  sys_seconds start{};
  sys_seconds end{};
  window_state state = window_state::complete;
  std::uint64_t pages = 0;
  std::uint64_t fetched = 0;        // records received, repeats included
  std::uint64_t distinct_keys = 0;  // distinct record keys received
  std::optional<std::uint64_t> data_count;  // the API's count, when it gave one
  std::uint64_t inserted = 0, updated = 0, unchanged = 0, dead_letters = 0;
  std::uint64_t fetch_rounds = 1;   // 1 + re-fetches after a count shortfall
  std::string note;
  // The verification pass (windows the API gave no data_count for): when the
  // window is due to be read once more; then when it was, the distinct keys
  // that read saw and the rows only it found.
  std::optional<sys_seconds> verify_due;
  std::optional<sys_seconds> verified_at;
  std::optional<std::uint64_t> verified_keys;
  std::optional<std::uint64_t> verify_found;
  // A cursor walk: the cursor it read from and the one it left.
  std::optional<std::int64_t> cursor_start, cursor_end;
};

// Moves a cursor job's cursor from `expected` to `to` and records `seen`
// (the largest version seen), inside the caller's transaction with the
// walk's last rows. False when the cursor was not `expected`.
bool move_cursor(mysql::connection& conn, const std::string& job_id, std::optional<std::int64_t> expected,
                 std::int64_t to, std::int64_t seen);

// Records a window in the ledger and, when `advance_to` is set, moves the
// job's watermark from `expected` to it — inside the caller's transaction,
// which also holds the window's last batch. Returns false (and changes
// nothing the caller should keep) when the watermark was not `expected`.
bool commit_window(mysql::connection& conn, const window_record& window,
                   std::optional<sys_seconds> expected, std::optional<sys_seconds> advance_to);

std::vector<window_record> windows(mysql::connection& conn, const std::string& job_id,
                                   std::optional<window_state> state, std::size_t limit = 100);

// The ledger row run `run_id` committed for the window [start, end], if any:
// whether a commit whose answer was lost went through.
std::optional<window_record> find_window(mysql::connection& conn, const std::string& job_id, std::uint64_t run_id,
                                         sys_seconds start, sys_seconds end);

// The job's complete windows whose verification is due at `now` and not
// done, oldest first, at most `limit`.
std::vector<window_record> windows_due_for_verification(mysql::connection& conn, const std::string& job_id,
                                                        sys_seconds now, std::size_t limit);
// Records a window's verification (inside the caller's transaction, with the
// verification's last batch). False when it was recorded already (another
// run verified it meanwhile: the caller still commits its rows, upserts like
// any, and counts nothing).
bool record_verification(mysql::connection& conn, std::uint64_t window_id, sys_seconds at,
                         std::uint64_t verified_keys, std::uint64_t found);
// Moves an unverified window's verification to `due` (its read failed).
void postpone_verification(mysql::connection& conn, std::uint64_t window_id, sys_seconds due);
// Whether the window's verification is recorded (a commit whose answer was lost).
bool is_verified(mysql::connection& conn, std::uint64_t window_id);

// Incomplete windows that no later complete window (a re-run or backfill)
// has covered since: what an operator still has to look at.
std::uint64_t open_incomplete_windows(mysql::connection& conn, const std::string& job_id);
// Whether the job has a successful run (a for_each job waits for the job filling its values).
bool has_succeeded(mysql::connection& conn, const std::string& job_id);
// What the job's last successful run fetched (for a full refresh: the length
// of the list it wrote); nullopt when no run of the job succeeded.
std::optional<std::uint64_t> last_success_fetched(mysql::connection& conn, const std::string& job_id);

enum class run_kind { scheduled, manual, once, backfill, catch_up };
std::string_view to_string(run_kind k);
// Backfills and catch-ups re-read the past: they say nothing of the live
// data's freshness. The second form takes ferry_runs.kind's spelling.
bool rereads_past(run_kind k);
bool rereads_past(std::string_view kind);

struct run_summary {
  std::uint64_t windows = 0, incomplete_windows = 0, pages = 0, fetched = 0;
  std::uint64_t inserted = 0, updated = 0, unchanged = 0, dead_letters = 0;
  std::uint64_t retries = 0, throttles = 0;
  // The verification pass: windows read once more, and rows only those reads
  // found (in the logs, metrics and --once summary; the ledger has them per window).
  std::uint64_t verified_windows = 0, verify_found = 0;
  std::uint64_t skipped = 0;  // records the job's filter kept out
  // Rows deleted: children their parent no longer lists, and a full
  // refresh's rows the list no longer has (logs and --once; not in ferry_runs).
  std::uint64_t deleted = 0;
  std::uint64_t marked = 0;  // a full refresh's rows marked instead of deleted (full_refresh.mark)
  std::string error;  // empty on success
  // Ended by a shutdown between windows (error says so): recorded as
  // 'interrupted', not 'failed', so a deploy pages no one; the next run goes
  // on from the watermark.
  bool interrupted = false;
};
// How the run ended, as ferry_runs.state spells it: "success", "failed" or "interrupted".
std::string_view end_state(const run_summary& s);

std::uint64_t start_run(mysql::connection& conn, const std::string& job_id, run_kind kind,
                        sys_seconds range_start, sys_seconds range_end);
void finish_run(mysql::connection& conn, std::uint64_t run_id, const run_summary& summary);
// Marks runs left 'running' by a process that stopped before they ended as
// failed; returns how many. Call at start-up, before this process runs the job.
std::uint64_t close_abandoned_runs(mysql::connection& conn, const std::string& job_id);

struct run_record {
  std::uint64_t id = 0;
  std::string job_id;
  std::string kind;
  std::string state;  // queued, running, success, failed
  sys_seconds range_start{}, range_end{};
  sys_seconds started_at{};
  std::optional<sys_seconds> finished_at;
  run_summary summary;
};
// The job's latest runs, newest first.
std::vector<run_record> runs(mysql::connection& conn, const std::string& job_id, std::size_t limit);

struct dead_letter {
  std::uint64_t page = 0;
  std::string record;  // the raw record JSON
  std::string error;
};
void add_dead_letters(mysql::connection& conn, const std::string& job_id, std::uint64_t run_id,
                      sys_seconds window_start, sys_seconds window_end, const std::vector<dead_letter>& letters);

struct source_tokens {
  std::string access_token;
  std::string refresh_token;
  std::optional<sys_seconds> expires_at;
  std::optional<sys_seconds> issued_at;  // when ferry got them: their lifetime is expires_at - issued_at
};
// The account's stored tokens; `for_update` locks the row (inside the caller's transaction).
std::optional<source_tokens> load_tokens(mysql::connection& conn, const std::string& source, const std::string& app_key,
                                         bool for_update = false);
void save_tokens(mysql::connection& conn, const std::string& source, const std::string& app_key,
                 const source_tokens& tokens);
// Stores `tokens` unless the account has a row already.
void insert_tokens_if_missing(mysql::connection& conn, const std::string& source, const std::string& app_key,
                              const source_tokens& tokens);

}  // namespace ferry::state
