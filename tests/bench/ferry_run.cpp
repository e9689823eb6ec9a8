#include "ferry_run.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ferry::bench {
namespace {

using nlohmann::ordered_json;
using clock_type = std::chrono::steady_clock;

ordered_json column(const std::string& name, const char* type) { return {{"path", name}, {"type", type}}; }

// VmHWM of /proc/PID/status in MiB: the peak RSS of the process as it is
// since exec. (wait4's ru_maxrss would also count the bench's own memory,
// which a spawned child shares until it calls exec.)
double peak_rss_mib(pid_t pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

// Every 5 ms until `done`: the child's peak RSS, and (when `table` is not
// empty) whether a row is visible in it yet.
void watch(pid_t pid, const mysql::connection_options& db, const std::string& table, clock_type::time_point start,
           const std::atomic<bool>& done, run_measure& m) {
  mysql::connection conn{db};
  const auto sql = table.empty() ? std::string{} : "SELECT 1 FROM " + mysql::quote_identifier(table) + " LIMIT 1";
  while (!done.load()) {
    m.peak_rss_mib = std::max(m.peak_rss_mib, peak_rss_mib(pid));
    try {
      if (!sql.empty() && m.first_row_seconds < 0 && !conn.query(sql).empty())
        m.first_row_seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    } catch (const mysql::error&) {
      // The table does not exist yet.
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
}

}  // namespace

ordered_json bench_config(const bench_settings& s) {
  ordered_json columns;
  for (const auto& [name, type] : std::vector<std::pair<std::string, const char*>>{
           {"sku_sn", "varchar(64)"}, {"io_id", "bigint"}, {"o_id", "bigint"}, {"inout_type", "tinyint"},
           {"sku_id", "varchar(64)"}, {"cost_price", "decimal(18,4)"}, {"cost_amount", "decimal(18,4)"},
           {"remark", "varchar(512)"}, {"create_time", "datetime"}, {"modified_time", "datetime"},
           {"supplier_id", "bigint"}, {"supplier_name", "varchar(128)"}})
    columns[name] = column(name, type);
  const auto limits = s.real_limits
      ? ordered_json::array({{{"calls", 5}, {"per", "1s"}}, {{"calls", 100}, {"per", "1m"}}})
      : ordered_json::array({{{"calls", 100000}, {"per", "1s"}}});
  ordered_json source = {{"type", "jushuitan"},
                         {"base_url", "http://127.0.0.1:" + std::to_string(s.sim_port)},
                         {"app_key", "demo"},
                         {"app_secret_env", "JST_APP_SECRET"},
                         {"access_token_env", "JST_ACCESS_TOKEN"},
                         {"refresh_token_env", "JST_REFRESH_TOKEN"},
                         {"rate_limits", limits},
                         {"timeout", "30s"},
                         {"max_in_flight", s.max_in_flight}};
  ordered_json job = {
      {"id", "skusn_inout"},
      {"source", "jst"},
      {"api", "/open/webapi/wmsapi/skusn/queryinoutitemskusns"},
      {"list_key", "datas"},
      {"page_size", 1000},
      {"request", ordered_json::array({{{"field", "create_time_start"}, {"value", "{{LAST_SYNC_TIME|datetime}}"}},
                                       {{"field", "create_time_end"}, {"value", "{{CURRENT_TIME|datetime}}"}}})},
      {"window", {{"start", "2026-01-01 00:00:00"}, {"max_span", "15d"}, {"end", "2026-01-31 00:00:00"}}},
      {"targets", ordered_json::array({{{"table", "bi_skusn_inout"},
                                        {"key", {"sku_sn", "io_id"}},
                                        {"version", "modified_time"},
                                        {"create_table", true},
                                        {"columns", columns}}})}};
  ordered_json mysql = {{"host", s.db.host},           {"port", s.db.port},
                        {"user", s.db.user},           {"password_env", "FERRY_MYSQL_PASSWORD"},
                        {"database", s.db.database},   {"pool_size", s.pool_size},
                        {"batch_rows", s.batch_rows},  {"batch_bytes", s.batch_bytes},
                        {"write_mode", s.write_mode}};
  return {{"mysql", mysql},
          {"sources", {{"jst", source}}},
          {"jobs", ordered_json::array({job})},
          {"log", {{"level", "info"}}}};
}

run_measure run_ferryd(const std::string& ferryd, const std::vector<std::string>& args,
                       const std::filesystem::path& log, const mysql::connection_options& db,
                       const std::string& table, bool watch_first_row) {
  std::vector<std::string> argv_text{ferryd};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);

  run_measure m;
  std::atomic<bool> done{false};
  const auto start = clock_type::now();
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, ferryd.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + ferryd);
  std::thread watcher{[&] { watch(pid, db, watch_first_row ? table : std::string{}, start, done, m); }};
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  m.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  done = true;
  watcher.join();
  m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  const auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  m.cpu_seconds = tv(usage.ru_utime) + tv(usage.ru_stime);
  if (m.exit_code != 0) {
    // A failed run measures nothing: say why, from the end of its log.
    std::ifstream in{log};
    std::string line, last;
    while (std::getline(in, line))
      if (!line.empty()) last = line;
    throw std::runtime_error("ferryd exited with " + std::to_string(m.exit_code) + " (" + log.string() + "): " + last);
  }
  mysql::connection conn{db};
  const auto rows = conn.query("SELECT fetched, inserted, updated, unchanged, throttles FROM ferry_runs ORDER BY id DESC LIMIT 1");
  if (!rows.empty()) {
    const auto n = [&](std::size_t i) { return rows[0][i] ? std::stoull(*rows[0][i]) : 0ULL; };
    m.fetched = n(0);
    m.inserted = n(1);
    m.updated = n(2);
    m.unchanged = n(3);
    m.throttles = n(4);
  }
  return m;
}

}  // namespace ferry::bench
