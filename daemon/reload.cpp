#include "reload.hpp"

#include "job_slot.hpp"
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

// A reload is all or nothing: every step that can fail (reading the file,
// its schedules, building clients and plans) comes before the swap, and any
// failure is one "reload refused" line with the running state untouched.
void service::reload() {
  auto log = core::module_logger("daemon");
  sd_notify("RELOADING=1");
  try {
    reload_or_refuse();
  } catch (const std::exception& e) {
    log->error("SIGHUP: reload refused: {}; the running config stays", e.what());
  }
  sd_notify("READY=1");
}

void service::reload_or_refuse() {
  auto log = core::module_logger("daemon");
  auto loaded = config::load_config_file(config_path_);
  if (!loaded.value) {
    for (const auto& e : loaded.errors) log->error("reload: {}", e.to_string());
    log->error("SIGHUP: {} has {} errors; reload refused, the running config stays", config_path_,
               loaded.errors.size());
    return;
  }
  auto next = std::make_unique<config::config>(std::move(*loaded.value));
  const auto prints = config_fingerprints(config_path_, *next);
  if (prints.at("mysql") != fingerprints_.at("mysql")) {
    log->error("SIGHUP: the mysql section changed; restart ferryd to apply it. Reload refused.");
    return;
  }
  if (prints.at("admin") != fingerprints_.at("admin"))
    log->warn("SIGHUP: the admin section changed; it applies at the next restart");
  std::set<std::string> sources, jobs;
  for (const auto& [key, print] : prints) {
    const auto old = fingerprints_.find(key);
    if (old != fingerprints_.end() && old->second == print) continue;
    if (key.starts_with("source:")) sources.insert(key.substr(7));
    if (key.starts_with("job:")) jobs.insert(key.substr(4));
  }
  for (const auto& [key, print] : fingerprints_)
    if (key.starts_with("job:") && !prints.count(key)) jobs.insert(key.substr(4));
  // Every schedule of a changed or added job, built before anything changes.
  std::map<std::string, scheduler::schedule> schedules;
  for (const auto& id : jobs)
    if (const auto* job = next->find_job(id); job != nullptr && job->enabled) {
      schedules.emplace(id, make_schedule(job->schedule));
      if (job->catch_up) make_schedule(job->catch_up->schedule);
    }
  engine_.apply(*next, sources, jobs);
  // From here on nothing is refused: the new config is the running one.
  generations_.push_back(std::move(next));
  fingerprints_ = prints;
  for (const auto& id : jobs) {
    const auto* job = current().find_job(id);
    const auto it = slots_.find(id);
    if (it != slots_.end() && (job == nullptr || !job->enabled)) {
      it->second->removed = true;
      it->second->wake->cancel();
      removed_slots_.push_back(std::move(it->second));
      slots_.erase(it);
      log->info("reload: job {} removed (a run in progress finishes first)", id);
    } else if (it != slots_.end()) {
      auto& slot = *it->second;
      slot.job = job;
      slot.schedule = schedules.at(id);
      slot.metrics->set_schedule_period(slot.schedule.period_hint());
      set_catch_up(slot);
      slot.wake->cancel();
      log->info("reload: job {} changed; its next run uses the new config", id);
    } else if (job != nullptr && job->enabled) {
      add_slot(*job);
      try {
        load_job_state(*slots_.at(id));
      } catch (const std::exception& e) {
        log->error("reload: job {}: its state could not be read ({}); its runs read it again", id, e.what());
      }
      spawn_loop(*slots_.at(id));
      log->info("reload: job {} added", id);
    }
  }
  log->info("SIGHUP: reloaded {} ({} jobs, {} changed or added or removed)", config_path_, slots_.size(), jobs.size());
}

}  // namespace ferry::daemon
