#include "reloader.hpp"

#include "notify.hpp"

#include "ferry/config/load.hpp"
#include "ferry/core/log.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <set>
#include <sstream>

namespace ferry::daemon {
namespace {

using nlohmann::ordered_json;

std::string secret_hash(const config::secret& s) { return std::to_string(std::hash<std::string>{}(s.reveal())); }

ordered_json read_json(const std::string& path) {
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  return ordered_json::parse(text.str(), nullptr, true, true);
}

}  // namespace

std::map<std::string, std::string> config_fingerprints(const std::string& path, const config::config& cfg) {
  std::map<std::string, std::string> out;
  const auto doc = read_json(path);
  out["mysql"] = doc.value("mysql", ordered_json{}).dump() + secret_hash(cfg.mysql.password);
  out["admin"] = doc.value("admin", ordered_json{}).dump() + (cfg.admin ? secret_hash(cfg.admin->token) : "");
  for (const auto& s : cfg.sources) {
    std::string secrets = secret_hash(s.app_secret) + secret_hash(s.access_token);
    if (s.refresh_token) secrets += secret_hash(*s.refresh_token);
    out["source:" + s.name] = doc["sources"][s.name].dump() + secrets;
  }
  for (const auto& job : doc.value("jobs", ordered_json::array())) {
    const auto id = job.value("id", std::string{});
    const auto source = job.value("source", std::string{});
    out["job:" + id] = job.dump() + out["source:" + source];
  }
  return out;
}

reloader::reloader(std::string config_path, engine& e, job_scheduler& jobs, metrics::registry& m,
                   const std::atomic<bool>& stopping)
    : config_path_(std::move(config_path)), engine_(e), jobs_(jobs), metrics_(m), stopping_(stopping) {
  fingerprints_ = config_fingerprints(config_path_, engine_.current());
}

// What a reload reads and builds before it touches anything.
struct reloader::build {
  engine::config_ptr next;
  std::map<std::string, std::string> prints;
  // Of every enabled job (which ones changed is known only on the loop, and
  // building one is cheap); the changed and added ones are moved into place.
  std::map<std::string, job_schedules> schedules;
};

// A reload is all or nothing: every step that can fail (reading the file,
// its schedules, building clients and plans, reading added jobs' state)
// comes before the swap, and any failure is one "reload refused" line with
// the running state untouched.
asio::awaitable<void> reloader::reload() {
  if (reloading_) {
    again_ = true;  // the file may have changed again since this reload read it
    co_return;
  }
  reloading_ = true;
  auto log = core::module_logger("daemon");
  do {
    again_ = false;
    sd_notify_reloading();
    try {
      co_await reload_or_refuse();
      metrics_.config_reloaded(true);
    } catch (const std::exception& e) {
      log->error("SIGHUP: reload refused: {}; the running config stays", e.what());
      metrics_.config_reloaded(false);
    } catch (...) {
      log->error("SIGHUP: reload refused: an unknown error; the running config stays");
      metrics_.config_reloaded(false);
    }
    sd_notify("READY=1");
  } while (again_ && !stopping_);
  reloading_ = false;
}

asio::awaitable<void> reloader::reload_or_refuse() {
  auto log = core::module_logger("daemon");
  // The file, its fingerprints and every schedule it holds, read on the
  // engine's builder thread.
  const auto path = config_path_;
  auto built = co_await engine_.off_loop([&path] {
    build b;
    auto loaded = config::load_config_file(path);
    if (!loaded.value) {
      auto errors = core::module_logger("daemon");
      for (const auto& e : loaded.errors) errors->error("reload: {}", e.to_string());
      throw std::invalid_argument(path + " has " + std::to_string(loaded.errors.size()) + " errors (above)");
    }
    b.next = std::make_shared<const config::config>(std::move(*loaded.value));
    b.prints = config_fingerprints(path, *b.next);
    for (const auto& job : b.next->jobs)
      if (job.enabled) b.schedules.emplace(job.id, make_schedules(job));
    return b;
  });
  if (built.prints.at("mysql") != fingerprints_.at("mysql"))
    throw std::invalid_argument("the mysql section changed; restart ferryd to apply it");
  if (built.prints.at("admin") != fingerprints_.at("admin"))
    log->warn("SIGHUP: the admin section changed; it applies at the next restart");
  std::set<std::string> sources, jobs;
  for (const auto& [key, print] : built.prints) {
    const auto old = fingerprints_.find(key);
    if (old != fingerprints_.end() && old->second == print) continue;
    if (key.starts_with("source:")) sources.insert(key.substr(7));
    if (key.starts_with("job:")) jobs.insert(key.substr(4));
  }
  for (const auto& [key, print] : fingerprints_) {
    if (key.starts_with("job:") && !built.prints.count(key)) jobs.insert(key.substr(4));
    if (key.starts_with("source:") && !built.prints.count(key)) sources.insert(key.substr(7));
  }
  auto staged = co_await engine_.stage(built.next, sources, jobs);
  // The state of added jobs (paused, progress, last runs), read before the swap too.
  std::map<std::string, job_state_read> added;
  for (const auto& id : jobs) {
    const auto* job = built.next->find_job(id);
    if (job == nullptr || !job->enabled || jobs_.find(id) != nullptr) continue;
    added[id] = co_await engine_.pool().run([&](mysql::connection& c) { return jobs_.read_state(c, id); });
  }
  if (stopping_) throw std::runtime_error("ferryd is stopping");
  // From here on nothing is refused: the new config is the running one.
  engine_.install(std::move(staged));
  fingerprints_ = built.prints;
  const auto cfg = engine_.current_ptr();
  for (const auto& id : jobs) {
    const auto* job = cfg->find_job(id);
    const bool known = jobs_.find(id) != nullptr;
    if (known && (job == nullptr || !job->enabled)) {
      jobs_.remove(id);
      log->info("reload: job {} removed (a run in progress finishes first)", id);
    } else if (known) {
      jobs_.change(id, cfg, std::move(built.schedules.at(id)));
      log->info("reload: job {} changed; its next run uses the new config", id);
    } else if (job != nullptr && job->enabled) {
      jobs_.add_running(cfg, *job, std::move(built.schedules.at(id)), added.at(id));
      log->info("reload: job {} added", id);
    }
  }
  // Unchanged jobs point at the same job in the new config: the old config
  // is freed once no slot, run or engine part holds it.
  jobs_.repoint(cfg);
  log->info("SIGHUP: reloaded {} ({} jobs, {} changed or added or removed)", config_path_, jobs_.size(), jobs.size());
}

}  // namespace ferry::daemon
