// A job read by a row-version cursor: the documented `start_ts` ("ts时间戳，
// sql server中的行版本号 ... 查询条件值是大于等于的关系"), which the platform
// recommends over time windows because paging by time "会由于排序问题引发
// 分页查询漏单".
//
// A walk reads every page of the rows whose version (`ts`) is at least the
// job's cursor. No source says the rows come sorted by version, so nothing
// here assumes it, and offset paging over rows that change while they are
// paged can skip one. So a walk is proved before its cursor moves:
//   - where the endpoint gives data_count (is_get_total), by the count check
//     windows use: the distinct keys received cover the count, else the walk
//     is read again (rows only ever enter the set "version >= cursor": a
//     changed row gets a larger version);
//   - where it gives none, by walking again: a walk of one page is one query
//     and cannot skip; else a later walk must read every key the earlier
//     ones missed at a version at or below the cursor's candidate (none),
//     and no version above the largest they saw: a row skipped because
//     another moved while pages were read shows as such a version, since
//     every change gives a version larger than all before it. (A row
//     deleted upstream mid-walk can shift others unseen; a count would not
//     see that either.) Under steady change the second walk rarely
//     qualifies, so the cursor waits while rows keep being written: prefer
//     the count where there is one.
// The cursor then moves, in the transaction of the walk's last rows, to the
// largest version that was certainly already there when the walk began: the
// largest a previous walk saw (ts_seen), or the largest on the walk's first
// page. Every row changed during or after the walk gets a larger version, so
// the next walk reads its newest copy; every row at or below the new cursor
// was there, unchanged, for the whole walk, and the proof says it was read.
// Moving the cursor to the largest version seen instead would skip the new
// copy of a row read early in the walk and changed before a later page
// showed a larger version. The cost: rows changed between two runs are read
// by both (docs/configuration.md, "Cursor").
#include "ferry/core/time.hpp"
#include "ferry/sync/runner.hpp"

#include "window_run.hpp"

#include <algorithm>
#include <charconv>

namespace ferry::sync {
using detail::logger;

std::optional<std::int64_t> row_version(const nlohmann::json& record, const std::string& field) {
  const auto it = record.find(field);
  if (it == record.end()) return std::nullopt;
  if (it->is_number_integer()) {
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      return std::nullopt;
    return it->get<std::int64_t>();
  }
  if (!it->is_string()) return std::nullopt;
  const auto& text = it->get_ref<const std::string&>();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

asio::awaitable<void> runner::process_walk(const state::job_state& job, std::uint64_t run_id,
                                           state::run_summary& summary) {
  const auto& cursor = *plan_.cursor;
  window_run wr;
  const auto started = now_();
  wr.w = {started, started};
  wr.run_id = run_id;
  wr.live = true;
  wr.cursor = job.cursor.value_or(cursor.start);
  wr.cursor_expected = job.cursor;
  wr.pending.resize(plan_.targets.size());
  wr.scratch.resize(plan_.targets.size());
  const auto field = cursor.field + "=" + std::to_string(*wr.cursor);
  const window_rules rules{plan_.refetch_rounds, plan_.dead_letter_max_ratio};
  window_verdict verdict = window_verdict::complete;
  for (int round = 1;; ++round) {
    wr.rounds = static_cast<std::uint64_t>(round);
    wr.keys_before.insert(wr.round_keys.begin(), wr.round_keys.end());
    wr.round_keys.clear();
    wr.max_before = wr.max_version;
    wr.new_below = 0;
    wr.above_before = 0;
    wr.no_version = 0;
    const auto pages_before = wr.pages;
    co_await fetch_round(wr);
    if (round == 1)
      wr.candidate = std::max({*wr.cursor, job.cursor_seen.value_or(*wr.cursor), wr.first_page_max.value_or(*wr.cursor)});
    const auto distinct = wr.distinct();
    // Unproved: short of the count; or, with no count, a first walk of more
    // than one page, or a later one that found what the earlier ones
    // skipped or saw rows move while it paged.
    const bool unproved = wr.data_count ? distinct < *wr.data_count
                          : round == 1  ? wr.pages - pages_before > 1
                                        : wr.new_below > 0 || wr.above_before > 0;
    // decide_window's rules (rounds, dead letters, page cap), with the proof standing in for the count.
    verdict = decide_window({round, distinct, unproved ? std::optional<std::uint64_t>{distinct + 1} : distinct,
                             wr.page_cap_hit, false, wr.fetched, wr.failed_records},
                            rules);
    if (verdict != window_verdict::refetch) break;
    if (wr.data_count)
      logger()->warn("job={} {} got {} distinct keys of data_count {}: walking again", plan_.job_id, field, distinct,
                     *wr.data_count);
    else if (round == 1)
      logger()->info("job={} {} read {} pages without a count: walking again to prove none was skipped",
                     plan_.job_id, field, wr.pages);
    else
      logger()->warn("job={} {} walk {} found {} rows the walks before it skipped and {} changed since: walking again",
                     plan_.job_id, field, round, wr.new_below, wr.above_before);
  }
  if (wr.no_version > 0)
    logger()->warn("job={} {} {} record(s) carry no readable {}: they are written, and move no cursor", plan_.job_id,
                   field, wr.no_version, cursor.row_field);
  const bool too_many_dead = verdict == window_verdict::failed;
  const auto st = too_many_dead                           ? state::window_state::failed
                  : verdict == window_verdict::incomplete ? state::window_state::incomplete
                                                          : state::window_state::complete;
  // Where the cursor may go (see the top of this file): never back, never
  // past a version that was not there when the walk began.
  wr.cursor_to = st == state::window_state::complete ? wr.candidate : *wr.cursor;
  if (wr.page_cap_hit)
    logger()->error("job={} {} stopped at the page cap of {} pages: the cursor stays", plan_.job_id, field,
                    plan_.max_pages);
  else if (st == state::window_state::incomplete)
    logger()->error("job={} {} not proved complete after {} walks: rows are written, the cursor stays", plan_.job_id,
                    field, wr.rounds);
  co_await commit(wr, st, std::nullopt, std::nullopt);

  wr.add_to(summary, st);
  logger()->info("job={} {} state={} cursor_to={} max_seen={} walks={} pages={} fetched={} distinct={} data_count={} "
                 "inserted={} updated={} unchanged={} deleted={} dead_letters={} skipped={}",
                 plan_.job_id, field, state::to_string(st), wr.cursor_to,
                 wr.max_version ? std::to_string(*wr.max_version) : std::string{"-"}, wr.rounds, wr.pages, wr.fetched,
                 wr.key_hashes.size() + wr.uncounted_dead + wr.skipped,
                 wr.data_count ? std::to_string(*wr.data_count) : std::string{"-"}, wr.counts.inserted,
                 wr.counts.updated, wr.counts.unchanged, wr.counts.deleted, wr.dead.size(), wr.skipped);
  if (too_many_dead)
    throw run_failure(std::to_string(wr.failed_records) + " of " + std::to_string(wr.fetched) + " records of the " +
                      wr.where(cursor.field) + " could not be transformed (over dead_letter_max_ratio " +
                      std::to_string(plan_.dead_letter_max_ratio) + "); see ferry_dead_letters");
}

}  // namespace ferry::sync
