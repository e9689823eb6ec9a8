#include "ferry/state/store.hpp"
#include "ferry/state/job_lock.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <string_view>

namespace ferry::state {
namespace {

// ferry's own tables as the current version has them: a new database gets
// them in one statement each. A database made by an older ferry has the
// tables of version 1, without later_columns and with the ENUMs of
// version 1; migrate brings it up to this, so both end up alike (the
// state test compares them). A new version adds its columns here, in
// later_columns at the same place, and bumps schema_version; nothing is
// ever dropped.
constexpr std::array<std::string_view, 6> tables{{
    R"(CREATE TABLE IF NOT EXISTS ferry_schema (
  version INT NOT NULL PRIMARY KEY,
  applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)",
    R"(CREATE TABLE IF NOT EXISTS ferry_jobs (
  job_id VARCHAR(64) NOT NULL PRIMARY KEY,
  watermark DATETIME NULL COMMENT 'end of the last complete window, Asia/Shanghai',
  ts_cursor BIGINT NULL COMMENT 'a cursor job''s next walk reads the rows whose version is at least this',
  ts_seen BIGINT NULL COMMENT 'the largest row version a walk of the job has seen',
  paused TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)",
    R"(CREATE TABLE IF NOT EXISTS ferry_windows (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_id VARCHAR(64) NOT NULL,
  run_id BIGINT UNSIGNED NOT NULL,
  window_start DATETIME NOT NULL,
  window_end DATETIME NOT NULL,
  state ENUM('complete','incomplete','failed') NOT NULL,
  pages INT UNSIGNED NOT NULL DEFAULT 0,
  fetched BIGINT UNSIGNED NOT NULL DEFAULT 0,
  distinct_keys BIGINT UNSIGNED NOT NULL DEFAULT 0,
  data_count BIGINT UNSIGNED NULL,
  inserted BIGINT UNSIGNED NOT NULL DEFAULT 0,
  updated BIGINT UNSIGNED NOT NULL DEFAULT 0,
  unchanged BIGINT UNSIGNED NOT NULL DEFAULT 0,
  dead_letters BIGINT UNSIGNED NOT NULL DEFAULT 0,
  fetch_rounds INT UNSIGNED NOT NULL DEFAULT 1,
  note TEXT NULL,
  committed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  verify_due DATETIME NULL COMMENT 'when the window is read once more (no data_count to check it), Asia/Shanghai',
  verified_at DATETIME NULL COMMENT 'when that second read was committed, Asia/Shanghai',
  verified_keys BIGINT UNSIGNED NULL COMMENT 'distinct keys the second read saw',
  verify_found BIGINT UNSIGNED NULL COMMENT 'rows only the second read found (inserted by it)',
  cursor_start BIGINT NULL COMMENT 'a cursor walk: the cursor it read from',
  cursor_end BIGINT NULL COMMENT 'a cursor walk: the cursor it left (= cursor_start: not moved)',
  KEY job_window (job_id, window_start),
  KEY job_state (job_id, state)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)",
    R"(CREATE TABLE IF NOT EXISTS ferry_runs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_id VARCHAR(64) NOT NULL,
  kind ENUM('scheduled','manual','once','backfill','catch_up') NOT NULL,
  state ENUM('queued','running','success','failed','interrupted') NOT NULL,
  range_start DATETIME NOT NULL,
  range_end DATETIME NOT NULL,
  windows INT UNSIGNED NOT NULL DEFAULT 0,
  incomplete_windows INT UNSIGNED NOT NULL DEFAULT 0,
  pages BIGINT UNSIGNED NOT NULL DEFAULT 0,
  fetched BIGINT UNSIGNED NOT NULL DEFAULT 0,
  inserted BIGINT UNSIGNED NOT NULL DEFAULT 0,
  updated BIGINT UNSIGNED NOT NULL DEFAULT 0,
  unchanged BIGINT UNSIGNED NOT NULL DEFAULT 0,
  dead_letters BIGINT UNSIGNED NOT NULL DEFAULT 0,
  retries BIGINT UNSIGNED NOT NULL DEFAULT 0,
  throttles BIGINT UNSIGNED NOT NULL DEFAULT 0,
  error TEXT NULL,
  started_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  finished_at DATETIME NULL,
  skipped BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'records the job''s filter kept out',
  KEY job_started (job_id, started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)",
    R"(CREATE TABLE IF NOT EXISTS ferry_dead_letters (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_id VARCHAR(64) NOT NULL,
  run_id BIGINT UNSIGNED NOT NULL,
  window_start DATETIME NOT NULL,
  window_end DATETIME NOT NULL,
  page INT UNSIGNED NOT NULL,
  record LONGTEXT NOT NULL COMMENT 'the raw record as the API sent it',
  error TEXT NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY job_created (job_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)",
    R"(CREATE TABLE IF NOT EXISTS ferry_sources (
  source VARCHAR(64) NOT NULL,
  app_key VARCHAR(128) NOT NULL,
  access_token TEXT NOT NULL,
  refresh_token TEXT NOT NULL,
  expires_at DATETIME NULL,
  issued_at DATETIME NULL COMMENT 'when ferry got the tokens, Asia/Shanghai',
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (source, app_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)",
}};

// Columns added after version 1, each as (table, column, definition). A
// column already there is left alone, so migrating twice changes nothing;
// ALTER ... ADD COLUMN IF NOT EXISTS is MariaDB's alone, so the check reads
// information_schema, which MySQL has too.
// Columns added after version 1, in the order they came (and with AFTER
// where the table above has them elsewhere than at the end).
struct added_column {
  std::string_view table, column, definition;
};
constexpr std::array<added_column, 10> later_columns{{
    {"ferry_sources", "issued_at", "DATETIME NULL COMMENT 'when ferry got the tokens, Asia/Shanghai' AFTER expires_at"},
    {"ferry_windows", "verify_due",
     "DATETIME NULL COMMENT 'when the window is read once more (no data_count to check it), Asia/Shanghai'"},
    {"ferry_windows", "verified_at", "DATETIME NULL COMMENT 'when that second read was committed, Asia/Shanghai'"},
    {"ferry_windows", "verified_keys", "BIGINT UNSIGNED NULL COMMENT 'distinct keys the second read saw'"},
    {"ferry_windows", "verify_found", "BIGINT UNSIGNED NULL COMMENT 'rows only the second read found (inserted by it)'"},
    {"ferry_runs", "skipped", "BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'records the job''s filter kept out'"},
    {"ferry_jobs", "ts_cursor",
     "BIGINT NULL COMMENT 'a cursor job''s next walk reads the rows whose version is at least this' AFTER watermark"},
    {"ferry_jobs", "ts_seen",
     "BIGINT NULL COMMENT 'the largest row version a walk of the job has seen' AFTER ts_cursor"},
    {"ferry_windows", "cursor_start", "BIGINT NULL COMMENT 'a cursor walk: the cursor it read from'"},
    {"ferry_windows", "cursor_end", "BIGINT NULL COMMENT 'a cursor walk: the cursor it left (= cursor_start: not moved)'"},
}};

// ENUM columns widened since version 1: their current type.
struct widened_column {
  std::string_view table, column, type;
};
constexpr std::array<widened_column, 2> widened{{
    {"ferry_runs", "kind", "enum('scheduled','manual','once','backfill','catch_up')"},
    {"ferry_runs", "state", "enum('queued','running','success','failed','interrupted')"},
}};

// The table `statement` creates: "CREATE TABLE IF NOT EXISTS <name> (".
std::string_view table_name(std::string_view statement) {
  constexpr std::string_view head = "CREATE TABLE IF NOT EXISTS ";
  statement.remove_prefix(head.size());
  return statement.substr(0, statement.find(' '));
}

using column_rows = std::vector<mysql::result_row>;  // table, column, type

column_rows read_columns(mysql::connection& conn) {
  return conn.query(
      "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
      "AND TABLE_NAME IN ('ferry_schema', 'ferry_jobs', 'ferry_windows', 'ferry_runs', 'ferry_dead_letters', "
      "'ferry_sources')");
}

bool has_table(const column_rows& rows, std::string_view table) {
  return std::any_of(rows.begin(), rows.end(), [&](const auto& r) { return !r.empty() && r[0] == table; });
}

std::optional<std::string> type_of(const column_rows& rows, std::string_view table, std::string_view column) {
  for (const auto& r : rows)
    if (r.size() == 3 && r[0] == table && r[1] == column) return r[2].value_or("");
  return std::nullopt;
}

// One "ALTER TABLE t ADD COLUMN ..., MODIFY ..." for each existing table
// that lacks a column or an ENUM value of `tables`.
std::vector<std::string> upgrades(const column_rows& rows) {
  std::vector<std::pair<std::string, std::string>> alters;  // table, clauses
  const auto clause = [&](std::string_view table, const std::string& text) {
    auto it = std::find_if(alters.begin(), alters.end(), [&](const auto& a) { return a.first == table; });
    if (it == alters.end()) it = alters.insert(alters.end(), {std::string{table}, {}});
    it->second += (it->second.empty() ? " " : ", ") + text;
  };
  for (const auto& c : later_columns)
    if (has_table(rows, c.table) && !type_of(rows, c.table, c.column))
      clause(c.table, "ADD COLUMN " + std::string{c.column} + " " + std::string{c.definition});
  for (const auto& w : widened)
    if (has_table(rows, w.table) && type_of(rows, w.table, w.column) != std::string{w.type})
      clause(w.table, "MODIFY " + std::string{w.column} + " " + std::string{w.type} + " NOT NULL");
  std::vector<std::string> out;
  for (const auto& [table, clauses] : alters) out.push_back("ALTER TABLE " + table + clauses);
  return out;
}

// Creates the tables a database lacks and brings those an older ferry made
// up to `tables`: every missing column and ENUM of a table in one ALTER,
// decided from information_schema, so a database that is up to date costs
// one query. Without GET_LOCK (refuses_named_locks) another ferry may work
// on the same tables at once: a table it created meanwhile may be of an
// older version (so the columns are read again after any CREATE), and a
// column it added meanwhile fails our ALTER with 1060 (so that is read
// again and the ALTERs redone once).
void create_or_upgrade(mysql::connection& conn) {
  auto rows = read_columns(conn);
  bool created = false;
  for (auto statement : tables)
    if (!has_table(rows, table_name(statement))) {
      conn.execute(statement);
      created = true;
    }
  if (created) rows = read_columns(conn);
  constexpr unsigned duplicate_column = 1060;  // ER_DUP_FIELDNAME
  for (int attempt = 1;; ++attempt) {
    try {
      for (const auto& alter : upgrades(rows)) conn.execute(alter);
      return;
    } catch (const mysql::error& e) {
      if (attempt > 1 || e.code() != duplicate_column) throw;
      rows = read_columns(conn);
    }
  }
}

}  // namespace

void migrate(mysql::connection& conn) {
  bool locked = true;
  try {
    const auto got = conn.query("SELECT GET_LOCK('ferry_migrate', 60)");
    if (got.empty() || got[0][0].value_or("0") != "1")
      throw std::runtime_error("could not take the ferry_migrate lock within 60 s");
  } catch (const mysql::error& e) {
    if (!refuses_named_locks(e)) throw;
    locked = false;
  }
  try {
    create_or_upgrade(conn);
    const auto version = std::to_string(schema_version);
    if (conn.query("SELECT 1 FROM ferry_schema WHERE version = " + version).empty())
      conn.execute("INSERT IGNORE INTO ferry_schema (version) VALUES (" + version + ")");
  } catch (...) {
    if (locked) conn.query("SELECT RELEASE_LOCK('ferry_migrate')");
    throw;
  }
  if (locked) conn.query("SELECT RELEASE_LOCK('ferry_migrate')");
}

}  // namespace ferry::state
