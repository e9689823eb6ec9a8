#pragma once
// What the admin API asks of the daemon. The HTTP server (server.hpp) owns
// transport, routing, auth, body limits and the JSON error format; the daemon
// implements this interface and owns the meaning of each operation. Every
// call runs on the server's executor (the daemon's io_context thread).
#include "ferry/core/asio.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <variant>

namespace ferry::admin {

// A refusal with its HTTP status and a stable machine-readable code, e.g.
// {404, "job_not_found", "no job \"x\"; jobs: a, b"}.
struct api_error {
  unsigned status = 500;
  std::string code;
  std::string message;
};

// Success: the HTTP status (200, 202, ...) and the JSON body.
struct api_reply {
  unsigned status = 200;
  nlohmann::json body;
};

using outcome = std::variant<api_reply, api_error>;

class control {
 public:
  virtual ~control() = default;

  // GET /readyz: nullopt when ready, else why not ("MySQL unreachable: ...").
  virtual asio::awaitable<std::optional<std::string>> not_ready_reason() = 0;
  // GET /metrics: Prometheus text exposition format 0.0.4.
  virtual std::string metrics_text() = 0;

  virtual asio::awaitable<outcome> list_jobs() = 0;                                   // GET /api/v1/jobs
  virtual asio::awaitable<outcome> get_job(const std::string& id) = 0;                // GET /api/v1/jobs/{id}
  virtual asio::awaitable<outcome> set_paused(const std::string& id, bool paused) = 0;  // PATCH {"paused": b}
  virtual asio::awaitable<outcome> trigger(const std::string& id) = 0;                // POST .../runs
  virtual asio::awaitable<outcome> list_runs(const std::string& id, std::size_t limit) = 0;  // GET .../runs
  // POST .../backfills {"from","to","dry_run"}: from/to already checked to be strings.
  virtual asio::awaitable<outcome> backfill(const std::string& id, const std::string& from, const std::string& to,
                                            bool dry_run) = 0;
  // GET .../windows?state=...
  virtual asio::awaitable<outcome> list_windows(const std::string& id, std::optional<std::string> state) = 0;
  // PUT /api/v1/log-level {"level": "..."}
  virtual outcome set_log_level(const std::string& level) = 0;
};

}  // namespace ferry::admin
