#include "ferry/state/store.hpp"
#include "ferry/state/job_lock.hpp"

#include <array>
#include <string_view>

namespace ferry::state {
namespace {

// Version 1 of ferry's own tables. Later versions append statements here and
// bump schema_version; nothing is ever dropped.
constexpr std::array<std::string_view, 6> version_1{{
    R"(CREATE TABLE IF NOT EXISTS ferry_schema (
  version INT NOT NULL PRIMARY KEY,
  applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)",
    R"(CREATE TABLE IF NOT EXISTS ferry_jobs (
  job_id VARCHAR(64) NOT NULL PRIMARY KEY,
  watermark DATETIME NULL COMMENT 'end of the last complete window, Asia/Shanghai',
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
  KEY job_window (job_id, window_start),
  KEY job_state (job_id, state)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)",
    R"(CREATE TABLE IF NOT EXISTS ferry_runs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_id VARCHAR(64) NOT NULL,
  kind ENUM('scheduled','manual','once','backfill','catch_up') NOT NULL,
  state ENUM('queued','running','success','failed') NOT NULL,
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
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (source, app_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)",
}};

// Columns added after version 1, each as (table, column, definition). A
// column already there is left alone, so migrating twice changes nothing;
// ALTER ... ADD COLUMN IF NOT EXISTS is MariaDB's alone, so the check reads
// information_schema, which MySQL has too.
struct added_column {
  std::string_view table, column, definition;
};
constexpr std::array<added_column, 10> later_columns{{
    // 2: when the stored tokens were issued, for their lifetime
    {"ferry_sources", "issued_at", "DATETIME NULL COMMENT 'when ferry got the tokens, Asia/Shanghai' AFTER expires_at"},
    // 2: the verification pass of windows the API gave no count for
    {"ferry_windows", "verify_due",
     "DATETIME NULL COMMENT 'when the window is read once more (no data_count to check it), Asia/Shanghai'"},
    {"ferry_windows", "verified_at", "DATETIME NULL COMMENT 'when that second read was committed, Asia/Shanghai'"},
    {"ferry_windows", "verified_keys", "BIGINT UNSIGNED NULL COMMENT 'distinct keys the second read saw'"},
    {"ferry_windows", "verify_found", "BIGINT UNSIGNED NULL COMMENT 'rows only the second read found (inserted by it)'"},
    // 3: records a job's filter (QEasy's condition) kept out
    {"ferry_runs", "skipped", "BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'records the job''s filter kept out'"},
    // 5: jobs read by a row-version cursor (start_ts)
    {"ferry_jobs", "ts_cursor",
     "BIGINT NULL COMMENT 'a cursor job''s next walk reads the rows whose version is at least this' AFTER watermark"},
    {"ferry_jobs", "ts_seen",
     "BIGINT NULL COMMENT 'the largest row version a walk of the job has seen' AFTER ts_cursor"},
    {"ferry_windows", "cursor_start", "BIGINT NULL COMMENT 'a cursor walk: the cursor it read from'"},
    {"ferry_windows", "cursor_end", "BIGINT NULL COMMENT 'a cursor walk: the cursor it left (= cursor_start: not moved)'"},
}};

void add_missing_columns(mysql::connection& conn) {
  for (const auto& c : later_columns) {
    std::string sql = "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ";
    conn.append_quoted(sql, c.table);
    sql += " AND COLUMN_NAME = ";
    conn.append_quoted(sql, c.column);
    const auto rows = conn.query(sql);
    if (!rows.empty() && rows[0][0].value_or("0") != "0") continue;
    conn.execute("ALTER TABLE " + std::string{c.table} + " ADD COLUMN " + std::string{c.column} + " " +
                 std::string{c.definition});
  }
}

}  // namespace

void migrate(mysql::connection& conn) {
  // Several ferryd instances may start at once: one migrates, the others wait.
  // A server without named locks (a Galera cluster, some proxies) migrates
  // unlocked: every statement is CREATE TABLE IF NOT EXISTS or INSERT IGNORE.
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
    for (auto statement : version_1) conn.execute(statement);
    add_missing_columns(conn);
    // 3: catch-up runs (QEasy's omissionRemedy). MODIFY to the same list is a no-op.
    conn.execute("ALTER TABLE ferry_runs MODIFY kind ENUM('scheduled','manual','once','backfill','catch_up') NOT NULL");
    // 4: runs a shutdown ended between windows. A value added at the end of
    // an ENUM changes only the table's definition, not its rows.
    conn.execute(
        "ALTER TABLE ferry_runs MODIFY state ENUM('queued','running','success','failed','interrupted') NOT NULL");
    conn.execute("INSERT IGNORE INTO ferry_schema (version) VALUES (" + std::to_string(schema_version) + ")");
  } catch (...) {
    if (locked) conn.query("SELECT RELEASE_LOCK('ferry_migrate')");
    throw;
  }
  if (locked) conn.query("SELECT RELEASE_LOCK('ferry_migrate')");
}

}  // namespace ferry::state
