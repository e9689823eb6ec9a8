#pragma once
// Wiring: turns a loaded config into live objects (the MySQL pool, one
// Jushuitan client per source, one plan per job) and runs a job once.
// Owned by main; used from the io_context thread.
#include "ferry/config/config.hpp"
#include "ferry/metrics/metrics.hpp"
#include "ferry/mysql/pool.hpp"
#include "ferry/ratelimit/clock.hpp"
#include "ferry/source/jushuitan/client.hpp"
#include "ferry/state/job_lock.hpp"
#include "ferry/sync/job_plan.hpp"
#include "ferry/sync/runner.hpp"

#include <map>
#include <set>
#include <vector>
#include <memory>
#include <string>

namespace ferry::daemon {

mysql::connection_options mysql_options(const config::mysql_config& m);

class engine {
 public:
  // `metrics` may be null (ferryd --once keeps none).
  engine(asio::io_context& io, const config::config& cfg, metrics::registry* metrics = nullptr);
  ~engine();

  // Creates ferry's state tables and builds every client and plan of the
  // initial config. Blocking; call before run_once.
  void start();
  // Makes `cfg` the current config: clients of `sources` and plans of `jobs`
  // are built anew; the ones they replace stay alive for runs still using
  // them (a run holds its plan and client to its end). All or nothing: when
  // building throws, the engine is as it was. Blocking.
  void apply(const config::config& cfg, const std::set<std::string>& sources, const std::set<std::string>& jobs);
  asio::awaitable<sync::run_result> run_once(const std::string& job_id, sync::run_request request,
                                             sync::run_observer observer = {});
  // Marks the job's runs left running by an ended process as failed, if no
  // other ferryd is running the job right now (it would hold the job's lock);
  // returns how many. Blocking; for start-up.
  std::uint64_t close_abandoned_runs(const std::string& job_id);
  // Ends every client's token keeper at its next wait (a renewal under way
  // finishes and saves its tokens): what lets a --once's io_context run out.
  void stop_keeping_tokens();
  // Whether a client is renewing its tokens now: a stopping process lets it
  // finish, or the platform's new tokens would be lost with it.
  bool renewing_tokens() const;
  void shutdown();

  mysql::pool& pool() { return pool_; }
  // The source's client (for the status of its tokens); nullptr when none.
  const source::jushuitan::client* client(const std::string& source) const {
    const auto it = clients_.find(source);
    return it == clients_.end() ? nullptr : it->second.get();
  }
  const sync::job_plan& plan(const std::string& job_id) const { return *plans_.at(job_id); }

 private:
  // A source's client, its stored tokens read (blocking); not yet keeping them.
  std::unique_ptr<source::jushuitan::client> make_client(const config::source_config& s);
  void keep_tokens(const std::string& source, source::jushuitan::client& client);
  source::jushuitan::token_store token_store_for(const config::source_config& s);

  asio::io_context& io_;
  const config::config* cfg_;
  metrics::registry* metrics_;
  // One connection holding the locks of the jobs this process runs; declared
  // before the pool, whose threads (joined when it goes) may still use it.
  state::job_locks locks_;
  mysql::pool pool_;
  ratelimit::steady_clock_source clock_;
  std::map<std::string, std::unique_ptr<source::jushuitan::client>> clients_;
  std::map<std::string, std::unique_ptr<sync::job_plan>> plans_;
  std::set<std::string> prepared_;  // jobs whose target tables were checked for their current plan
  // Replaced by a reload while a run may still use them.
  std::vector<std::unique_ptr<source::jushuitan::client>> retired_clients_;
  std::vector<std::unique_ptr<sync::job_plan>> retired_plans_;
};

}  // namespace ferry::daemon
