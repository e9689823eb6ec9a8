#pragma once
// What the admin API asks of the daemon, in typed values both ways. The HTTP
// side (router.cpp) owns transport, routing, auth, body limits, parsing every
// input into the values below, and rendering every answer and refusal as
// JSON; the daemon implements `control` and owns the meaning of each
// operation, and never sees or writes JSON. Every call runs on the server's
// executor (the daemon's io_context thread).
//
// The values are shaped for what follows: a run is a resource with an id
// (trigger_receipt carries it once queued runs are rows), listings take a
// query struct that can grow paging and filters, and a refusal is a kind the
// router maps to one status and one stable code.
#include "ferry/core/asio.hpp"
#include "ferry/core/window_state.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ferry::admin {

using time_point = std::chrono::sys_seconds;

// Why the daemon refused a call; the router gives each one status and code.
enum class refusal_kind {
  job_not_found,       // 404 job_not_found
  run_already_queued,  // 409 run_already_queued
  stopping,            // 503 stopping: ferryd is shutting down
  invalid_range,       // 422 invalid_range: a range the job cannot take (too many windows)
};

struct refusal {
  refusal_kind kind;
  std::string message;  // for people: names the job, the limit, the value
};

// A value, or why not.
template <class T>
using result = std::variant<T, refusal>;

// What a run did, as ferry_runs counts it.
struct run_counts {
  std::uint64_t windows = 0;
  std::uint64_t incomplete_windows = 0;
  std::uint64_t pages = 0;
  std::uint64_t fetched = 0;
  std::uint64_t inserted = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t dead_letters = 0;
  std::uint64_t retries = 0;
  std::uint64_t throttles = 0;
};

// One row of ferry_runs.
struct run_view {
  std::int64_t id = 0;
  std::string kind;   // scheduled, manual, backfill, catch_up, once
  std::string state;  // running, success, failed
  time_point from{};
  time_point to{};
  time_point started_at{};
  std::optional<time_point> finished_at;
  run_counts counts;
  std::optional<std::string> error;
};

// The last run this ferryd finished of a job (not one that found nothing to do).
struct last_run_view {
  std::int64_t id = 0;
  std::string state = "success";  // success, failed, interrupted (by a shutdown between windows)
  double seconds = 0;
  run_counts counts;
  std::optional<std::string> error;
};

// A source's access token: when it expires (unknown yet: nullopt) and
// whether ferry renews it by itself (false: a person must, before then).
struct token_view {
  std::optional<time_point> expires_at;
  bool renewable = false;
};

enum class job_activity { idle, running, paused };

struct job_view {
  std::string id;
  std::string source;
  std::string api;
  std::string schedule;  // "every 3600s", "cron 0 9 * * 1-5 (Asia/Shanghai)"
  bool paused = false;
  job_activity activity = job_activity::idle;
  bool queued = false;  // a triggered run waits
  std::size_t backfills_queued = 0;
  std::optional<time_point> watermark;
  std::optional<std::int64_t> freshness_seconds;  // now minus the watermark
  std::optional<time_point> last_run_started;
  std::optional<time_point> next_run;
  std::optional<std::string> held_elsewhere;  // why the last attempt did not run
  std::optional<token_view> source_token;
  std::optional<last_run_view> last_run;
};

using core::window_state;  // complete, incomplete, failed

struct window_view {
  std::int64_t run_id = 0;
  time_point from{};
  time_point to{};
  window_state state = window_state::complete;
  std::uint64_t pages = 0;
  std::uint64_t fetched = 0;
  std::uint64_t distinct_keys = 0;
  std::optional<std::uint64_t> data_count;
  std::uint64_t inserted = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t dead_letters = 0;
  std::uint64_t fetch_rounds = 0;
  std::string note;
};

// A time range, both ends inclusive, `to` after `from`.
struct time_range {
  time_point from{};
  time_point to{};
};

// GET .../runs?limit=
struct run_query {
  std::size_t limit = 20;  // 1..1000
};

// GET .../windows?state=
struct window_query {
  std::optional<window_state> state;
  std::size_t limit = 500;
};

// POST .../runs: the run is queued (it starts when the job's current run, if
// any, has ended).
struct trigger_receipt {
  bool job_running = false;
  bool job_paused = false;
};

// POST .../backfills
struct backfill_request {
  time_range range;
  bool dry_run = false;
};

struct backfill_receipt {
  bool dry_run = false;
  std::vector<time_range> windows;  // what the backfill reads, in order
  // Queued (not a dry run): its place among the job's queued backfills, from 1.
  std::size_t position = 0;
  // A dry run: at least one call per window, and the time the slowest of the
  // source's rate limits needs for them.
  std::uint64_t estimated_calls_min = 0;
  double estimated_seconds_min = 0;
};

enum class log_level { trace, debug, info, warn, error, critical, off };

std::string_view to_string(log_level level);
std::string_view to_string(job_activity activity);

class control {
 public:
  virtual ~control() = default;

  // GET /readyz: nullopt when ready, else why not ("MySQL unreachable: ...").
  virtual asio::awaitable<std::optional<std::string>> not_ready_reason() = 0;
  // GET /metrics: Prometheus text exposition format 0.0.4.
  virtual std::string metrics_text() = 0;

  // `id` is always a valid job id (1 to 64 of a-z, 0-9, _); unknown ones are refused here.
  virtual asio::awaitable<std::vector<job_view>> list_jobs() = 0;                                  // GET /api/v1/jobs
  virtual asio::awaitable<result<job_view>> get_job(const std::string& id) = 0;                    // GET .../{id}
  virtual asio::awaitable<result<job_view>> set_paused(const std::string& id, bool paused) = 0;    // PATCH {"paused"}
  virtual asio::awaitable<result<trigger_receipt>> trigger(const std::string& id) = 0;             // POST .../runs
  virtual asio::awaitable<result<std::vector<run_view>>> list_runs(const std::string& id, run_query q) = 0;
  virtual asio::awaitable<result<backfill_receipt>> backfill(const std::string& id, backfill_request r) = 0;
  virtual asio::awaitable<result<std::vector<window_view>>> list_windows(const std::string& id, window_query q) = 0;
  virtual void set_log_level(log_level level) = 0;  // PUT /api/v1/log-level
};

}  // namespace ferry::admin
