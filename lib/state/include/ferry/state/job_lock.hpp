#pragma once
// One ferryd at a time per job: a named MySQL lock (GET_LOCK) held for the
// length of a run, on a connection of its own that stays open while the
// process lives. The server lets go of the lock the moment that connection
// ends, so a ferryd killed by SIGKILL never leaves its jobs locked.
//
// The lock saves work and keeps ferry_runs truthful; it is not what keeps the
// data exact — the upserts are idempotent and the watermark only moves by
// compare-and-set, so two processes that both run a job (say the lock's
// connection was cut and another process took the lock meanwhile) still
// write the same rows.
//
// The lock's session must not end while a run goes on: it asks the server for
// the longest wait_timeout, and a run checks the lock before each window's
// commit (lost_to), which also keeps the session busy for proxies that close
// idle ones. A session found cut is opened again and takes its locks back.
//
// Locks are counted inside the process: a job that one process runs twice at
// once (a reload replacing a job whose run is still ending) takes the server
// lock once. Blocking (call from a pool thread); thread-safe.
#include "ferry/mysql/connection.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ferry::state {

// The server-wide name of a job's lock: "ferry/<database>/<job>", or for a
// name over MySQL's 64 characters its first part and a hash of the whole.
std::string job_lock_name(const std::string& database, const std::string& job_id);

// GET_LOCK answered "not supported" (1235: a Galera cluster) or "no such
// function" (1305): the server has no named locks at all.
bool refuses_named_locks(const mysql::error& e);

struct lock_attempt {
  bool taken = false;
  // Taken by this call with no other run of the job in this process: any
  // run of the job still marked running in ferry_runs was left by a process
  // that has ended.
  bool first = false;
  // When not taken: who holds it ("MySQL connection 57 (ferry@127.0.0.1:40612)").
  std::string holder;
};

class job_locks {
 public:
  explicit job_locks(mysql::connection_options options);
  ~job_locks();
  job_locks(const job_locks&) = delete;
  job_locks& operator=(const job_locks&) = delete;

  // Takes the job's lock without waiting. Throws mysql::error when MySQL
  // cannot be reached (the caller retries like any statement). A server
  // without named locks (GET_LOCK answered "not supported" or "no such
  // function": a Galera cluster, some proxies) is logged once and every job
  // is then run unlocked, as before ferry had the lock.
  lock_attempt try_take(const std::string& job_id);
  // Asked during a run: who holds the job's lock, if no longer this process
  // (its session was cut and another ferryd took the lock meanwhile); nullopt
  // while this process holds it. A lost lock that is free is taken back.
  // Throws mysql::error when MySQL cannot be reached.
  std::optional<std::string> lost_to(const std::string& job_id);
  // Gives back one take of the job's lock; never throws (a lock whose
  // connection was lost is gone already).
  void release(const std::string& job_id) noexcept;
  // Closes the lock connection, giving back every lock.
  void close() noexcept;
  // The server-wide name of the job's lock.
  std::string name(const std::string& job_id) const { return job_lock_name(database_, job_id); }
  // The MySQL connection id holding this process's locks (0 when none is open).
  std::uint64_t connection_id();

 private:
  struct holding {
    int takes = 0;          // runs of the job in this process holding it
    bool on_server = false;  // false when the server has no named locks
  };
  void reconnect();
  // When `holder` is a session this object opened earlier (its connection
  // broke on ferry's side only, and the server still keeps it and its
  // locks): ends that session and takes the lock here. True when taken.
  bool take_from_old_session(const std::string& quoted, const std::string& holder);
  // Runs `f` on the lock connection, opening it first if needed; a session
  // found cut is opened again once (and its locks taken back) before the
  // error is passed on.
  template <class F>
  auto on_connection(F f);
  // GET_LOCK(quoted, 0): "1" taken, "0" held elsewhere.
  std::string get_lock(const std::string& quoted);
  std::string describe(const std::string& holder_connection_id);
  std::mutex mutex_;
  mysql::connection conn_;
  std::string database_;
  std::uint64_t connection_id_ = 0;
  std::vector<std::string> old_sessions_;  // ids of the sessions opened before this one (the last 16)
  std::map<std::string, holding> held_;  // lock name -> how this process holds it
  std::set<std::string> taken_before_;    // jobs this process has run (without named locks: for `first`)
  bool unsupported_ = false;
};

}  // namespace ferry::state
