#include "ferry/state/job_lock.hpp"

#include "ferry/core/log.hpp"

#include <algorithm>
#include <cstdio>

namespace ferry::state {
namespace {

// Server error codes (mysqld_error.h belongs to ferry's MySQL module).
constexpr unsigned er_lock_wait_timeout = 1205;
constexpr unsigned er_not_supported_yet = 1235;  // Galera: "GET_LOCK in cluster (WSREP_ON=ON)"
constexpr unsigned er_sp_does_not_exist = 1305;  // "FUNCTION GET_LOCK does not exist"

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

bool refuses_named_locks(const mysql::error& e) {
  return e.code() == er_not_supported_yet || e.code() == er_sp_does_not_exist;
}

job_locks::job_locks(mysql::connection_options options)
    : conn_(options), database_(options.database) {}

job_locks::~job_locks() { close(); }

void job_locks::reconnect() {
  if (connection_id_ != 0) {
    old_sessions_.push_back(std::to_string(connection_id_));
    if (old_sessions_.size() > 16) old_sessions_.erase(old_sessions_.begin());
  }
  connection_id_ = 0;
  conn_.connect();
  try {
    connection_id_ = std::stoull(one_cell(conn_, "SELECT CONNECTION_ID()"));
    // The session idles between runs and while a window is fetched: the
    // server's wait_timeout (8 hours by default, often minutes) must not end
    // it and with it the locks. A year is the most MariaDB and MySQL accept.
    conn_.query("SET SESSION wait_timeout = 31536000");
    // Locks this process holds went with the old session: take them again.
    // One that another process took meanwhile stays with it; the run holding
    // it here stops before its next commit (lost_to).
    int back = 0, lost = 0;
    for (const auto& [name, h] : held_) {
      if (h.takes == 0 || !h.on_server) continue;
      std::string quoted;
      conn_.append_quoted(quoted, name);
      if (get_lock(quoted) == "1" ||
          take_from_old_session(quoted, one_cell(conn_, "SELECT IS_USED_LOCK(" + quoted + ")"))) {
        ++back;
        continue;
      }
      ++lost;
      logger()->warn("lock {} was lost with its MySQL connection and another process holds it now; "
                     "this process's run of the job stops before its next commit",
                     name);
    }
    if (back + lost > 0)
      logger()->warn("the job-lock connection to MySQL was opened again (now connection {}): {} lock(s) taken back, "
                     "{} held by another process; while it was cut, another ferryd could have started these jobs",
                     connection_id_, back, lost);
  } catch (...) {
    // Half set up: the next use starts again from a fresh session.
    conn_.close();
    throw;
  }
}

bool job_locks::take_from_old_session(const std::string& quoted, const std::string& holder) {
  if (holder.empty() || std::find(old_sessions_.begin(), old_sessions_.end(), holder) == old_sessions_.end())
    return false;
  logger()->warn("lock {} is still held by MySQL connection {}, an earlier session of this process that the server "
                 "kept after the connection broke: ending that session and taking the lock back",
                 quoted, holder);
  try {
    conn_.query("KILL CONNECTION " + holder);
  } catch (const mysql::error& e) {
    if (e.kind() == mysql::error_kind::connection_lost) throw;
    logger()->debug("ending MySQL connection {}: {}", holder, e.what());  // gone already
  }
  // The server lets go of a killed session's locks a moment later.
  return one_cell(conn_, "SELECT GET_LOCK(" + quoted + ", 10)") == "1";
}

template <class F>
auto job_locks::on_connection(F f) {
  for (int attempt = 1;; ++attempt) {
    try {
      if (!conn_.connected()) reconnect();
      return f();
    } catch (const mysql::error& e) {
      // A session the server closed or killed is only found out by using it.
      if (e.kind() != mysql::error_kind::connection_lost || attempt >= 2) throw;
      conn_.close();
    }
  }
}

std::string job_locks::get_lock(const std::string& quoted) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string got;
    try {
      got = one_cell(conn_, "SELECT GET_LOCK(" + quoted + ", 0)");
    } catch (const mysql::error& e) {
      // Only a server that has no named locks at all runs jobs unlocked;
      // any other error is passed on (and retried like any statement).
      if (!refuses_named_locks(e)) throw;
      if (!unsupported_)
        logger()->warn("MySQL refused GET_LOCK ({}): jobs run without the one-process-per-job lock", e.what());
      unsupported_ = true;
      return "1";
    }
    // NULL: the statement was interrupted (KILL QUERY): asked again.
    if (!got.empty()) return got;
  }
  throw mysql::error{er_lock_wait_timeout, "HY000", "GET_LOCK(" + quoted + ", 0) was interrupted three times"};
}

lock_attempt job_locks::try_take(const std::string& job_id) {
  std::lock_guard guard{mutex_};
  const auto name = job_lock_name(database_, job_id);
  const auto found = held_.find(name);
  const bool held_here = found != held_.end() && found->second.takes > 0;
  if (unsupported_) {
    ++held_[name].takes;
    // Without named locks: runs left running are closed on the first run of
    // the job in this process's life only.
    return {true, !held_here && taken_before_.insert(name).second, {}};
  }
  const auto attempt = on_connection([&]() -> lock_attempt {
    std::string quoted;
    conn_.append_quoted(quoted, name);
    if (held_here) {
      // Another run of the job in this process holds it: one more take,
      // provided the server still agrees that this session holds it.
      const auto holder = one_cell(conn_, "SELECT IS_USED_LOCK(" + quoted + ")");
      if (holder == std::to_string(connection_id_) || (holder.empty() && get_lock(quoted) == "1") ||
          take_from_old_session(quoted, holder))
        return {true, false, {}};
      return {false, false, describe(holder)};
    }
    if (get_lock(quoted) == "1") {
      if (unsupported_) return {true, taken_before_.insert(name).second, {}};
      return {true, true, {}};
    }
    const auto holder = one_cell(conn_, "SELECT IS_USED_LOCK(" + quoted + ")");
    if (take_from_old_session(quoted, holder)) return {true, true, {}};
    return {false, false, describe(holder)};
  });
  if (attempt.taken) {
    auto& h = held_[name];
    if (h.takes++ == 0) h.on_server = !unsupported_;
    taken_before_.insert(name);
  }
  return attempt;
}

std::optional<std::string> job_locks::lost_to(const std::string& job_id) {
  std::lock_guard guard{mutex_};
  const auto name = job_lock_name(database_, job_id);
  const auto found = held_.find(name);
  if (found == held_.end() || found->second.takes == 0 || !found->second.on_server) return std::nullopt;
  return on_connection([&]() -> std::optional<std::string> {
    std::string quoted;
    conn_.append_quoted(quoted, name);
    const auto holder = one_cell(conn_, "SELECT IS_USED_LOCK(" + quoted + ")");
    if (holder == std::to_string(connection_id_)) return std::nullopt;
    if ((holder.empty() && get_lock(quoted) == "1") || take_from_old_session(quoted, holder)) {
      logger()->warn("lock {} was lost (its MySQL session ended) and has been taken again", name);
      return std::nullopt;
    }
    return describe(holder);
  });
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
  if (--it->second.takes > 0) return;
  const bool on_server = it->second.on_server;
  held_.erase(it);
  if (!on_server || !conn_.connected()) return;
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
