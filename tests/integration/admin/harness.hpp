#pragma once
// The admin server on 127.0.0.1:0 with a scripted control, on its own
// io_context thread, and two clients: a synchronous wrapper around
// ferry::http::client (headers, TLS) and raw POSIX connections for slow or
// misbehaving peers.
#include "ferry/admin/server.hpp"
#include "ferry/http/client.hpp"
#include "ferry/metrics/metrics.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ferry::admin::testing {

// Knows jobs "skusn", "orders" and "slow" (whose GET takes 100 ms). Records
// the arguments of its last call. Runs on the server's thread; the recorded
// values are read by the test after the reply, so a mutex guards them.
class fake_control final : public control {
 public:
  asio::awaitable<std::optional<std::string>> not_ready_reason() override;
  std::string metrics_text() override { return metrics.text(); }
  asio::awaitable<std::vector<job_view>> list_jobs() override;
  asio::awaitable<result<job_view>> get_job(const std::string& id) override;
  asio::awaitable<result<job_view>> set_paused(const std::string& id, bool paused) override;
  asio::awaitable<result<trigger_receipt>> trigger(const std::string& id) override;
  asio::awaitable<result<std::vector<run_view>>> list_runs(const std::string& id, run_query q) override;
  asio::awaitable<result<backfill_receipt>> backfill(const std::string& id, backfill_request r) override;
  asio::awaitable<result<std::vector<window_view>>> list_windows(const std::string& id, window_query q) override;
  void set_log_level(log_level level) override;

  // The job every call that finds one answers with: "skusn" paused or not,
  // with a run, a token and times, so the router's rendering is checked.
  static job_view sample_job(const std::string& id, bool paused = false);

  std::string last_call() const;  // "set_paused skusn true", "list_runs orders 20", ...
  std::atomic<int> calls{0};
  std::atomic<bool> ready{true};
  metrics::registry metrics;

 private:
  void record(std::string call);
  mutable std::mutex mutex_;
  std::string last_call_;
};

inline const std::string test_token = "s3cret-token-for-tests";

server_options test_options();

class admin_fixture {
 public:
  explicit admin_fixture(server_options options = test_options());
  ~admin_fixture();
  admin_fixture(const admin_fixture&) = delete;
  admin_fixture& operator=(const admin_fixture&) = delete;

  std::uint16_t port() const { return port_; }
  void stop_server() { server_->stop(); }
  fake_control control;

 private:
  asio::io_context io_;
  std::unique_ptr<server> server_;
  std::uint16_t port_ = 0;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
};

// A synchronous client for one test thread: each call runs its own
// io_context until the response (or failure) arrives.
class admin_client {
 public:
  explicit admin_client(std::uint16_t port, bool tls = false, std::optional<std::string> ca_file = std::nullopt);
  http::result send(std::string method, std::string target, std::string body = "",
                    std::string content_type = "", std::optional<std::string> token = test_token);
  // Sends `req` as it is (no token added).
  http::result send_raw(http::request req);
  http::result get(std::string target) { return send("GET", std::move(target)); }
  std::uint64_t connections_opened() const { return client_.connections_opened(); }

 private:
  asio::io_context io_;
  http::url base_;
  http::client client_;
};

// A response header's value ("" when absent).
std::string header(const http::response& res, std::string_view name);
// The error code of a problem answer ("" when it is not one): sent as
// application/problem+json with type "/problems/<code>", a title, the
// answer's status, and the detail equal to error.message.
std::string error_code_of(const http::response& res);

// A raw TCP connection to 127.0.0.1:port, for peers that misbehave.
class raw_connection {
 public:
  explicit raw_connection(std::uint16_t port);
  ~raw_connection();
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  void send(std::string_view bytes);
  // Reads until `complete(received)` says so, the peer closes, or the timeout.
  std::string receive(std::chrono::milliseconds timeout, bool (*complete)(const std::string&) = nullptr);
  // Waits up to `timeout` for the peer to close; returns how long that took, or nullopt.
  std::optional<std::chrono::milliseconds> wait_closed(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

// True once `text` holds a whole response with a Content-Length body.
bool whole_response(const std::string& text);

}  // namespace ferry::admin::testing
