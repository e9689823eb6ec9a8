#include "ferry/state/job_lock.hpp"

#include "ferry/core/log.hpp"

#include <cstdio>

namespace ferry::state {
namespace {

std::shared_ptr<spdlog::logger> logger() { return core::module_logger("state"); }

// FNV-1a: stable across builds and processes, which std::hash is not.
std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::string one_cell(mysql::connection& conn, const std::string& sql) {
  const auto rows = conn.query(sql);
  if (rows.empty() || rows.front().empty() || !rows.front().front()) return {};
  return *rows.front().front();
}

}  // namespace

std::string job_lock_name(const std::string& database, const std::string& job_id) {
  std::string name = "ferry/" + database + "/" + job_id;
  constexpr std::size_t max = 64;  // MySQL's limit on a lock name
  if (name.size() <= max) return name;
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(name)));
  return name.substr(0, max - 17) + "~" + hash;
}

job_locks::job_locks(mysql::connection_options options)
    : conn_(options), database_(options.database) {}

job_locks::~job_locks() { close(); }

void job_locks::reconnect() {
  conn_.connect();
  connection_id_ = std::stoull(one_cell(conn_, "SELECT CONNECTION_ID()"));
  // Locks this process holds went with the old session: take them again. One
  // that another process took meanwhile stays with it; both then run the
  // job, which the watermark's compare-and-set keeps exact.
  for (const auto& [name, takes] : held_) {
    if (takes == 0) continue;
    std::string sql = "SELECT GET_LOCK(";
    conn_.append_quoted(sql, name);
    if (one_cell(conn_, sql + ", 0)") != "1")
      logger()->warn("lock {} was lost with its MySQL connection and another process holds it now; "
                     "both may run the job until one run ends (the data stays exact)", name);
  }
}

lock_attempt job_locks::try_take(const std::string& job_id) {
  std::lock_guard guard{mutex_};
  const auto name = job_lock_name(database_, job_id);
  auto& takes = held_[name];
  if (unsupported_) {
    ++takes;
    return {true, takes == 1, {}};
  }
  const bool held_here = takes > 0;
  try {
    // A session the server closed while idle (wait_timeout) or killed is
    // only found out by using it: one fresh connection is tried before
    // giving up.
    for (int attempt = 1;; ++attempt) {
      try {
        if (!conn_.connected()) reconnect();
        std::string quoted;
        conn_.append_quoted(quoted, name);
        if (held_here) {
          // Another run of the job in this process holds it: count one more
          // take, provided the server still agrees that this session holds it.
          const auto holder = one_cell(conn_, "SELECT IS_USED_LOCK(" + quoted + ")");
          if (holder == std::to_string(connection_id_) ||
              (holder.empty() && one_cell(conn_, "SELECT GET_LOCK(" + quoted + ", 0)") == "1")) {
            ++takes;
            return {true, false, {}};
          }
          return {false, false, describe(holder)};
        }
        const auto got = [&] {
          try {
            return one_cell(conn_, "SELECT GET_LOCK(" + quoted + ", 0)");
          } catch (const mysql::error& e) {
            if (e.kind() != mysql::error_kind::fatal) throw;
            // Named locks refused (a Galera cluster, a proxy in the way): run unlocked.
            logger()->warn("MySQL refused GET_LOCK ({}): jobs run without the one-process-per-job lock", e.what());
            unsupported_ = true;
            return std::string{"1"};
          }
        }();
        if (got == "1") {
          ++takes;
          return {true, true, {}};
        }
        // NULL: the statement was interrupted (KILL QUERY); 1317 is ER_QUERY_INTERRUPTED, retried.
        if (got.empty()) throw mysql::error{1317, "70100", "GET_LOCK(" + quoted + ") returned NULL"};
        held_.erase(name);
        return {false, false, describe(one_cell(conn_, "SELECT IS_USED_LOCK(" + quoted + ")"))};
      } catch (const mysql::error& e) {
        if (e.kind() != mysql::error_kind::connection_lost || attempt >= 2) throw;
        conn_.close();
      }
    }
  } catch (...) {
    if (const auto it = held_.find(name); it != held_.end() && it->second == 0) held_.erase(it);
    throw;
  }
}

std::string job_locks::describe(const std::string& holder) {
  if (holder.empty()) return "a session that has just let go of it";
  // The holder's account and address, when this user may see its session.
  const auto who = conn_.query("SELECT USER, HOST FROM information_schema.PROCESSLIST WHERE ID = " + holder);
  std::string text = "MySQL connection " + holder;
  if (!who.empty() && who.front().size() == 2)
    text += " (" + who.front()[0].value_or("?") + "@" + who.front()[1].value_or("?") + ")";
  return text;
}

void job_locks::release(const std::string& job_id) noexcept {
  std::lock_guard guard{mutex_};
  const auto name = job_lock_name(database_, job_id);
  const auto it = held_.find(name);
  if (it == held_.end()) return;
  if (--it->second > 0) return;
  held_.erase(it);
  if (unsupported_ || !conn_.connected()) return;
  try {
    std::string sql = "SELECT RELEASE_LOCK(";
    conn_.append_quoted(sql, name);
    conn_.query(sql + ")");
  } catch (const std::exception& e) {
    // The session is gone or going, and the lock with it.
    logger()->debug("releasing lock {}: {}", name, e.what());
  }
}

void job_locks::close() noexcept {
  std::lock_guard guard{mutex_};
  conn_.close();
  held_.clear();
  connection_id_ = 0;
}

std::uint64_t job_locks::connection_id() {
  std::lock_guard guard{mutex_};
  return conn_.connected() ? connection_id_ : 0;
}

}  // namespace ferry::state
