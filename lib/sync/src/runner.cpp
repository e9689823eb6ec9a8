#include "ferry/sync/runner.hpp"

#include "window_run.hpp"

#include "ferry/core/time.hpp"
#include "ferry/json/exact.hpp"
#include "ferry/sink/table.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ferry::sync {
namespace {

using std::chrono::sys_seconds;
using source::jushuitan::page;
using detail::logger;
using detail::show;

// Whether paging goes on after page `index`: never after a short page, then
// as has_next says, else as page_count says, else (a full page, no paging
// fields) maybe.
bool continues(const page& p, std::uint64_t index, std::uint32_t page_size) {
  if (p.size() < page_size) return false;
  if (p.has_next) return *p.has_next;
  if (p.page_count) return index < *p.page_count;
  return true;
}

std::uint64_t key_hash(const std::vector<transform::value>& values, const std::vector<std::size_t>& columns) {
  thread_local std::string joined;  // reused: no allocation per row
  joined.clear();
  for (auto c : columns) {
    joined += values[c] ? *values[c] : std::string{"\x01NULL"};
    joined += '\x1f';
  }
  return std::hash<std::string>{}(joined);
}

// Runs `n` copies of `body` concurrently on `ex` and waits for all of them;
// rethrows the first failure once every copy has ended.
asio::awaitable<void> run_concurrently(asio::any_io_executor ex, std::size_t n,
                                       std::function<asio::awaitable<void>()> body) {
  std::size_t remaining = n;
  std::exception_ptr first;
  asio::steady_timer all_done{ex, asio::steady_timer::time_point::max()};
  for (std::size_t i = 0; i < n; ++i)
    asio::co_spawn(ex, body(), [&](std::exception_ptr e) {
      if (e && !first) first = e;
      if (--remaining == 0) all_done.cancel();
    });
  if (remaining > 0) {
    boost::system::error_code ec;
    co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (first) std::rethrow_exception(first);
}

}  // namespace

// A page fetch started ahead of its turn, awaited later.
class runner::prefetch {
 public:
  static std::shared_ptr<prefetch> start(asio::any_io_executor ex, asio::awaitable<page> fetch) {
    auto self = std::make_shared<prefetch>(ex);
    asio::co_spawn(ex, std::move(fetch), [self](std::exception_ptr e, page p) {
      self->error_ = e;
      if (!e) self->value_ = std::move(p);
      self->ended_.set();
    });
    return self;
  }

  explicit prefetch(asio::any_io_executor ex) : ended_(ex) {}

  // Waits for the fetch to end, whatever its outcome.
  asio::awaitable<void> settle() { co_await ended_.wait(); }

  // The page, or the fetch's failure rethrown.
  asio::awaitable<page> take() {
    co_await ended_.wait();
    if (error_) std::rethrow_exception(error_);
    co_return std::move(*value_);
  }

 private:
  done_signal ended_;
  std::exception_ptr error_;
  std::optional<page> value_;
};

std::chrono::sys_seconds system_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}


runner::runner(asio::any_io_executor ex, mysql::pool& pool, const job_plan& plan, page_fetcher fetch, wall_clock now,
               run_observer observer, state::job_locks* locks)
    : executor_(ex),
      pool_(pool),
      plan_(plan),
      fetch_(std::move(fetch)),
      now_(std::move(now)),
      observer_(std::move(observer)),
      locks_(locks),
      // (A full refresh writes its list in the commit's transaction, never in flushes.)
      concurrent_writes_(plan.targets.size() == 1 && !plan.targets[0].parent && plan.key_target == std::size_t{0} &&
                         plan.flatten.empty() && !plan.guard && !plan.full_refresh && pool.size() > 1) {}

asio::awaitable<void> runner::prepare() {
  co_await with_retries("preparing tables", [this](mysql::connection& conn) {
    state::migrate(conn);
    for (const auto& t : plan_.targets) {
      const auto result = sink::prepare_table(conn, t.table, t.create_table);
      if (result.created) logger()->info("job={} created table {}", plan_.job_id, t.table.table);
      for (const auto& c : result.added_columns)
        logger()->info("job={} added column {}.{}", plan_.job_id, t.table.table, c);
      for (const auto& w : result.warnings) logger()->warn("job={} {}", plan_.job_id, w);
      if (!t.table.parent_key.empty())
        logger()->info("job={} table {} follows its parent ({}): rows a newer copy no longer lists are deleted",
                       plan_.job_id, t.table.table, fmt::join(t.table.parent_key, ","));
    }
    if (plan_.full_refresh && !plan_.full_refresh->mark.empty()) {
      // The mark column is ferry's: added when missing, never filled from the list.
      const auto& table = plan_.targets.front().table.table;
      std::string sql = "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ";
      conn.append_quoted(sql, table);
      sql += " AND COLUMN_NAME = ";
      conn.append_quoted(sql, plan_.full_refresh->mark);
      const auto rows = conn.query(sql);
      if (rows.empty() || rows[0][0].value_or("0") == "0") {
        conn.execute("ALTER TABLE " + mysql::quote_identifier(table) + " ADD COLUMN " +
                     mysql::quote_identifier(plan_.full_refresh->mark) +
                     " DATETIME NULL COMMENT 'when the row left the upstream list (ferry full_refresh.mark), "
                     "Asia/Shanghai; NULL while listed'");
        logger()->info("job={} added column {}.{} (full_refresh.mark)", plan_.job_id, table, plan_.full_refresh->mark);
      }
    }
    return 0;
  });
}

asio::awaitable<page> runner::fetch_page(window_run& wr, std::uint64_t page_index) {
  if (wr.priority == ratelimit::priority::live && run_priority_ != ratelimit::priority::live) wr.priority = run_priority_;
  if (wr.request.is_null()) {
    // Rendered once per round: only the page fields differ from page to page.
    auto biz = plan_.request.render({wr.w.start, wr.w.end, now_()});
    if (!scope_value_.empty()) biz[plan_.for_each->field] = nlohmann::ordered_json::parse(scope_value_);
    if (wr.cursor) {
      biz[plan_.cursor->field] = *wr.cursor;
      if (!plan_.cursor->count_field.empty()) biz[plan_.cursor->count_field] = plan_.cursor->count;
    }
    wr.request = ferry::json::parse_exact(biz.dump());
  }
  auto plain = wr.request;
  plain["page_index"] = page_index;
  plain["page_size"] = plan_.page_size;
  auto result = co_await fetch_(plan_.api, plain, plan_.list_key, wr.priority);
  const auto retries = static_cast<std::uint64_t>(std::max(0, result.attempts - 1));
  wr.retries += retries;
  if (retries > 0 && observer_.retried) observer_.retried(retries);
  wr.throttles += static_cast<std::uint64_t>(result.throttles);
  if (!result.value) {
    wr.failed = true;
    throw run_failure(wr.where(plan_.cursor ? plan_.cursor->field : std::string{}) + " page " +
                      std::to_string(page_index) + ": " + result.error);
  }
  if (wr.cursor && !plan_.cursor->count) {
    // Asked for no count (is_get_total=false): whatever count fields come
    // back (the platform's answer is not documented; 0 is possible) say
    // nothing, and a page_count of 0 must not end the paging.
    result.value->data_count.reset();
    result.value->page_count.reset();
  }
  co_return std::move(*result.value);
}

// A record's number and name as QEasy showed them, for its dead letter.
std::string runner::named(const nlohmann::json& record) const {
  std::string out;
  for (const auto* field : {&plan_.number_field, &plan_.name_field}) {
    if (field->empty() || (field == &plan_.name_field && *field == plan_.number_field)) continue;
    const auto it = record.find(*field);
    if (it == record.end()) continue;
    out += *field + "=" + (it->is_string() ? it->get<std::string>() : it->dump()) + " ";
  }
  return out.empty() ? out : out.substr(0, out.size() - 1) + ": ";
}

// What identifies a source record before it is flattened: QEasy's id where
// the job has one, else the whole record.
std::uint64_t runner::record_hash(const nlohmann::json& record) const {
  if (!plan_.record_id_field.empty())
    if (const auto it = record.find(plan_.record_id_field); it != record.end() && !it->is_null())
      return std::hash<std::string>{}("id\x1f" + ferry::json::dump_exact(*it));
  return std::hash<std::string>{}(ferry::json::dump_exact(record));
}

void runner::check_repeat(window_run& wr, const nlohmann::json& record) const {
  const auto& g = *plan_.guard;
  const auto it = record.find(g.id_field);
  if (it == record.end() || it->is_null()) return;
  const auto id = it->is_string() ? it->get<std::string>() : it->dump();
  auto text = ferry::json::dump_exact(record);
  const auto [seen, fresh] = wr.seen_ids.try_emplace(id, text);
  if (fresh || seen->second == text) return;  // the same record read twice is the same row
  wr.failed = true;  // the other pages of the window stop too
  const auto first = ferry::json::parse_exact(seen->second);
  std::vector<std::string> differ;
  for (const auto& [key, value] : record.items())
    if (!first.contains(key) || first[key] != value) differ.push_back(key);
  for (const auto& [key, value] : first.items())
    if (!record.contains(key)) differ.push_back(key);
  // A field that names a document (io_id, o_id) is the likeliest to tell such records apart.
  auto pick = std::find_if(differ.begin(), differ.end(), [](const std::string& k) { return k.ends_with("_id"); });
  if (pick == differ.end()) pick = differ.begin();
  std::string fields;
  for (const auto& k : differ) fields += (fields.empty() ? "" : ", ") + k;
  throw run_failure("QEasy's id \"" + g.id_field + "\" repeats in window " + show(wr.w) + ": two records have " +
                    g.id_field + " " + id + " and differ in " + fields +
                    ". QEasy's idCheck would keep one and drop the rest; ferry never writes fewer rows than the "
                    "platform returned, so it stopped before writing. Give table " + g.table +
                    " a PRIMARY KEY that tells such records apart, e.g. (" + g.id_field +
                    (pick == differ.end() ? std::string{} : ", " + *pick) + "), and run again");
}

// A cursor walk's bookkeeping of row versions (runner_cursor.cpp says why).
void runner::note_versions(window_run& wr, const page& p, std::uint64_t page_index) const {
  std::optional<std::int64_t> page_max;
  for (const auto& record : p.records) {
    const auto version = row_version(record, plan_.cursor->row_field);
    if (!version) {
      ++wr.no_version;
      continue;
    }
    page_max = std::max(page_max.value_or(*version), *version);
  }
  if (!page_max) return;
  wr.max_version = std::max(wr.max_version.value_or(*page_max), *page_max);
  if (page_index == 1 && wr.rounds == 1) wr.first_page_max = page_max;
}

// A walk after the first: each record's key, and whether it shows that the
// walks before it skipped a row (a key they never read, at a version that
// was already there, at or below the cursor's candidate) or that rows moved
// while it paged (a version above every one the walks before it saw).
void runner::note_key(window_run& wr, const nlohmann::json& record, std::uint64_t key) const {
  const auto version = row_version(record, plan_.cursor->row_field);
  if (!version) return;
  wr.round_keys.push_back(key);
  if (!wr.max_before) return;
  if (*version > *wr.max_before) ++wr.above_before;
  else if (*version <= wr.candidate && !wr.keys_before.contains(key)) ++wr.new_below;
}

bool runner::take_record(window_run& wr, const nlohmann::json& record, std::uint64_t page_index, bool count_key) {
  for (auto& rows : wr.scratch) transform::mapper::recycle(rows);
  if (auto error = plan_.mapper->map(record, wr.scratch)) {
    dead_letter(wr, record, *error, page_index, count_key);
    return false;
  }
  keep_rows(wr, count_key, &record);
  return true;
}

bool runner::take_record(window_run& wr, const ferry::json::tape& t, std::uint32_t record, std::uint64_t page_index) {
  for (auto& rows : wr.scratch) transform::mapper::recycle(rows);
  if (auto error = plan_.mapper->map(t, record, wr.scratch)) {
    dead_letter(wr, t.to_json(record), *error, page_index, true);
    return false;
  }
  keep_rows(wr, true, nullptr);
  return true;
}

void runner::dead_letter(window_run& wr, const nlohmann::json& record, const transform::record_error& error,
                         std::uint64_t page_index, bool count_key) {
  auto text = ferry::json::dump_exact(record);
  // A cursor walk counts a record it could not write once however often
  // it reads it (its walks repeat), by its text: not once per read.
  if (wr.cursor && count_key) wr.key_hashes.push_back(std::hash<std::string>{}("dead\x1f" + text));
  else if (count_key) ++wr.uncounted_dead;
  wr.dead.push_back({page_index, std::move(text), named(record) + error.to_string()});
}

void runner::keep_rows(window_run& wr, bool count_key, const nlohmann::json* record) {
  if (plan_.key_target && count_key) {
    const auto& values = wr.scratch[*plan_.key_target].front().values;
    wr.key_hashes.push_back(key_hash(values, plan_.key_columns));
    if (wr.cursor) note_key(wr, *record, wr.key_hashes.back());
    if (plan_.full_refresh) {
      auto& key = wr.snapshot_keys.emplace_back();
      for (auto c : plan_.key_columns) key.push_back(values[c]);
    }
  }
  for (std::size_t t = 0; t < wr.scratch.size(); ++t) {
    if (concurrent_writes_ && count_key) wr.pending_keys.push_back(wr.key_hashes.back());
    for (const auto& row : wr.scratch[t]) wr.pending[t].add(row.values);
    if (plan_.targets[t].parent) add_family(wr, t, *record);
  }
}

bool runner::needs_dom(const window_run& wr) const {
  return !plan_.filter.empty() || !plan_.flatten.empty() || plan_.guard || !scope_value_.empty() || wr.cursor ||
         std::any_of(plan_.targets.begin(), plan_.targets.end(), [](const auto& t) { return t.parent != nullptr; });
}

asio::awaitable<void> runner::take_page(window_run& wr, page p, std::uint64_t page_index) {
  ++wr.pages;
  const auto records = p.size();
  wr.fetched += records;
  if (observer_.records_fetched) observer_.records_fetched(records);
  if (p.data_count) wr.data_count = std::max(wr.data_count.value_or(0), *p.data_count);
  if (p.tape && !needs_dom(wr)) {
    // Mapped straight from the page as parsed.
    for (const auto row : p.rows)
      if (!take_record(wr, *p.tape, row, page_index)) ++wr.failed_records;
  } else {
    p.to_dom();
    take_dom_records(wr, p, page_index);
  }
  if (!plan_.key_target) wr.key_hashes.resize(wr.key_hashes.size() + records, 0);
  // A guarded job writes nothing before its whole window was read, nor does
  // a full refresh: its list is written in the transaction that deletes.
  if (plan_.guard || plan_.full_refresh) co_return;
  for (std::size_t t = 0; t < wr.pending.size(); ++t)
    if (wr.pending[t].rows() >= plan_.targets[t].writer->max_rows() ||
        wr.pending[t].bytes() >= plan_.targets[t].writer->max_bytes())
      co_await flush(wr, t);
}

void runner::take_dom_records(window_run& wr, page& p, std::uint64_t page_index) {
  const bool reshaped = !plan_.filter.empty() || !plan_.flatten.empty();
  std::vector<nlohmann::json> flat;
  if (!scope_value_.empty()) {
    // The value the page was asked for, on rows that do not say it themselves.
    const auto value = nlohmann::json::parse(scope_value_);
    for (auto& record : p.records)
      if (record.is_object() && !record.contains(plan_.for_each->field)) record[plan_.for_each->field] = value;
  }
  if (wr.cursor) note_versions(wr, p, page_index);
  for (auto& record : p.records) {
    if (plan_.guard) check_repeat(wr, record);
    if (!reshaped || plan_.filter.keep(record)) {
      if (plan_.flatten.empty()) {
        if (!take_record(wr, record, page_index, true)) ++wr.failed_records;
        continue;
      }
      // The platform's count is of records, not of the elements they flatten into: one key per record.
      wr.key_hashes.push_back(record_hash(record));
      flat.clear();
      transform::flatten(record, plan_.flatten, flat);
      bool failed = false;
      for (const auto& one : flat) failed |= !take_record(wr, one, page_index, false);
      if (failed) ++wr.failed_records;
    } else {
      ++wr.skipped;
    }
  }
}

// The record's children just added to target t belong to one parent: note
// its key and version, so that children it no longer lists are deleted. A
// record without the array (missing or null: nothing is known of its
// children) or without its parent key deletes nothing.
void runner::add_family(window_run& wr, std::size_t t, const nlohmann::json& record) {
  const auto& target = plan_.targets[t];
  const auto* elements = target.explode->find(record, record);
  if (elements == nullptr || !elements->is_array()) return;
  wr.parent_scratch.resize(1);
  wr.parent_scratch[0].clear();
  if (target.parent->map(record, wr.parent_scratch)) return;
  auto& values = wr.parent_scratch[0].front().values;
  const auto keys = target.table.parent_key.size();
  mysql::cell version = std::move(values.back());
  values.resize(keys);
  wr.pending[t].add_family(std::move(values), std::move(version), wr.scratch[t].size());
}

// Writing batch after batch, each waiting for the one before, a window goes
// no faster than one connection's round trips. A job with one target (see
// concurrent_writes_) writes its batches concurrently instead, up to
// the pool's size, under one rule that keeps the table as serial writes
// would leave it: a batch that holds a key a batch in flight also holds
// waits for that one first, so each key's rows are written in page order.
// Every batch has ended before the round does (fetch_round), so the
// window's counts and its commit see them all.
asio::awaitable<void> runner::flush(window_run& wr, std::size_t target) {
  if (plan_.guard) throw run_failure(plan_.guard->no_key_error);  // a guarded job never writes
  // Batches that ended are counted first, so that rows written show in the
  // metrics as they are written, not when the round ends. (Before this
  // batch's rows and keys are taken, together: should a wait here ever
  // suspend, a flush from another page must not split them.)
  if (concurrent_writes_)
    while (!wr.writes.empty() && wr.writes.front()->ended.done()) co_await retire(wr, wr.writes.front());
  if (wr.pending[target].empty()) co_return;
  auto task = std::make_shared<write_task>(executor_);
  task->target = target;
  std::swap(task->rows, wr.pending[target]);
  if (!spare_.empty()) {
    wr.pending[target] = std::move(spare_.back());
    spare_.pop_back();
  }
  if (!concurrent_writes_) {
    co_await write_batch(task);
    count_written(wr, target, task->counts, task->took);
    co_return;
  }
  task->keys = std::move(wr.pending_keys);
  wr.pending_keys.clear();
  std::sort(task->keys.begin(), task->keys.end());
  const auto overlaps = [&](const write_task& other) {
    auto a = task->keys.begin();
    auto b = other.keys.begin();
    while (a != task->keys.end() && b != other.keys.end()) {
      if (*a == *b) return true;
      if (*a < *b) ++a;
      else ++b;
    }
    return false;
  };
  // In the queue at once, so that a batch made while this one waits still
  // finds it ahead of itself.
  wr.writes.push_back(task);
  for (;;) {
    if (wr.write_error) {
      // The window fails: this batch is never written, and leaves the queue.
      wr.writes.erase(std::find(wr.writes.begin(), wr.writes.end(), task));
      std::rethrow_exception(wr.write_error);
    }
    const auto self = std::find(wr.writes.begin(), wr.writes.end(), task);
    const auto ahead = std::find_if(wr.writes.begin(), self, [&](const auto& w) { return !w->ended.done() && overlaps(*w); });
    if (ahead != self) {
      co_await retire(wr, *ahead);
      continue;
    }
    const auto running = [](const auto& w) { return w->started && !w->ended.done(); };
    if (static_cast<std::size_t>(std::count_if(wr.writes.begin(), wr.writes.end(), running)) >= pool_.size()) {
      co_await retire(wr, *std::find_if(wr.writes.begin(), wr.writes.end(), running));
      continue;
    }
    break;
  }
  task->started = true;
  asio::co_spawn(executor_, write_batch(task), [task](std::exception_ptr e) {
    task->error = e;
    task->ended.set();
  });
}

asio::awaitable<void> runner::write_batch(std::shared_ptr<write_task> task) {
  const auto& writer = *plan_.targets[task->target].writer;
  const auto started = std::chrono::steady_clock::now();
  task->counts = co_await with_retries("writing a batch", [&](mysql::connection& conn) {
    return writer.write(conn, task->rows);
  });
  task->took = std::chrono::steady_clock::now() - started;
  // The values go now. The array is kept for a later flush (a batch filled
  // from nothing regrows it a dozen times), not in the task: a batch that
  // ended is only counted when a later one waits for it or the round ends.
  task->rows.clear();
  if (spare_.size() < pool_.size() + 1) spare_.push_back(std::move(task->rows));  // one per batch in flight, and the one filling
  task->rows = {};
}

asio::awaitable<void> runner::retire(window_run& wr, std::shared_ptr<write_task> task) {
  co_await task->ended.wait();
  const auto it = std::find(wr.writes.begin(), wr.writes.end(), task);
  if (it == wr.writes.end()) co_return;  // another waiter counted it
  wr.writes.erase(it);
  if (task->error) {
    if (!wr.write_error) wr.write_error = task->error;
    co_return;
  }
  count_written(wr, task->target, task->counts, task->took);
}

void runner::count_written(window_run& wr, std::size_t target, const mysql::upsert_counts& counts,
                           std::chrono::steady_clock::duration took) {
  if (observer_.batch_written) observer_.batch_written(took);
  wr.counts.inserted += counts.inserted;
  wr.counts.updated += counts.updated;
  wr.counts.unchanged += counts.unchanged;
  wr.counts.deleted += counts.deleted;
  if (plan_.key_target && target == *plan_.key_target) wr.key_inserted += counts.inserted;
  if (observer_.rows_written) observer_.rows_written(plan_.targets[target].table.table, counts);
}

asio::awaitable<void> runner::settle_writes(window_run& wr) {
  while (!wr.writes.empty()) co_await retire(wr, wr.writes.front());
  if (wr.write_error) {
    auto error = wr.write_error;
    wr.write_error = nullptr;
    std::rethrow_exception(error);
  }
}

asio::awaitable<void> runner::fetch_round(window_run& wr) {
  std::exception_ptr failed;
  try {
    co_await read_pages(wr);
  } catch (...) {
    failed = std::current_exception();
  }
  // Batches still being written end with the round, whatever happened.
  std::exception_ptr write_failed;
  try {
    co_await settle_writes(wr);
  } catch (...) {
    write_failed = std::current_exception();
  }
  if (failed) std::rethrow_exception(failed);
  if (write_failed) std::rethrow_exception(write_failed);
}

asio::awaitable<void> runner::read_pages(window_run& wr) {
  wr.dead.clear();
  wr.failed_records = 0;
  wr.uncounted_dead = 0;
  wr.skipped = 0;
  wr.seen_ids.clear();  // a record the platform changed between two rounds is no repeat
  wr.request = nullptr;  // rendered again: a walk's cursor may have moved
  auto first = co_await fetch_page(wr, 1);
  const auto known_pages = first.page_count;
  bool more = continues(first, 1, plan_.page_size);
  std::uint64_t next = 2;
  co_await take_page(wr, std::move(first), 1);
  if (more && known_pages && *known_pages > 1) {
    // page_count is known: the rest go concurrently, up to max_in_flight.
    const std::uint64_t last = std::min(*known_pages, plan_.max_pages);
    bool last_more = false;
    const auto workers = std::min<std::size_t>(plan_.max_in_flight, static_cast<std::size_t>(last - 1));
    co_await run_concurrently(executor_, workers, [&]() -> asio::awaitable<void> {
      while (next <= last && !wr.failed) {
        const auto index = next++;
        auto p = co_await fetch_page(wr, index);
        if (index == last) last_more = continues(p, index, plan_.page_size);
        co_await take_page(wr, std::move(p), index);
      }
    });
    next = last + 1;
    more = last_more;
  }
  // Unknown page count, or rows that moved past the last page while paging:
  // go on one page at a time. A full page means the next one must be read
  // anyway, so it is asked for while this one is mapped and written: no call
  // is made that one-at-a-time paging would not make.
  std::shared_ptr<prefetch> ahead;
  while (more) {
    if (next > plan_.max_pages) {
      wr.page_cap_hit = true;
      break;
    }
    // (Not a ?: of two co_awaits: g++ 12 miscompiles that.)
    page p;
    if (ahead) p = co_await ahead->take();
    else p = co_await fetch_page(wr, next);
    ahead.reset();
    more = continues(p, next, plan_.page_size);
    if (more && next + 1 <= plan_.max_pages) ahead = prefetch::start(executor_, fetch_page(wr, next + 1));
    std::exception_ptr failed;
    try {
      co_await take_page(wr, std::move(p), next);
    } catch (...) {
      failed = std::current_exception();
    }
    if (failed) {
      // The page asked for ahead refers to this window: let it end first.
      if (ahead) co_await ahead->settle();
      std::rethrow_exception(failed);
    }
    ++next;
  }
}

}  // namespace ferry::sync
