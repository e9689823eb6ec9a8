#pragma once
// Wiring: turns a loaded config into live objects (the MySQL pool, one
// Jushuitan client per source, one plan per job) and runs a job once.
// Owned by main; used from the io_context thread. A reload builds its
// state beside the running one (stage) and swaps it in (install).
#include "ferry/config/config.hpp"
#include "ferry/metrics/metrics.hpp"
#include "ferry/mysql/pool.hpp"
#include "ferry/ratelimit/clock.hpp"
#include "ferry/source/jushuitan/client.hpp"
#include "ferry/state/job_lock.hpp"
#include "ferry/state/store.hpp"
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
  using client_ptr = std::shared_ptr<source::jushuitan::client>;
  using plan_ptr = std::shared_ptr<const sync::job_plan>;
  using config_ptr = std::shared_ptr<const config::config>;

  // What a reload builds off to the side before anything changes: the new
  // config, a client for each changed or added source (its stored tokens
  // read, its CA file loaded), a plan for each changed or added job.
  struct staged {
    config_ptr cfg;
    std::set<std::string> sources;  // changed, added or removed
    std::set<std::string> jobs;     // changed, added or removed
    std::map<std::string, client_ptr> clients;
    std::map<std::string, plan_ptr> plans;
  };

  // `metrics` may be null (ferryd --once keeps none).
  // `now` is the wall clock the runs read (window ends, lag, the ledger's times).
  engine(asio::io_context& io, config_ptr cfg, metrics::registry* metrics = nullptr,
         sync::wall_clock now = sync::system_now);
  ~engine();

  // For ferryd --once, before start(): no timer keeps the tokens between
  // runs, so they are renewed once half their lifetime is gone.
  void ends_with_its_run() { ends_with_run_ = true; }
  // Creates ferry's state tables and builds every client and plan of the
  // initial config. Blocking; call before run_once.
  void start();
  // Builds what `cfg` changes (`sources` and `jobs` name the changed, added
  // and removed ones) without touching the running state: tokens are read
  // through the pool, clients and plans built on the engine's builder
  // thread, so the event loop goes on meanwhile. Throws what refuses the
  // reload. From the event loop.
  asio::awaitable<staged> stage(config_ptr cfg, std::set<std::string> sources, std::set<std::string> jobs);
  // Swaps a staged build in; cannot fail. Each replaced client hands the
  // account's one rate limiter to its successor (with the new rates) and
  // stops keeping tokens; runs under way keep their config, plan and client
  // until they end, and the last run of a replaced client closes it. From
  // the event loop.
  void install(staged next);
  // Runs `f` on the engine's builder thread (file reads, CA bundles, plans:
  // work that must not hold up the event loop) and resumes the caller on its
  // executor with the result or the exception. `f` must capture by reference.
  template <class F>
  auto off_loop(F f) -> asio::awaitable<std::invoke_result_t<F&>> {
    using result = std::invoke_result_t<F&>;
    co_return co_await asio::co_spawn(
        builder_.get_executor(), [fn = std::move(f)]() mutable -> asio::awaitable<result> { co_return fn(); },
        asio::use_awaitable);
  }

  // Runs the job once with the config, plan and client current when it
  // starts: a reload meanwhile changes the runs after it.
  asio::awaitable<sync::run_result> run_once(const std::string& job_id, sync::run_request request,
                                             sync::run_observer observer = {});
  // Marks the job's runs left running by an ended process as failed, if no
  // other ferryd is running the job right now (it would hold the job's lock);
  // returns how many. Blocking: on a pool thread or before the loop runs.
  std::uint64_t close_abandoned_runs(mysql::connection& conn, const std::string& job_id);
  // Ends every client's token keeper at its next wait (a renewal under way
  // finishes and saves its tokens): what lets a --once's io_context run out.
  void stop_keeping_tokens();
  // Whether a client is renewing its tokens now: a stopping process lets it
  // finish, or the platform's new tokens would be lost with it.
  bool renewing_tokens() const;
  void shutdown();

  mysql::pool& pool() { return pool_; }
  const config::config& current() const { return *cfg_; }
  config_ptr current_ptr() const { return cfg_; }
  // The source's client (for the status of its tokens); nullptr when none.
  const source::jushuitan::client* client(const std::string& source) const {
    const auto it = clients_.find(source);
    return it == clients_.end() ? nullptr : it->second.get();
  }
  plan_ptr plan(const std::string& job_id) const { return plans_.at(job_id); }

 private:
  // A source's client from its stored tokens; not yet keeping them.
  client_ptr make_client(const config::source_config& s, std::optional<state::source_tokens> stored);
  // The plans of `jobs` in `cfg` (a job not in it is removed: no plan). Pure;
  // on the builder thread for a reload.
  static std::map<std::string, plan_ptr> make_plans(const config::config& cfg, const std::set<std::string>& jobs);
  void keep_tokens(const std::string& source, const client_ptr& client);
  source::jushuitan::token_store token_store_for(const config::source_config& s);
  // Live clients that a reload replaced, forgetting those gone.
  std::vector<client_ptr> retired() const;

  asio::io_context& io_;
  config_ptr cfg_;
  metrics::registry* metrics_;
  sync::wall_clock now_;
  bool ends_with_run_ = false;
  // A reload never changes them (it is refused when the mysql section changes).
  const mysql::connection_options mysql_;
  // One connection holding the locks of the jobs this process runs; declared
  // before the pool, whose threads (joined when it goes) may still use it.
  state::job_locks locks_;
  mysql::pool pool_;
  ratelimit::steady_clock_source clock_;
  std::map<std::string, client_ptr> clients_;
  std::map<std::string, plan_ptr> plans_;
  std::set<std::string> prepared_;  // jobs whose target tables were checked for their current plan
  // Clients a reload replaced: owned by the runs still using them and their
  // token keeper; seen here only to stop them at shutdown.
  mutable std::vector<std::weak_ptr<source::jushuitan::client>> retired_;
  asio::thread_pool builder_{1};
};

}  // namespace ferry::daemon
