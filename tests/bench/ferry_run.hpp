#pragma once
// One `ferryd --once` run measured from outside: wall time, the child's CPU
// time (wait4's rusage), its peak RSS (VmHWM, read every 5 ms), the time until the first row is
// visible in MySQL (a second connection polls every 5 ms), and the run's
// counts from ferry_runs. Blocking.
#include "ferry/mysql/connection.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ferry::bench {

struct bench_settings {
  std::uint16_t sim_port = 0;
  mysql::connection_options db;
  int pool_size = 2;
  int max_in_flight = 4;
  std::size_t batch_rows = 1000;
  std::size_t batch_bytes = 4u << 20;
  std::string write_mode = "auto";
  bool real_limits = false;  // 5/s and 100/min in ferry's config
};

// The JSON config of the bench job `skusn_inout` (flow rows, pages of 1000, two windows of 15 days: the flow query refuses 30).
nlohmann::ordered_json bench_config(const bench_settings& s);

struct run_measure {
  int exit_code = -1;
  double seconds = 0;
  double cpu_seconds = 0;
  double peak_rss_mib = 0;
  double first_row_seconds = -1;  // -1: never seen
  std::uint64_t fetched = 0, inserted = 0, updated = 0, unchanged = 0, throttles = 0;
};

// Runs `ferryd args...` with stdout and stderr to `log`.
run_measure run_ferryd(const std::string& ferryd, const std::vector<std::string>& args,
                       const std::filesystem::path& log, const mysql::connection_options& db,
                       const std::string& table, bool watch_first_row);

}  // namespace ferry::bench
