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

// What a reload reads and builds before it touches anything.
struct service::reload_build {
  engine::config_ptr next;
  std::map<std::string, std::string> prints;
  // Of every enabled job (which ones changed is known only on the loop); the
  // changed ones are installed. A catch-up's schedule is built here only to
  // be sure it can be: set_catch_up builds it again at the swap.
  std::map<std::string, scheduler::schedule> schedules;
};

// A reload is all or nothing: every step that can fail (reading the file,
// its schedules, building clients and plans, reading added jobs' state)
// comes before the swap, and any failure is one "reload refused" line with
// the running state untouched.
asio::awaitable<void> service::reload() {
  if (reloading_) {
    reload_again_ = true;  // the file may have changed again since this reload read it
    co_return;
  }
  reloading_ = true;
  auto log = core::module_logger("daemon");
  do {
    reload_again_ = false;
    sd_notify("RELOADING=1");
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
  } while (reload_again_ && !stopping_);
  reloading_ = false;
}

asio::awaitable<void> service::reload_or_refuse() {
  auto log = core::module_logger("daemon");
  // The file, its fingerprints and every schedule it holds, read on the
  // engine's builder thread.
  const auto path = config_path_;
  auto built = co_await engine_.off_loop([&path] {
    reload_build b;
    auto loaded = config::load_config_file(path);
    if (!loaded.value) {
      auto errors = core::module_logger("daemon");
      for (const auto& e : loaded.errors) errors->error("reload: {}", e.to_string());
      throw std::invalid_argument(path + " has " + std::to_string(loaded.errors.size()) + " errors (above)");
    }
    b.next = std::make_shared<const config::config>(std::move(*loaded.value));
    b.prints = config_fingerprints(path, *b.next);
    for (const auto& job : b.next->jobs)
      if (job.enabled) {
        b.schedules.emplace(job.id, make_schedule(job.schedule));
        if (job.catch_up) make_schedule(job.catch_up->schedule);
      }
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
    if (job == nullptr || !job->enabled || slots_.count(id)) continue;
    added[id] = co_await engine_.pool().run([&](mysql::connection& c) { return read_job_state(c, id); });
  }
  if (stopping_) throw std::runtime_error("ferryd is stopping");
  // From here on nothing is refused: the new config is the running one.
  engine_.install(std::move(staged));
  fingerprints_ = built.prints;
  const auto cfg = engine_.current_ptr();
  for (const auto& id : jobs) {
    const auto* job = cfg->find_job(id);
    const auto it = slots_.find(id);
    if (it != slots_.end() && (job == nullptr || !job->enabled)) {
      it->second->removed = true;
      it->second->wake->cancel();
      removed_slots_.push_back(std::move(it->second));
      slots_.erase(it);
      log->info("reload: job {} removed (a run in progress finishes first)", id);
    } else if (it != slots_.end()) {
      auto& slot = *it->second;
      slot.cfg = cfg;
      slot.job = job;
      slot.schedule = built.schedules.at(id);
      slot.metrics->set_schedule_period(slot.schedule.period_hint());
      set_catch_up(slot);
      slot.wake->cancel();
      log->info("reload: job {} changed; its next run uses the new config", id);
    } else if (job != nullptr && job->enabled) {
      add_slot(cfg, *job);
      apply_job_state(*slots_.at(id), added.at(id));
      spawn_loop(*slots_.at(id));
      log->info("reload: job {} added", id);
    }
  }
  // Unchanged jobs point at the same job in the new config: the old config
  // is freed once no slot, run or engine part holds it.
  for (auto& [id, slot] : slots_)
    if (slot->cfg != cfg) {
      slot->cfg = cfg;
      slot->job = cfg->find_job(id);
    }
  log->info("SIGHUP: reloaded {} ({} jobs, {} changed or added or removed)", config_path_, slots_.size(), jobs.size());
}

}  // namespace ferry::daemon
