#pragma once
// ferry's configuration as plain structs, filled and validated by
// load_config_file (load.hpp) from one JSON file. Defaults below are the
// documented ones (docs/configuration.md). A loaded config is immutable by
// convention: the daemon owns one and hands out const references; reading it
// from several threads is safe.
#include "ferry/config/secret.hpp"
#include "ferry/templating/request_template.hpp"
#include "ferry/transform/mapper.hpp"
#include "ferry/transform/records.hpp"
#include "ferry/transform/sql_type.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ferry::config {

using std::chrono::milliseconds;
using std::chrono::sys_seconds;
using namespace std::chrono_literals;

// How batches are sent: bulk array binding (MariaDB), multi-row statements, or chosen at connect.
enum class write_mode { automatic, array, multi_row };
enum class mysql_tls_mode { disabled, preferred, required, verify_ca, verify_identity };

struct mysql_tls {
  mysql_tls_mode mode = mysql_tls_mode::disabled;
  std::optional<std::filesystem::path> ca_file;
};

struct mysql_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3306;
  std::optional<std::filesystem::path> socket;  // when set, used instead of host:port
  std::string user;
  secret password;  // empty (no origin) when neither password_env nor password_file is given
  std::string database;
  int pool_size = 4;
  milliseconds connect_timeout = 10s;
  milliseconds read_timeout = 60s;
  milliseconds write_timeout = 60s;
  std::size_t batch_rows = 1000;
  std::size_t batch_bytes = 4194304;
  write_mode mode = write_mode::automatic;
  mysql_tls tls;
};

// `calls` calls per `per`; a source honours all of its limits at once.
struct rate_limit {
  std::uint32_t calls = 0;
  milliseconds per{};
};

struct retry_config {
  int max_attempts = 6;
  milliseconds base_delay = 500ms;
  milliseconds max_delay = 30s;
  milliseconds max_throttle_wait = 10min;
};

struct source_tls {
  std::optional<std::filesystem::path> ca_file;  // extra CA bundle; the system store otherwise
  bool verify = true;
};

// Self-built (自研) apps refresh their tokens and may mint new ones
// (getInitToken); service-provider (服务商) apps may not refresh: their
// merchant authorises them again.
enum class app_kind { self_built, isv };

struct source_config {
  std::string name;
  std::string type = "jushuitan";
  std::string base_url;  // scheme://host[:port][/path], no trailing slash
  std::string app_key;
  secret app_secret;
  secret access_token;  // empty (no origin) when mint_tokens and none is given
  std::optional<secret> refresh_token;
  app_kind kind = app_kind::self_built;
  bool mint_tokens = false;  // getInitToken when tokens are missing, dead or refused
  std::optional<sys_seconds> token_expires_at;  // the configured tokens' expiry, when known
  std::vector<rate_limit> rate_limits{{5, 1s}, {100, 1min}};
  milliseconds timeout = 30s;
  milliseconds connect_timeout = 10s;
  int max_in_flight = 4;
  std::size_t max_response_bytes = 67108864;
  retry_config retry;
  source_tls tls;
  // The HTTP proxy calls go through (tunnelled with CONNECT): "http://host:port",
  // "" for none whatever the environment says; unset: HTTPS_PROXY / NO_PROXY decide.
  std::optional<std::string> proxy;
};

struct window_config {
  sys_seconds start;  // the first window's start when the job has no watermark yet
  milliseconds max_span{};
  milliseconds lag = 60s;
  milliseconds lookback = 5min;
  std::optional<sys_seconds> end;  // stop there (a bounded backfill job)
};

// A master list with no incremental filter (shops, warehouses), read whole
// by every run instead of by time windows: the table ends equal to the list,
// and rows it no longer lists are deleted in the transaction that writes it.
struct full_refresh_config {
  // An empty list deletes every row only when allowed.
  bool allow_empty = false;
  // A list shorter than this share of the last successful run's deletes
  // nothing and fails the run: a truncated answer must not empty a table.
  double min_ratio = 0.5;
  // Set: rows the list no longer has are not deleted but marked: this
  // DATETIME column (ferry adds it) gets the time they left the list, and
  // goes back to NULL when they are listed again.
  std::string mark;
};

// A stream read by a row-version cursor (the documented `start_ts`, "≥"),
// instead of time windows: each run walks every page of the rows whose
// version is at least the job's cursor, and a walk proved complete moves the
// cursor in the transaction of its last rows (docs/configuration.md,
// "Cursor"). Rows need not come in version order.
struct cursor_config {
  std::string field = "start_ts";  // the request field taking the cursor (inventory: "ts")
  std::string row_field = "ts";    // the record field holding the row's version
  std::int64_t start = 0;          // the first walk's cursor, when the job has none yet
  // Ask the platform for data_count (is_get_total) and check each walk
  // against it; without it a walk is proved by a second walk that finds
  // nothing the first one missed.
  bool count = true;
  std::string count_field = "is_get_total";  // empty: the endpoint has no such field
};

// A job run once per value of a request field (inventory per warehouse,
// wms_co_id): each value is sent in `field`, attached to the rows that lack
// it (as the record field of the same name), and keeps its own progress
// (watermark or cursor). The values are given, or read at each run from a
// column of a table another job fills; `after` names a job that must have
// succeeded once first (docs/configuration.md, "For each value").
struct for_each_config {
  std::string field;
  std::vector<nlohmann::ordered_json> values;  // integers or strings; empty when read from a table
  std::string table, column;           // set: read the distinct values of table.column
  std::string after;                   // a job of the config, or empty
};

// Exactly one of `every` and `cron` is set; by default every 5 minutes.
struct schedule_config {
  std::optional<milliseconds> every = 5min;
  std::optional<std::string> cron;  // "m h dom mon dow", checked for shape only
  std::string tz = "Asia/Shanghai";
  milliseconds jitter{0};
};

// A target column: name, source path (ferry::transform::json_path syntax:
// "sku_sn", "items[0].sku_id", "$.o_id" for the parent record of an exploded
// target), parsed SQL type, default and required flag. The mapper's own
// struct, so a target's columns pass to ferry::transform::mapper unchanged.
using column_config = transform::column_spec;

struct target_config {
  std::string table;
  // With from_table: the key ferry falls back to when the table has no
  // PRIMARY or UNIQUE key of its columns (QEasy's `id`); may be empty.
  std::vector<std::string> key;
  bool create_table = false;
  // The table exists and says the columns' types and the key (a QEasy
  // batchexecute target): ferry reads them when it first runs the job
  // (sync::bind_tables). Columns then carry no type.
  bool from_table = false;
  // Set by sync::bind_tables: the key is the fallback, not an index of the
  // table, so nothing may be written (the run says why).
  bool key_unindexed = false;
  std::optional<std::size_t> batch_rows;  // rows per batch for this table; mysql.batch_rows otherwise
  std::optional<std::string> explode;  // path of an array: one row per element
  std::optional<std::string> version;  // column holding the source's modification time
  std::vector<column_config> columns;  // in file order

  const column_config* find_column(std::string_view name) const;
  // What ferry::transform::mapper needs of this target; key columns without
  // a default are required there, so a record missing its key is a dead letter.
  transform::target_spec mapping() const;
};

// QEasy's omissionRemedy: a second schedule that re-reads the range from
// `from_days` to `to_days` days before the run's start (QEasy's catch-up
// run), at the limiter's spare-call priority, without moving the watermark.
struct catch_up_config {
  schedule_config schedule;
  int from_days = 2;
  int to_days = 1;
};

// Where a job came from when it was given as a QEasy pair: the fields QEasy
// named, and how ferry understood each key (for --check-config).
struct qeasy_origin {
  std::string number;  // the record field QEasy shows as the business number
  std::string name;
  std::string id;      // the record field QEasy used as the record's id
  std::vector<std::string> report;  // "jobs[0].qeasy.source.api: ...", in file order
};

struct job_config {
  std::string id;
  std::string source;
  std::string api;
  std::string list_key = "datas";
  int page_size = 100;
  int max_pages = 10000;
  templating::request_template request;
  window_config window;                          // unused by a full refresh or a cursor
  std::optional<full_refresh_config> full_refresh;  // set: read whole, not by windows
  std::optional<cursor_config> cursor;              // set: read by row-version cursor, not by windows
  std::optional<for_each_config> for_each;          // set: the job runs once per value
  schedule_config schedule;
  double dead_letter_max_ratio = 0.01;
  bool enabled = true;
  // Windows whose answers carried no data_count are read once more this long
  // after their commit (the verification pass), by live runs, with spare calls.
  bool verify = true;
  milliseconds verify_after = 1h;
  // Records kept (QEasy's condition; empty keeps all) and arrays flattened
  // (QEasy's beatFlat), in that order, before mapping.
  std::vector<transform::filter_group> filter;
  std::vector<std::string> flatten;
  std::optional<catch_up_config> catch_up;
  std::optional<qeasy_origin> qeasy;
  std::vector<target_config> targets;
};

// The job in ferry's own spelling (ferryd --print-job): a job given as a
// QEasy pair comes out as the native job it became.
nlohmann::ordered_json to_json(const job_config& job);

enum class log_level { trace, debug, info, warn, error };
enum class log_format { text, json };

struct log_config {
  log_level level = log_level::info;
  log_format format = log_format::text;
};

// The long-running daemon's admin API (docs/admin-api.md). Absent: no admin
// API is served.
struct admin_config {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;
  secret token;                 // bearer token for /api routes (token_env / token_file)
  bool metrics_auth = false;    // true: /metrics needs the token too
  std::optional<std::filesystem::path> tls_cert_file;
  std::optional<std::filesystem::path> tls_key_file;
  milliseconds shutdown_timeout = 30s;  // SIGTERM: how long in-flight runs may take to finish
};

struct config {
  mysql_config mysql;
  std::vector<source_config> sources;  // in file order
  std::vector<job_config> jobs;
  log_config log;
  std::optional<admin_config> admin;

  const source_config* find_source(std::string_view name) const;
  const job_config* find_job(std::string_view id) const;
};

}  // namespace ferry::config
