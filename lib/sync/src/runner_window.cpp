// The window-level half of runner: count checks, re-fetch and halving, the
// committing transaction, and the run around the windows.
#include "ferry/core/time.hpp"
#include "ferry/sync/runner.hpp"

#include "window_run.hpp"

#include <fmt/format.h>

namespace ferry::sync {
using std::chrono::sys_seconds;
using detail::logger;
using detail::show;

std::vector<mysql::upsert_counts> runner::write_pending(mysql::connection& conn, const window_run& wr) const {
  std::vector<mysql::upsert_counts> per_target;
  for (std::size_t t = 0; t < wr.pending.size(); ++t)
    per_target.push_back(plan_.targets[t].writer->write(conn, wr.pending[t]));
  return per_target;
}

asio::awaitable<bool> runner::full_refresh_deletes(window_run& wr, state::window_state st) {
  if (st != state::window_state::complete) {
    logger()->warn("job={} run={} the list was not read complete: no row is deleted this run", plan_.job_id, wr.run_id);
    co_return false;
  }
  if (!wr.dead.empty()) {
    logger()->warn("job={} run={} the list has {} record(s) ferry could not write: the rows they stand for might be "
                   "deleted, so no row is deleted this run",
                   plan_.job_id, wr.run_id, wr.dead.size());
    co_return false;
  }
  // Records of the list (those the job's filter keeps out too, as ferry_runs.fetched
  // counts them), and the rows they give the table.
  const auto listed = wr.distinct();
  const auto kept = listed - wr.skipped - wr.uncounted_dead;
  const auto& rules = *plan_.full_refresh;
  if (kept == 0 && !rules.allow_empty)
    throw run_failure("the list came back empty: nothing was written or deleted (an empty answer is more often an "
                      "error upstream than an empty list; set full_refresh.allow_empty to let it empty the table)");
  const auto last = co_await with_retries("reading the last list's length", [this](mysql::connection& conn) {
    return state::last_success_fetched(conn, plan_.job_id);
  });
  if (last && *last > 0 && static_cast<double>(listed) < rules.min_ratio * static_cast<double>(*last))
    throw run_failure("the list has " + std::to_string(listed) + " records, fewer than full_refresh.min_ratio (" +
                      fmt::format("{}", rules.min_ratio) + ") of the " + std::to_string(*last) +
                      " the last successful run read: nothing was written or deleted. If the list really shrank, "
                      "lower min_ratio for one run");
  co_return true;
}

asio::awaitable<void> runner::commit(window_run& wr, state::window_state st, std::optional<sys_seconds> expected,
                                     std::optional<sys_seconds> advance_to) {
  if (plan_.guard) throw run_failure(plan_.guard->no_key_error);
  const bool prune_list = plan_.full_refresh && co_await full_refresh_deletes(wr, st);
  co_await check_lock();
  // A connection lost during COMMIT leaves its outcome unknown. If it went
  // through, the ledger holds this run's row for the window: doing it again
  // would meet the watermark it moved (and fail the run as if a second
  // ferryd wrote) and record the dead letters twice.
  bool again = false;
  std::optional<state::window_record> done_before;
  std::uint64_t marked = 0;  // rows a full refresh marked, by the attempt that committed
  const auto tail = co_await with_retries("committing a window", [&](mysql::connection& conn) {
    if (again) {
      done_before = state::find_window(conn, state_id_, wr.run_id, wr.w.start, wr.w.end);
      if (done_before) return std::vector<mysql::upsert_counts>{};
    }
    again = true;
    conn.begin();
    try {
      auto per_target = write_pending(conn, wr);
      marked = 0;
      if (prune_list && !plan_.full_refresh->mark.empty())
        marked = plan_.targets.front().writer->mark_missing(conn, wr.snapshot_keys, plan_.full_refresh->mark,
                                                           core::format_shanghai_datetime(now_()));
      else if (prune_list)
        per_target.front().deleted += plan_.targets.front().writer->delete_missing(conn, wr.snapshot_keys);
      else if (plan_.full_refresh && !plan_.full_refresh->mark.empty())
        plan_.targets.front().writer->unmark_listed(conn, wr.snapshot_keys, plan_.full_refresh->mark);
      mysql::upsert_counts counts;
      for (const auto& c : per_target) {
        counts.inserted += c.inserted;
        counts.updated += c.updated;
        counts.unchanged += c.unchanged;
        counts.deleted += c.deleted;
      }
      state::add_dead_letters(conn, state_id_, wr.run_id, wr.w.start, wr.w.end, wr.dead);
      state::window_record rec;
      rec.job_id = state_id_;
      rec.run_id = wr.run_id;
      rec.start = wr.w.start;
      rec.end = wr.w.end;
      rec.state = st;
      rec.pages = wr.pages;
      rec.fetched = wr.fetched;
      rec.distinct_keys = wr.distinct();
      rec.data_count = wr.data_count;
      rec.inserted = wr.counts.inserted + counts.inserted;
      rec.updated = wr.counts.updated + counts.updated;
      rec.unchanged = wr.counts.unchanged + counts.unchanged;
      rec.dead_letters = wr.dead.size();
      rec.fetch_rounds = wr.rounds;
      // No count to check this window against: read it once more later.
      if (wr.live && !wr.data_count && plan_.verify_after && st == state::window_state::complete)
        rec.verify_due = now_() + *plan_.verify_after;
      if (wr.page_cap_hit) rec.note = "page cap of " + std::to_string(plan_.max_pages) + " pages reached";
      else if (st == state::window_state::incomplete)
        rec.note = "distinct keys " + std::to_string(rec.distinct_keys) + " < data_count " +
                   std::to_string(wr.data_count.value_or(0)) + " after " + std::to_string(wr.rounds) + " rounds";
      if (wr.cursor) {
        rec.cursor_start = wr.cursor;
        rec.cursor_end = wr.cursor_to;
        if (!state::move_cursor(conn, state_id_, wr.cursor_expected, wr.cursor_to,
                                wr.max_version.value_or(wr.cursor_to)))
          throw run_failure("the cursor of job " + plan_.job_id +
                            " was moved by another writer; is a second ferryd running this job?");
      }
      if (!state::commit_window(conn, rec, expected, advance_to))
        throw run_failure("the watermark of job " + plan_.job_id +
                          " was moved by another writer; is a second ferryd running this job?");
      conn.commit();
      return per_target;
    } catch (...) {
      conn.rollback();
      throw;
    }
  });
  if (done_before) {
    // Its ledger row holds the window's counts: the batches written before
    // the commit (already in wr.counts) plus the committed attempt's last ones.
    logger()->warn("job={} {} was committed before the connection dropped; not committing it again", plan_.job_id,
                   wr.log_field(plan_.cursor ? plan_.cursor->field : std::string{}));
    wr.counts.inserted = done_before->inserted;
    wr.counts.updated = done_before->updated;
    wr.counts.unchanged = done_before->unchanged;
  }
  wr.marked = done_before ? 0 : marked;
  for (std::size_t t = 0; t < tail.size(); ++t) {
    wr.counts.inserted += tail[t].inserted;
    wr.counts.updated += tail[t].updated;
    wr.counts.unchanged += tail[t].unchanged;
    wr.counts.deleted += tail[t].deleted;
    if (observer_.rows_written) observer_.rows_written(plan_.targets[t].table.table, tail[t]);
  }
  if (!wr.dead.empty()) {
    if (observer_.dead_letters) observer_.dead_letters(wr.dead.size());
    // The first one in the log, named by QEasy's number and name where the job has them.
    logger()->warn("job={} {} {} record(s) went to ferry_dead_letters, the first: {}", plan_.job_id,
                   wr.log_field(plan_.cursor ? plan_.cursor->field : std::string{}), wr.dead.size(),
                   wr.dead.front().error);
  }
  if (wr.skipped > 0 && observer_.records_skipped) observer_.records_skipped(wr.skipped);
  if (advance_to && observer_.watermark_moved) observer_.watermark_moved(*advance_to);
  for (auto& p : wr.pending) p.clear();
}

asio::awaitable<void> runner::process_window(window w, std::optional<sys_seconds>& watermark, bool advance,
                                             std::uint64_t run_id, state::run_summary& summary, int depth) {
  window_run wr;
  wr.w = w;
  wr.run_id = run_id;
  wr.live = advance;
  wr.pending.resize(plan_.targets.size());
  wr.scratch.resize(plan_.targets.size());
  const window_rules rules{plan_.refetch_rounds, plan_.dead_letter_max_ratio};
  window_verdict verdict = window_verdict::complete;
  for (int round = 1;; ++round) {
    wr.rounds = static_cast<std::uint64_t>(round);
    co_await fetch_round(wr);
    const auto distinct = wr.distinct();
    const bool can_halve = !plan_.full_refresh && depth == 0 && halve(w).size() == 2;  // a list has no time to halve
    verdict = decide_window({round, distinct, wr.data_count, wr.page_cap_hit, can_halve,
                             wr.fetched, wr.failed_records},
                            rules);
    if (verdict == window_verdict::refetch) {
      logger()->warn("job={} window=\"{}\" got {} distinct keys of data_count {}: fetching the window again",
                     plan_.job_id, show(w), distinct, *wr.data_count);
      continue;
    }
    if (verdict == window_verdict::halve) {
      logger()->warn("job={} window=\"{}\" still short ({} < {}): fetching it in two halves", plan_.job_id, show(w),
                     distinct, *wr.data_count);
      for (std::size_t t = 0; t < wr.pending.size(); ++t) co_await flush(wr, t);
      co_await settle_writes(wr);
      summary.retries += wr.retries;
      summary.throttles += wr.throttles;
      for (const auto& h : halve(w)) co_await process_window(h, watermark, advance, run_id, summary, depth + 1);
      co_return;
    }
    if (wr.page_cap_hit)
      logger()->error("job={} window=\"{}\" stopped at the page cap of {} pages", plan_.job_id, show(w), plan_.max_pages);
    else if (wr.data_count && distinct < *wr.data_count)
      logger()->error("job={} window=\"{}\" incomplete: {} distinct keys of data_count {} after {} rounds", plan_.job_id,
                      show(w), distinct, *wr.data_count, round);
    break;
  }
  const bool too_many_dead = verdict == window_verdict::failed;
  const auto st = too_many_dead                               ? state::window_state::failed
                  : verdict == window_verdict::incomplete ? state::window_state::incomplete
                                                          : state::window_state::complete;
  const bool moves = advance && !too_many_dead && (!watermark || w.end > *watermark);
  const auto advance_to = moves ? std::optional<sys_seconds>{w.end} : std::nullopt;
  co_await commit(wr, st, watermark, advance_to);
  if (advance_to) watermark = advance_to;

  wr.add_to(summary, st);
  logger()->info("job={} window=\"{}\" state={} pages={} fetched={} distinct={} data_count={} inserted={} updated={} "
                 "unchanged={} deleted={} marked={} dead_letters={} skipped={} rounds={}",
                 plan_.job_id, show(w), state::to_string(st), wr.pages, wr.fetched,
                 wr.key_hashes.size() + wr.uncounted_dead + wr.skipped,
                 wr.data_count ? std::to_string(*wr.data_count) : std::string{"-"}, wr.counts.inserted,
                 wr.counts.updated, wr.counts.unchanged, wr.counts.deleted, wr.marked, wr.dead.size(), wr.skipped,
                 wr.rounds);
  if (too_many_dead)
    throw run_failure(std::to_string(wr.failed_records) + " of " + std::to_string(wr.fetched) + " records in window " +
                      show(w) + " could not be transformed (over dead_letter_max_ratio " +
                      std::to_string(plan_.dead_letter_max_ratio) + "); see ferry_dead_letters");
}

asio::awaitable<state::lock_attempt> runner::take_lock(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto got = co_await with_retries("taking the job's lock",
                                     [this](mysql::connection&) { return locks_->try_take(plan_.job_id); });
    if (got.taken || std::chrono::steady_clock::now() >= deadline) co_return got;
    asio::steady_timer timer{executor_, std::chrono::milliseconds{250}};
    co_await timer.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> runner::check_lock() {
  if (locks_ == nullptr) co_return;
  const auto lost = co_await with_retries("checking the job's lock",
                                          [this](mysql::connection&) { return locks_->lost_to(plan_.job_id); });
  if (lost)
    throw run_failure("lost the job's lock " + locks_->name(plan_.job_id) + " to " + *lost +
                      " while this ferryd's lock session was cut; stopping so that one ferryd at a time runs the "
                      "job (the next run goes on from the watermark)");
}

asio::awaitable<run_result> runner::run(run_request request) {
  if (locks_ == nullptr) co_return co_await run_locked(std::move(request), false);
  const auto lock = co_await take_lock(request.lock_wait);
  if (!lock.taken) {
    // Who holds it, and the run it is on (as ferry_runs has it), for the
    // operator who started this one.
    const auto live = co_await with_retries("reading the job's runs", [this](mysql::connection& conn) {
      return state::runs(conn, plan_.job_id, 1);
    });
    run_result result;
    std::string text = "another ferryd is running job " + plan_.job_id + ": " +
                       locks_->name(plan_.job_id) + " is held by " + lock.holder;
    if (!live.empty() && live.front().state == "running")
      text += ", on run " + std::to_string(live.front().id) + " (" + live.front().kind + ", started " +
              core::format_shanghai_datetime(live.front().started_at) + ")";
    result.held_elsewhere = std::move(text);
    co_return result;
  }
  std::exception_ptr failure;
  run_result result;
  try {
    result = co_await run_locked(std::move(request), lock.first);
  } catch (...) {
    failure = std::current_exception();
  }
  co_await pool_.run([this](mysql::connection&) {
    locks_->release(plan_.job_id);
    return 0;
  });
  if (failure) std::rethrow_exception(failure);
  co_return result;
}

asio::awaitable<void> runner::run_scope(const run_request& request, const state::job_state& job,
                                         std::optional<range> covered, std::uint64_t run_id,
                                         state::run_summary& summary) {
  const bool live = !request.explicit_range;
  if (request.stop != nullptr && request.stop->load()) {
    summary.interrupted = true;
    throw run_failure(std::string{"interrupted by shutdown before "} + (plan_.cursor ? "the walk" : "the next window") +
                      "; the next run goes on from there");
  }
  if (plan_.cursor) {
    if (!live)
      throw run_failure("job " + plan_.job_id + " reads by its " + plan_.cursor->field +
                        " cursor: it has no time range to backfill (each run reads every row changed since the "
                        "cursor)");
    co_await process_walk(job, run_id, summary);
    co_return;
  }
  if (!covered) covered = live_range(plan_.windows, job.watermark, now_());
  if (!covered) co_return;  // nothing to do yet for this value
  auto watermark = job.watermark;
  const auto windows = plan_.full_refresh ? std::vector<window>{window{covered->start, covered->end}}
                                          : split_range(*covered, plan_.windows.max_span);
  for (const auto& w : windows) {
    if (request.stop != nullptr && request.stop->load()) {
      summary.interrupted = true;
      throw run_failure("interrupted by shutdown before window " + show(w) + "; the next run goes on from there");
    }
    co_await process_window(w, watermark, live, run_id, summary, 0);
  }
  if (live) co_await verify_due(request, run_id, summary);
}

asio::awaitable<std::vector<std::string>> runner::for_each_values() {
  const auto& each = *plan_.for_each;
  if (!each.after.empty()) {
    const bool ran = co_await with_retries("reading the runs of the job it waits for", [&](mysql::connection& conn) {
      return state::has_succeeded(conn, each.after);
    });
    if (!ran)
      throw run_failure("waits for job " + each.after + (each.table.empty() ? "" : ", which fills " + each.table) +
                        ": it has not run successfully yet");
  }
  std::vector<std::string> out;
  for (const auto& v : each.values) out.push_back(v.dump());
  if (each.values.empty()) {
    out = co_await with_retries("reading the values of for_each", [&](mysql::connection& conn) {
      std::vector<std::string> texts;
      for (const auto& row : conn.query("SELECT DISTINCT `" + each.column + "` FROM `" + each.table + "` WHERE `" +
                                        each.column + "` IS NOT NULL ORDER BY 1"))
        if (row[0]) texts.push_back(*row[0]);
      return texts;
    });
    // A whole number is sent as a number (wms_co_id is an Integer), other
    // text as a string: "007" keeps its zeros, as a code would.
    for (auto& text : out) {
      const auto digits = std::string_view{text}.substr(!text.empty() && text[0] == '-' ? 1 : 0);
      const bool whole = !digits.empty() && digits.size() < 19 && (digits == "0" || digits[0] != '0') &&
                         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                         text != "-0";
      if (!whole) text = nlohmann::json(text).dump();
    }
    if (out.empty())
      logger()->warn("job={} {}.{} holds no value yet: nothing to read", plan_.job_id, each.table, each.column);
  }
  co_return out;
}

std::string scoped_id(const std::string& job_id, const std::string& value) {
  // ferry_jobs.job_id is at most 64 characters: a long value is named by its hash.
  std::string plain = value;
  if (plain.size() >= 2 && plain.front() == '"') plain = nlohmann::json::parse(plain).get<std::string>();
  auto id = job_id + "@" + plain;
  if (id.size() <= 64) return id;
  return fmt::format("{}@{:016x}", job_id.substr(0, 46), std::hash<std::string>{}(job_id + "@" + plain));
}

asio::awaitable<run_result> runner::run_locked(run_request request, bool first_take) {
  const auto started = std::chrono::steady_clock::now();
  run_result result;
  if (first_take) {
    // Every live run of this job holds its lock, so one still marked
    // running now was left by a process that ended (SIGKILL, power loss).
    const auto abandoned = co_await with_retries("closing abandoned runs", [this](mysql::connection& conn) {
      return state::close_abandoned_runs(conn, plan_.job_id);
    });
    if (abandoned > 0)
      logger()->warn("job={} marked {} run(s) left running by an ended process as failed", plan_.job_id, abandoned);
  }
  state_id_ = plan_.job_id;
  scope_value_.clear();
  const auto job = co_await with_retries("loading the job's state", [this](mysql::connection& conn) {
    return state::load_job(conn, plan_.job_id);
  });
  const bool live = !request.explicit_range;
  result.covered = live ? live_range(plan_.windows, job.watermark, now_()) : request.explicit_range;
  if (plan_.for_each) {
    // Each value has its own progress: the run's row says when it ran, or the range it was given.
    const auto now = now_();
    result.covered = live ? range{now, now} : *request.explicit_range;
  }
  if (plan_.full_refresh) {
    // One window from the last list's time to now: its rows are the whole list, whatever the range asked.
    const auto now = now_();
    result.covered = range{job.watermark && *job.watermark < now ? *job.watermark : now - std::chrono::seconds{1}, now};
  }
  if (plan_.cursor && live) {
    // A walk has no time range: the run's row says when it ran.
    const auto now = now_();
    result.covered = range{now, now};
  }
  if (!result.covered) {
    result.nothing_to_do = true;
    co_return result;
  }
  const auto covered = *result.covered;
  run_priority_ = request.kind == state::run_kind::catch_up ? ratelimit::priority::verify : ratelimit::priority::live;
  result.run_id = co_await with_retries("recording the run", [&](mysql::connection& conn) {
    return state::start_run(conn, plan_.job_id, request.kind, covered.start, covered.end);
  });
  if (plan_.for_each)
    logger()->info("job={} run={} for each {}", plan_.job_id, result.run_id, plan_.for_each->field);
  else if (plan_.cursor)
    logger()->info("job={} run={} {}={}", plan_.job_id, result.run_id, plan_.cursor->field,
                   job.cursor.value_or(plan_.cursor->start));
  else
    logger()->info("job={} run={} range=\"{}\" watermark=\"{}\"", plan_.job_id, result.run_id,
                   show({covered.start, covered.end}),
                   job.watermark ? core::format_shanghai_datetime(*job.watermark) : std::string{"none"});
  try {
    if (plan_.for_each) {
      const auto values = co_await for_each_values();
      // A value that fails does not hold up the others: each is read, and
      // the run fails at the end naming those that failed.
      std::vector<std::string> failed;
      for (const auto& value : values) {
        scope_value_ = value;
        state_id_ = scoped_id(plan_.job_id, value);
        const auto scope = co_await with_retries("loading the value's state", [this](mysql::connection& conn) {
          return state::load_job(conn, state_id_);
        });
        logger()->info("job={} run={} {}={} state_id={}", plan_.job_id, result.run_id, plan_.for_each->field, value,
                       state_id_);
        try {
          co_await run_scope(request, scope, live ? std::nullopt : request.explicit_range, result.run_id,
                             result.summary);
        } catch (const run_failure& e) {
          if (result.summary.interrupted) throw;
          logger()->error("job={} run={} {}={} failed: {}", plan_.job_id, result.run_id, plan_.for_each->field, value,
                          e.what());
          failed.push_back(plan_.for_each->field + "=" + value + ": " + e.what());
        }
      }
      state_id_ = plan_.job_id;
      scope_value_.clear();
      if (!failed.empty())
        throw run_failure(std::to_string(failed.size()) + " of " + std::to_string(values.size()) +
                          " values failed (the others were read): " + fmt::format("{}", fmt::join(failed, "; ")));
    } else {
      co_await run_scope(request, job, covered, result.run_id, result.summary);
    }
    if (request.kind == state::run_kind::catch_up) {
      if (result.summary.inserted > 0)
        logger()->warn("job={} run={} catch-up found {} rows the live runs had not written; they are written now",
                       plan_.job_id, result.run_id, result.summary.inserted);
      else
        logger()->info("job={} run={} catch-up found nothing the live runs missed", plan_.job_id, result.run_id);
    }
  } catch (const std::exception& e) {
    result.summary.error = e.what();
    logger()->error("job={} run={} failed: {}", plan_.job_id, result.run_id, e.what());
  }
  try {
    co_await with_retries("recording the run's end", [&](mysql::connection& conn) {
      state::finish_run(conn, result.run_id, result.summary);
      return 0;
    });
  } catch (const std::exception& e) {
    logger()->error("job={} run={} could not record its end: {}", plan_.job_id, result.run_id, e.what());
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  co_return result;
}

}  // namespace ferry::sync
