#pragma once
// SIGHUP: loads the config file again, all or nothing. Everything is built
// beside the running state, off the event loop (the file, its schedules,
// clients, plans, added jobs' state), and swapped in only when all of it was
// built; any failure is one "reload refused" line and
// ferry_config_reloads_total{result="refused"}, with nothing changed. Jobs
// added, removed and changed take effect without disturbing the others (a
// changed or removed job's run in progress finishes first, with the config,
// plan and client it started with). A SIGHUP during a reload is answered by
// one more reload after it. On the event loop.
#include "job_scheduler.hpp"

#include "ferry/config/config.hpp"

#include <atomic>
#include <map>
#include <string>

namespace ferry::daemon {

// What a reload compares: a fingerprint per job ("job:<id>", which includes
// its source's), per source ("source:<name>"), and of the "mysql" and "admin"
// sections, taken from the file's JSON text and the resolved secrets (a
// secret changed in the environment counts as a change).
std::map<std::string, std::string> config_fingerprints(const std::string& path, const config::config& cfg);

class reloader {
 public:
  // Reads the running config's fingerprints from `config_path` (throws when
  // the file cannot be read: at start, before anything runs).
  reloader(std::string config_path, engine& e, job_scheduler& jobs, metrics::registry& m,
           const std::atomic<bool>& stopping);

  // One reload, or one more after the one under way.
  asio::awaitable<void> reload();

 private:
  struct build;
  asio::awaitable<void> reload_or_refuse();  // throws what refuses the reload, before any change

  std::string config_path_;
  engine& engine_;
  job_scheduler& jobs_;
  metrics::registry& metrics_;
  const std::atomic<bool>& stopping_;
  std::map<std::string, std::string> fingerprints_;  // "job:<id>", "source:<name>", "mysql", "admin"
  bool reloading_ = false;
  bool again_ = false;  // a SIGHUP came during a reload
};

}  // namespace ferry::daemon
