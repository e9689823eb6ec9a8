#include "ferry/state/store.hpp"

#include "ferry/core/time.hpp"

#include <algorithm>
#include <stdexcept>

namespace ferry::state {
namespace {

using core::format_shanghai_datetime;

void append_time(mysql::connection& conn, std::string& sql, sys_seconds t) {
  conn.append_quoted(sql, format_shanghai_datetime(t));
}

void append_optional_time(mysql::connection& conn, std::string& sql, std::optional<sys_seconds> t) {
  if (t) append_time(conn, sql, *t);
  else sql += "NULL";
}

std::optional<sys_seconds> read_time(const mysql::cell& value) {
  if (!value) return std::nullopt;
  auto t = core::parse_shanghai_datetime(*value);
  if (!t) throw std::runtime_error("ferry state: unreadable DATETIME '" + *value + "'");
  return t;
}

std::uint64_t read_count(const mysql::cell& value) { return value ? std::stoull(*value) : 0; }

// A state this version does not know (a newer ferry wrote it) reads as failed: redone, never trusted.
window_state window_state_from(const std::string& text) { return parse_window_state(text).value_or(window_state::failed); }

}  // namespace


std::string_view to_string(run_kind k) {
  switch (k) {
    case run_kind::scheduled: return "scheduled";
    case run_kind::manual: return "manual";
    case run_kind::once: return "once";
    case run_kind::backfill: return "backfill";
    case run_kind::catch_up: return "catch_up";
  }
  return "manual";
}

bool rereads_past(run_kind k) { return k == run_kind::backfill || k == run_kind::catch_up; }
bool rereads_past(std::string_view kind) { return kind == to_string(run_kind::backfill) || kind == to_string(run_kind::catch_up); }

job_state load_job(mysql::connection& conn, const std::string& job_id) {
  std::string insert = "INSERT IGNORE INTO ferry_jobs (job_id) VALUES (";
  conn.append_quoted(insert, job_id);
  conn.execute(insert + ")");
  std::string sql = "SELECT watermark, paused, ts_cursor, ts_seen FROM ferry_jobs WHERE job_id = ";
  conn.append_quoted(sql, job_id);
  const auto rows = conn.query(sql);
  if (rows.empty()) throw std::runtime_error("ferry_jobs has no row for job " + job_id);
  job_state job;
  job.job_id = job_id;
  job.watermark = read_time(rows[0][0]);
  job.paused = rows[0][1].value_or("0") == "1";
  if (rows[0][2]) job.cursor = std::stoll(*rows[0][2]);
  if (rows[0][3]) job.cursor_seen = std::stoll(*rows[0][3]);
  return job;
}

bool move_cursor(mysql::connection& conn, const std::string& job_id, std::optional<std::int64_t> expected,
                 std::int64_t to, std::int64_t seen) {
  std::string sql = "UPDATE ferry_jobs SET ts_cursor = " + std::to_string(to) +
                    ", ts_seen = GREATEST(COALESCE(ts_seen, " + std::to_string(seen) + "), " +
                    std::to_string(seen) + ") WHERE job_id = ";
  conn.append_quoted(sql, job_id);
  sql += " AND ts_cursor <=> " + (expected ? std::to_string(*expected) : std::string{"NULL"});
  // Affected rows is 0 both when the cursor moved under us and when nothing changed.
  if (conn.execute(sql) == 0 && load_job(conn, job_id).cursor != expected) return false;
  return true;
}

bool set_paused(mysql::connection& conn, const std::string& job_id, bool paused) {
  std::string sql = std::string{"UPDATE ferry_jobs SET paused = "} + (paused ? "1" : "0") + " WHERE job_id = ";
  conn.append_quoted(sql, job_id);
  conn.execute(sql);
  std::string check = "SELECT 1 FROM ferry_jobs WHERE job_id = ";
  conn.append_quoted(check, job_id);
  return !conn.query(check).empty();
}

bool commit_window(mysql::connection& conn, const window_record& w, std::optional<sys_seconds> expected,
                   std::optional<sys_seconds> advance_to) {
  if (advance_to) {
    std::string sql = "UPDATE ferry_jobs SET watermark = ";
    append_time(conn, sql, *advance_to);
    sql += " WHERE job_id = ";
    conn.append_quoted(sql, w.job_id);
    sql += " AND watermark <=> ";
    append_optional_time(conn, sql, expected);
    // Affected rows is 0 both when the watermark moved under us (a conflict)
    // and when it already stood at advance_to == expected (nothing to do).
    if (conn.execute(sql) == 0 && load_job(conn, w.job_id).watermark != expected) return false;
  }
  std::string sql =
      "INSERT INTO ferry_windows (job_id, run_id, window_start, window_end, state, pages, fetched, "
      "distinct_keys, data_count, inserted, updated, unchanged, dead_letters, fetch_rounds, note, verify_due, "
      "cursor_start, cursor_end) VALUES (";
  conn.append_quoted(sql, w.job_id);
  sql += "," + std::to_string(w.run_id) + ",";
  append_time(conn, sql, w.start);
  sql += ",";
  append_time(conn, sql, w.end);
  sql += ",'" + std::string{to_string(w.state)} + "'," + std::to_string(w.pages) + "," + std::to_string(w.fetched) +
         "," + std::to_string(w.distinct_keys) + "," +
         (w.data_count ? std::to_string(*w.data_count) : std::string{"NULL"}) + "," + std::to_string(w.inserted) +
         "," + std::to_string(w.updated) + "," + std::to_string(w.unchanged) + "," +
         std::to_string(w.dead_letters) + "," + std::to_string(w.fetch_rounds) + ",";
  conn.append_quoted(sql, w.note);
  sql += ",";
  append_optional_time(conn, sql, w.verify_due);
  for (const auto& c : {w.cursor_start, w.cursor_end}) sql += "," + (c ? std::to_string(*c) : std::string{"NULL"});
  conn.execute(sql + ")");
  return true;
}

namespace {

const char* const window_columns =
    "SELECT job_id, run_id, window_start, window_end, state, pages, fetched, distinct_keys, data_count, "
    "inserted, updated, unchanged, dead_letters, fetch_rounds, note, id, verify_due, verified_at, verified_keys, "
    "verify_found, cursor_start, cursor_end FROM ferry_windows WHERE job_id = ";

std::vector<window_record> read_windows(mysql::connection& conn, const std::string& sql) {
  std::vector<window_record> out;
  for (const auto& r : conn.query(sql)) {
    window_record w;
    w.job_id = r[0].value_or("");
    w.run_id = read_count(r[1]);
    w.start = read_time(r[2]).value_or(sys_seconds{});
    w.end = read_time(r[3]).value_or(sys_seconds{});
    w.state = window_state_from(r[4].value_or(""));
    w.pages = read_count(r[5]);
    w.fetched = read_count(r[6]);
    w.distinct_keys = read_count(r[7]);
    if (r[8]) w.data_count = read_count(r[8]);
    w.inserted = read_count(r[9]);
    w.updated = read_count(r[10]);
    w.unchanged = read_count(r[11]);
    w.dead_letters = read_count(r[12]);
    w.fetch_rounds = read_count(r[13]);
    w.note = r[14].value_or("");
    w.id = read_count(r[15]);
    w.verify_due = read_time(r[16]);
    w.verified_at = read_time(r[17]);
    if (r[18]) w.verified_keys = read_count(r[18]);
    if (r[19]) w.verify_found = read_count(r[19]);
    if (r[20]) w.cursor_start = std::stoll(*r[20]);
    if (r[21]) w.cursor_end = std::stoll(*r[21]);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

std::vector<window_record> windows(mysql::connection& conn, const std::string& job_id,
                                   std::optional<window_state> state, std::size_t limit) {
  std::string sql = window_columns;
  conn.append_quoted(sql, job_id);
  if (state) sql += " AND state = '" + std::string{to_string(*state)} + "'";
  sql += " ORDER BY id DESC LIMIT " + std::to_string(limit);
  return read_windows(conn, sql);
}

std::optional<window_record> find_window(mysql::connection& conn, const std::string& job_id, std::uint64_t run_id,
                                         sys_seconds start, sys_seconds end) {
  std::string sql = window_columns;
  conn.append_quoted(sql, job_id);
  sql += " AND window_start = ";
  append_time(conn, sql, start);
  sql += " AND window_end = ";
  append_time(conn, sql, end);
  sql += " AND run_id = " + std::to_string(run_id) + " ORDER BY id DESC LIMIT 1";
  auto found = read_windows(conn, sql);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<window_record> windows_due_for_verification(mysql::connection& conn, const std::string& job_id,
                                                        sys_seconds now, std::size_t limit) {
  std::string sql = window_columns;
  conn.append_quoted(sql, job_id);
  sql += " AND state = 'complete' AND verified_at IS NULL AND verify_due IS NOT NULL AND verify_due <= ";
  append_time(conn, sql, now);
  sql += " ORDER BY verify_due, id LIMIT " + std::to_string(limit);
  return read_windows(conn, sql);
}

bool record_verification(mysql::connection& conn, std::uint64_t window_id, sys_seconds at,
                         std::uint64_t verified_keys, std::uint64_t found) {
  std::string sql = "UPDATE ferry_windows SET verified_at = ";
  append_time(conn, sql, at);
  sql += ", verified_keys = " + std::to_string(verified_keys) + ", verify_found = " + std::to_string(found) +
         " WHERE id = " + std::to_string(window_id) + " AND verified_at IS NULL";
  return conn.execute(sql) == 1;
}

void postpone_verification(mysql::connection& conn, std::uint64_t window_id, sys_seconds due) {
  std::string sql = "UPDATE ferry_windows SET verify_due = ";
  append_time(conn, sql, due);
  sql += " WHERE verified_at IS NULL AND id = " + std::to_string(window_id);
  conn.execute(sql);
}

bool is_verified(mysql::connection& conn, std::uint64_t window_id) {
  return !conn.query("SELECT 1 FROM ferry_windows WHERE verified_at IS NOT NULL AND id = " + std::to_string(window_id))
              .empty();
}

std::uint64_t open_incomplete_windows(mysql::connection& conn, const std::string& job_id) {
  // The job's rows and those of its values (a for_each job's "<job>@<value>").
  std::string like = job_id;
  for (std::size_t at = like.find('_'); at != std::string::npos; at = like.find('_', at + 2)) like.insert(at, "\\");
  std::string sql = "SELECT COUNT(*) FROM ferry_windows i WHERE i.state = 'incomplete' AND (i.job_id = ";
  conn.append_quoted(sql, job_id);
  sql += " OR i.job_id LIKE ";
  conn.append_quoted(sql, like + "@%");
  // Covered by a later complete window of the range, or, for a cursor walk,
  // by a later complete walk from no further on (it read all the rows that one had to).
  sql += ") AND NOT EXISTS (SELECT 1 FROM ferry_windows c WHERE c.job_id = i.job_id AND c.state = 'complete' "
         "AND c.id > i.id AND ((c.window_start <= i.window_start AND c.window_end >= i.window_end AND "
         "i.cursor_start IS NULL) OR c.cursor_start <= i.cursor_start))";
  return read_count(conn.query(sql).at(0).at(0));
}

std::optional<std::uint64_t> last_success_fetched(mysql::connection& conn, const std::string& job_id) {
  std::string sql = "SELECT fetched FROM ferry_runs WHERE state = 'success' AND job_id = ";
  conn.append_quoted(sql, job_id);
  sql += " ORDER BY id DESC LIMIT 1";
  const auto rows = conn.query(sql);
  if (rows.empty()) return std::nullopt;
  return read_count(rows.at(0).at(0));
}

std::uint64_t close_abandoned_runs(mysql::connection& conn, const std::string& job_id) {
  std::string sql = "UPDATE ferry_runs SET state = 'failed', finished_at = NOW(), "
                    "error = 'abandoned: ferryd stopped before the run ended; its open window is redone by the next run' "
                    "WHERE state = 'running' AND job_id = ";
  conn.append_quoted(sql, job_id);
  return conn.execute(sql);
}

std::uint64_t start_run(mysql::connection& conn, const std::string& job_id, run_kind kind, sys_seconds range_start,
                        sys_seconds range_end) {
  std::string sql = "INSERT INTO ferry_runs (job_id, kind, state, range_start, range_end) VALUES (";
  conn.append_quoted(sql, job_id);
  sql += ",'" + std::string{to_string(kind)} + "','running',";
  append_time(conn, sql, range_start);
  sql += ",";
  append_time(conn, sql, range_end);
  conn.execute(sql + ")");
  const auto rows = conn.query("SELECT LAST_INSERT_ID()");
  return read_count(rows.at(0).at(0));
}

std::string_view end_state(const run_summary& s) {
  return s.error.empty() ? "success" : s.interrupted ? "interrupted" : "failed";
}

void finish_run(mysql::connection& conn, std::uint64_t run_id, const run_summary& s) {
  std::string sql = "UPDATE ferry_runs SET state = '" + std::string{end_state(s)} +
                    "', windows = " + std::to_string(s.windows) +
                    ", incomplete_windows = " + std::to_string(s.incomplete_windows) +
                    ", pages = " + std::to_string(s.pages) + ", fetched = " + std::to_string(s.fetched) +
                    ", inserted = " + std::to_string(s.inserted) + ", updated = " + std::to_string(s.updated) +
                    ", unchanged = " + std::to_string(s.unchanged) +
                    ", dead_letters = " + std::to_string(s.dead_letters) +
                    ", retries = " + std::to_string(s.retries) + ", throttles = " + std::to_string(s.throttles) +
                    ", skipped = " + std::to_string(s.skipped) + ", finished_at = NOW(), error = ";
  if (s.error.empty()) sql += "NULL";
  else conn.append_quoted(sql, s.error);
  conn.execute(sql + " WHERE id = " + std::to_string(run_id));
}

std::vector<run_record> runs(mysql::connection& conn, const std::string& job_id, std::size_t limit) {
  std::string sql =
      "SELECT id, job_id, kind, state, range_start, range_end, started_at, finished_at, windows, incomplete_windows, "
      "pages, fetched, inserted, updated, unchanged, dead_letters, retries, throttles, error FROM ferry_runs "
      "WHERE job_id = ";
  conn.append_quoted(sql, job_id);
  sql += " ORDER BY id DESC LIMIT " + std::to_string(limit);
  std::vector<run_record> out;
  for (const auto& r : conn.query(sql)) {
    run_record run;
    run.id = read_count(r[0]);
    run.job_id = r[1].value_or("");
    run.kind = r[2].value_or("");
    run.state = r[3].value_or("");
    run.range_start = read_time(r[4]).value_or(sys_seconds{});
    run.range_end = read_time(r[5]).value_or(sys_seconds{});
    run.started_at = read_time(r[6]).value_or(sys_seconds{});
    run.finished_at = read_time(r[7]);
    auto& s = run.summary;
    s.windows = read_count(r[8]);
    s.incomplete_windows = read_count(r[9]);
    s.pages = read_count(r[10]);
    s.fetched = read_count(r[11]);
    s.inserted = read_count(r[12]);
    s.updated = read_count(r[13]);
    s.unchanged = read_count(r[14]);
    s.dead_letters = read_count(r[15]);
    s.retries = read_count(r[16]);
    s.throttles = read_count(r[17]);
    s.error = r[18].value_or("");
    out.push_back(std::move(run));
  }
  return out;
}

namespace {

// A record longer than this is stored cut to it, so that one letter always
// fits a statement; its error then says how much was kept of how much.
std::string_view storable_record(std::string_view record, std::size_t limit) {
  if (record.size() <= limit) return record;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(record[cut]) & 0xC0) == 0x80) --cut;  // a whole UTF-8 character
  return record.substr(0, cut);
}

}  // namespace

void add_dead_letters(mysql::connection& conn, const std::string& job_id, std::uint64_t run_id,
                      sys_seconds window_start, sys_seconds window_end, const std::vector<dead_letter>& letters) {
  if (letters.empty()) return;
  // A window's letters can outgrow max_allowed_packet (huge records, or a
  // column type that refuses every record): several statements of at most
  // half of it, each letter's text escaped to at most twice its size.
  const auto budget = std::max<std::size_t>(1024, static_cast<std::size_t>(conn.max_allowed_packet() / 2));
  const std::string head =
      "INSERT INTO ferry_dead_letters (job_id, run_id, window_start, window_end, page, record, error) VALUES ";
  std::string sql;
  for (const auto& letter : letters) {
    const auto record = storable_record(letter.record, budget / 4);
    std::string tuple = "(";
    conn.append_quoted(tuple, job_id);
    tuple += "," + std::to_string(run_id) + ",";
    append_time(conn, tuple, window_start);
    tuple += ",";
    append_time(conn, tuple, window_end);
    tuple += "," + std::to_string(letter.page) + ",";
    conn.append_quoted(tuple, record);
    tuple += ",";
    conn.append_quoted(tuple, record.size() == letter.record.size()
                                  ? letter.error
                                  : letter.error + " (record cut to its first " + std::to_string(record.size()) +
                                        " of " + std::to_string(letter.record.size()) + " bytes)");
    tuple += ")";
    if (!sql.empty() && sql.size() + tuple.size() + 1 > budget) {
      conn.execute(sql);
      sql.clear();
    }
    sql += sql.empty() ? head : ",";
    sql += tuple;
  }
  conn.execute(sql);
}

std::optional<source_tokens> load_tokens(mysql::connection& conn, const std::string& source,
                                         const std::string& app_key, bool for_update) {
  std::string sql = "SELECT access_token, refresh_token, expires_at, issued_at FROM ferry_sources WHERE source = ";
  conn.append_quoted(sql, source);
  sql += " AND app_key = ";
  conn.append_quoted(sql, app_key);
  if (for_update) sql += " FOR UPDATE";
  const auto rows = conn.query(sql);
  if (rows.empty()) return std::nullopt;
  return source_tokens{rows[0][0].value_or(""), rows[0][1].value_or(""), read_time(rows[0][2]), read_time(rows[0][3])};
}

namespace {

std::string token_values(mysql::connection& conn, const std::string& source, const std::string& app_key,
                         const source_tokens& tokens) {
  std::string sql = " (source, app_key, access_token, refresh_token, expires_at, issued_at) VALUES (";
  conn.append_quoted(sql, source);
  sql += ",";
  conn.append_quoted(sql, app_key);
  sql += ",";
  conn.append_quoted(sql, tokens.access_token);
  sql += ",";
  conn.append_quoted(sql, tokens.refresh_token);
  sql += ",";
  append_optional_time(conn, sql, tokens.expires_at);
  sql += ",";
  append_optional_time(conn, sql, tokens.issued_at);
  sql += ")";
  return sql;
}

}  // namespace

void save_tokens(mysql::connection& conn, const std::string& source, const std::string& app_key,
                 const source_tokens& tokens) {
  conn.execute("INSERT INTO ferry_sources" + token_values(conn, source, app_key, tokens) +
               " ON DUPLICATE KEY UPDATE access_token = VALUES(access_token), refresh_token = "
               "VALUES(refresh_token), expires_at = VALUES(expires_at), issued_at = VALUES(issued_at)");
}

void insert_tokens_if_missing(mysql::connection& conn, const std::string& source, const std::string& app_key,
                              const source_tokens& tokens) {
  conn.execute("INSERT IGNORE INTO ferry_sources" + token_values(conn, source, app_key, tokens));
}

bool has_succeeded(mysql::connection& conn, const std::string& job_id) {
  std::string sql = "SELECT 1 FROM ferry_runs WHERE state = 'success' AND job_id = ";
  conn.append_quoted(sql, job_id);
  return !conn.query(sql + " LIMIT 1").empty();
}

}  // namespace ferry::state
