#pragma once
// What ferryd's end-to-end tests share: a jst-sim child process, a scratch
// database, a config written for both, ferryd run as a child process, and a
// row-by-row comparison of a target table with jst-sim's truth.
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "test_database.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <chrono>
#include <thread>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ferry::test {

inline constexpr const char* flow_api = "/open/webapi/wmsapi/skusn/queryinoutitemskusns";
inline constexpr const char* orders_api = "/open/orders/single/query";

class sim {
 public:
  explicit sim(std::vector<std::string> args);
  std::uint16_t port() const { return port_; }
  // Rows visible now with their time in [from, to], as jst-sim renders them.
  std::vector<nlohmann::json> truth(const std::string& endpoint, const std::string& from, const std::string& to);
  void set_faults(const nlohmann::json& faults);
  nlohmann::json stats();
  // GET /__sim/tokens; with `expire_in` (seconds), ages the current tokens first.
  nlohmann::json tokens(std::optional<int> expire_in = std::nullopt);
  // GET /__sim/tokens of one account (jst-sim --accounts).
  nlohmann::json tokens_of(const std::string& app_key);

 private:
  test_support::child_process process_;
  std::uint16_t port_ = 0;
};

// A target column: {"path": path, "type": type}.
nlohmann::ordered_json column(const char* path, const char* type);

// The seed job's config (unique-code flow into bi_skusn_inout) for `port` and `db`.
nlohmann::ordered_json flow_config(std::uint16_t port, const test_database& db);
// The orders job: bi_orders and exploded bi_order_items.
nlohmann::ordered_json orders_config(std::uint16_t port, const test_database& db);

struct ferryd_result {
  int exit_code = -1;
  std::string out;
};

// Writes `config` to a file in a scratch folder and returns its path.
std::filesystem::path write_config(const std::string& name, const nlohmann::ordered_json& config);
// Sets the JST_* secrets to jst-sim's defaults (or `secret` for the app secret).
void set_source_env(const std::string& secret = "demo-secret");
ferryd_result run_ferryd(const std::vector<std::string>& args, std::chrono::seconds timeout = std::chrono::seconds{300});
// The same with ferryd's log (stderr) in `out` too, after the summary's lines as they came.
ferryd_result run_ferryd_with_log(const std::vector<std::string>& args,
                                  std::chrono::seconds timeout = std::chrono::seconds{300});

// A running `ferryd --config FILE` daemon; its admin port is read from the
// "ferryd admin listening on 127.0.0.1:PORT" line it prints on stdout.
class ferryd_daemon {
 public:
  explicit ferryd_daemon(const std::filesystem::path& config);
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  // Sends SIGTERM and returns the exit code; -1 when it did not exit
  // normally within a minute.
  int terminate();

 private:
  test_support::child_process process_;
  std::uint16_t port_ = 0;
};

// The value of one series in a Prometheus text exposition (`series` as it is
// written there, labels included: ferry_config_reloads_total{result="refused"}),
// as its text ("1", "0.25"); nullopt when the series is not there.
std::optional<std::string> metric_sample(const std::string& exposition, const std::string& series);

// Waits until `done()` holds, polling every 100 ms; fails the test after `limit`.
template <class F>
void eventually(F done, std::chrono::seconds limit, const char* what) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) FAIL("timed out waiting for " << what);
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
}

// Differences between a table and the truth, keyed by `key`: "" when exact.
struct comparison {
  std::size_t missing = 0, extra = 0, stale = 0, matching = 0;
  std::vector<std::string> examples;
  bool exact() const { return missing == 0 && extra == 0 && stale == 0; }
  std::string describe() const;
};
comparison compare(const test_database& db, const std::string& table, const std::vector<std::string>& key,
                   const std::vector<std::string>& columns, const std::vector<nlohmann::json>& expected_rows);

// The seed job's key and columns, and the whole table compared with the truth
// between `from` and `to` (default: all of January 2026, jst-sim's data).
extern const std::vector<std::string> flow_key;
extern const std::vector<std::string> flow_columns;
comparison compare_flow(const test_database& db, sim& s, const std::string& from = "2026-01-01 00:00:00",
                        const std::string& to = "2026-02-01 00:00:00");

// The text MySQL would return for a JSON value: strings as they are, numbers
// as their exact text, null as nullopt.
std::optional<std::string> sql_text(const nlohmann::json& value);

}  // namespace ferry::test
