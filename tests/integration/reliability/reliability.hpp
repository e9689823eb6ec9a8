#pragma once
// What ferry's reliability tests share beyond the engine harness: numbers from
// the environment (seeds, counts), a child's output drained while it runs, a
// row lock held by a second client, and a private MariaDB server that a test
// may stop, start and reconfigure without disturbing the tests that share the
// main one.
#include "harness.hpp"

#include "ferry/mysql/connection.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ferry::test {

// The environment variable `name` as a number, or `fallback` when unset.
std::uint64_t env_number(const char* name, std::uint64_t fallback);

// Reads (and drops) the child's stdout for `how_long`, so it never blocks on a
// full pipe; returns what it read.
std::string drain_for(test_support::child_process& child, std::chrono::milliseconds how_long);

// A second client that runs `sql` (SELECT ... FOR UPDATE, LOCK TABLES ...) in
// an open transaction and holds its locks until destroyed (then rolls back and
// disconnects).
class row_lock {
 public:
  row_lock(const test_database& db, const std::string& sql);
  ~row_lock();
  row_lock(const row_lock&) = delete;
  row_lock& operator=(const row_lock&) = delete;

 private:
  mysql::connection conn_;
};

// ferryd as a child process whose stdout a thread keeps reading (so a long
// run never blocks on a full pipe); the admin port is taken from the
// "ferryd admin listening on 127.0.0.1:PORT" line when there is one.
class running_ferryd {
 public:
  explicit running_ferryd(std::vector<std::string> args);
  ~running_ferryd();
  running_ferryd(const running_ferryd&) = delete;
  running_ferryd& operator=(const running_ferryd&) = delete;

  pid_t pid() const { return pid_; }
  // Waits up to 30 s for the admin port; throws when ferryd prints none.
  std::uint16_t admin_port();
  std::string output() const;
  // The exit code once ferryd has exited within `timeout`, else nullopt;
  // -N when a signal N ended it.
  std::optional<int> wait(std::chrono::seconds timeout);
  // Status code of GET `target` on the admin API (0 when no answer).
  int get_status(const std::string& target);
  // The body of GET `target` ("" when no answer).
  std::string get_body(const std::string& target);

 private:
  test_support::child_process process_;
  pid_t pid_;
  mutable std::mutex mutex_;
  std::string output_;
  std::atomic<bool> eof_{false};
  std::thread reader_;
};

// CPU seconds (user + system) a process has used so far, from /proc.
double cpu_seconds(pid_t pid);

// A MariaDB server of the test's own, started with deploy/mariadb-local.sh in
// a data directory under the build tree on a free port. While it lives, the
// FERRY_MYSQL_* variables point at it (so test_database and ferryd use it);
// the destructor stops it and restores them.
class private_mariadb {
 public:
  explicit private_mariadb(const std::string& name);
  ~private_mariadb();
  private_mariadb(const private_mariadb&) = delete;
  private_mariadb& operator=(const private_mariadb&) = delete;

  void stop();
  void start();
  // Runs `sql` as root (SET GLOBAL, KILL, ...); returns the first cell or "".
  std::string root(const std::string& sql) const;
  // Every row of `sql` run as root, each as its cells joined by '\t'.
  std::vector<std::string> root_rows(const std::string& sql) const;
  // Kills every session of `user`: KILL QUERY when `query_only()` says so,
  // else KILL CONNECTION. Returns how many it killed; a session that ends on
  // its own meanwhile is skipped.
  int kill_sessions(const std::string& user, const std::function<bool()>& query_only = {}) const;
  std::uint16_t port() const { return port_; }

 private:
  void script(const std::string& command) const;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  std::map<std::string, std::string> saved_env_;
  std::map<std::string, std::string> env_;
};

}  // namespace ferry::test
