// The verification pass. Where the API gives no data_count (the documented
// unique-code flow query answers bare arrays), a window's first read cannot
// be checked: a row that appears in it after the read, past the lookback of
// later runs, would never be fetched. So a live run reads each such window
// once more after plan.verify_after, at the limiter's lowest priority (only
// calls no live page waits for), upserts what it finds (idempotent as ever),
// and records in the ledger row the distinct keys of that read and the rows
// only it found (the ones its upserts inserted).
#include "ferry/core/time.hpp"
#include "ferry/sync/runner.hpp"

#include "window_run.hpp"

namespace ferry::sync {
using detail::logger;
using detail::show;

asio::awaitable<void> runner::verify_due(const run_request& request, std::uint64_t run_id,
                                         state::run_summary& summary) {
  // A guarded job (no key of its table) writes nothing, so has nothing to verify.
  if (!plan_.verify_after || plan_.guard) co_return;
  const auto now = now_();
  const auto due = co_await with_retries("reading the windows due for verification", [&](mysql::connection& conn) {
    return state::windows_due_for_verification(conn, state_id_, now, plan_.verify_windows_per_run);
  });
  const auto started = std::chrono::steady_clock::now();
  for (const auto& window : due) {
    if (request.stop != nullptr && request.stop->load()) co_return;
    // The pass never holds the job's next live run back for long.
    if (std::chrono::steady_clock::now() - started > plan_.verify_budget) {
      logger()->info("job={} verification stops for this run after {}s; the rest is due next run", plan_.job_id,
                     std::chrono::duration_cast<std::chrono::seconds>(plan_.verify_budget).count());
      co_return;
    }
    if (co_await verify_window(window, run_id, summary)) continue;
    // A read that fails (the API refuses, retries run out) puts its window
    // back by verify_after, so that one window that cannot be read does not
    // stop the others; the live data is committed, the run goes on.
    const auto later = now_() + *plan_.verify_after;
    co_await with_retries("postponing a window's verification", [&](mysql::connection& conn) {
      state::postpone_verification(conn, window.id, later);
      return 0;
    });
    co_return;
  }
}

asio::awaitable<bool> runner::verify_window(const state::window_record& due, std::uint64_t run_id,
                                            state::run_summary& summary) {
  window_run wr;
  wr.w = {due.start, due.end};
  wr.run_id = run_id;
  wr.priority = ratelimit::priority::verify;
  wr.pending.resize(plan_.targets.size());
  wr.scratch.resize(plan_.targets.size());
  wr.rounds = 1;
  std::string failure;
  try {
    co_await fetch_round(wr);
  } catch (const run_failure& e) {
    failure = e.what();
  }
  summary.retries += wr.retries;
  summary.throttles += wr.throttles;
  if (!failure.empty()) {
    logger()->error("job={} window=\"{}\" verification read failed, left for the next run: {}", plan_.job_id, show(wr.w),
                    failure);
    co_return false;
  }
  co_await check_lock();
  const auto verified_keys = wr.distinct();
  const auto at = now_();
  bool again = false, recorded = false;
  std::uint64_t found = 0;
  const auto tail = co_await with_retries("committing a window's verification", [&](mysql::connection& conn) {
    // A commit whose answer was lost may have gone through: then the ledger says so.
    if (again && state::is_verified(conn, due.id)) return std::vector<mysql::upsert_counts>{};
    again = true;
    conn.begin();
    try {
      const auto per_target = write_pending(conn, wr);
      // Rows only this read found: the ones its upserts had to insert.
      found = plan_.key_target ? wr.key_inserted + per_target[*plan_.key_target].inserted : 0;
      // Another run may have verified the window meanwhile: the rows are
      // written all the same (upserts), only the ledger keeps the first record.
      recorded = state::record_verification(conn, due.id, at, verified_keys, found);
      if (recorded) state::add_dead_letters(conn, state_id_, run_id, wr.w.start, wr.w.end, wr.dead);
      conn.commit();
      return per_target;
    } catch (...) {
      conn.rollback();
      throw;
    }
  });
  for (std::size_t t = 0; t < tail.size(); ++t)
    if (observer_.rows_written) observer_.rows_written(plan_.targets[t].table.table, tail[t]);
  if (!recorded) co_return true;
  summary.verified_windows += 1;
  summary.verify_found += found;
  summary.pages += wr.pages;
  summary.fetched += wr.fetched;
  if (observer_.window_verified) observer_.window_verified(found);
  if (found > 0)
    logger()->warn("job={} window=\"{}\" verification found {} rows the first read ({} distinct keys) missed; "
                   "they are written now",
                   plan_.job_id, show(wr.w), found, due.distinct_keys);
  else
    logger()->info("job={} window=\"{}\" verified: {} distinct keys, nothing new", plan_.job_id, show(wr.w),
                   verified_keys);
  co_return true;
}

}  // namespace ferry::sync
