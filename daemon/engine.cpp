#include "engine.hpp"

#include "ferry/http/proxy.hpp"
#include "ferry/http/url.hpp"
#include "ferry/state/store.hpp"
#include "ferry/state/token_lock.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace ferry::daemon {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

mysql::tls_mode tls_mode(config::mysql_tls_mode m) {
  switch (m) {
    case config::mysql_tls_mode::disabled: return mysql::tls_mode::disabled;
    case config::mysql_tls_mode::preferred: return mysql::tls_mode::preferred;
    case config::mysql_tls_mode::required: return mysql::tls_mode::required;
    case config::mysql_tls_mode::verify_ca: return mysql::tls_mode::verify_ca;
    case config::mysql_tls_mode::verify_identity: return mysql::tls_mode::verify_identity;
  }
  return mysql::tls_mode::disabled;
}

source::jushuitan::tokens to_tokens(const state::source_tokens& t) {
  return {t.access_token, t.refresh_token, t.expires_at, t.issued_at};
}

state::source_tokens to_row(const source::jushuitan::tokens& t) {
  return {t.access_token, t.refresh_token, t.expires_at, t.issued_at};
}

source::jushuitan::client_options client_options(const config::source_config& s,
                                                 std::optional<state::source_tokens> stored) {
  source::jushuitan::client_options o;
  o.source_name = s.name;
  std::string error;
  const auto base = http::parse_url(s.base_url, error);
  if (!base) throw std::invalid_argument("sources." + s.name + ".base_url: " + error);
  o.base = *base;
  o.app_key = s.app_key;
  o.app_secret = s.app_secret;
  o.kind = s.kind == config::app_kind::isv ? source::jushuitan::app_kind::isv : source::jushuitan::app_kind::self_built;
  o.mint_tokens = s.mint_tokens;
  // Tokens renewed by an earlier run replace the configured ones: the
  // platform has already retired those.
  if (stored && !stored->access_token.empty()) {
    o.initial_tokens = to_tokens(*stored);
    if (!o.initial_tokens.expires_at) o.initial_tokens.expires_at = s.token_expires_at;
  } else {
    o.initial_tokens.access_token = s.access_token.reveal();
    if (s.refresh_token) o.initial_tokens.refresh_token = s.refresh_token->reveal();
    o.initial_tokens.expires_at = s.token_expires_at;
  }
  for (const auto& r : s.rate_limits) o.rates.push_back({r.calls, r.per});
  o.retry = {s.retry.max_attempts, s.retry.base_delay, s.retry.max_delay, s.retry.max_throttle_wait};
  o.http.connect_timeout = s.connect_timeout;
  o.http.request_timeout = s.timeout;
  o.http.max_body_bytes = s.max_response_bytes;
  o.http.verify_peer = s.tls.verify;
  if (s.tls.ca_file) o.http.ca_file = s.tls.ca_file->string();
  o.http.max_idle_per_host = static_cast<std::size_t>(s.max_in_flight);
  std::string proxy_error;
  o.http.proxy = http::proxy_for(o.base, s.proxy, http::process_env(), proxy_error);
  // The source's own setting was checked with the config; an environment
  // proxy ferry cannot use (user info, https://) is named and not used.
  if (!proxy_error.empty()) {
    if (s.proxy) throw std::invalid_argument("sources." + s.name + ".proxy: " + proxy_error);
    spdlog::warn("source={} ignores the environment's proxy: {}; calls go direct (set the source's \"proxy\")",
                 s.name, proxy_error);
  }
  if (o.http.proxy)
    spdlog::info("source={} calls {} through the proxy {}:{} ({})", s.name, s.base_url, o.http.proxy->host,
                 o.http.proxy->port, s.proxy ? "its proxy setting" : "the environment's proxy");
  return o;
}

metrics::request_outcome to_request_outcome(retry::outcome o) {
  switch (o) {
    case retry::outcome::success: return metrics::request_outcome::ok;
    case retry::outcome::transient: return metrics::request_outcome::transient;
    case retry::outcome::throttle: return metrics::request_outcome::throttled;
    case retry::outcome::token_expired: return metrics::request_outcome::token_expired;
    case retry::outcome::fatal: return metrics::request_outcome::fatal;
  }
  return metrics::request_outcome::fatal;
}

// A client's token keeper, holding it: see keep_tokens.
asio::awaitable<void> keep_alive(std::shared_ptr<source::jushuitan::client> client) {
  co_await client->keep_tokens();
}

}  // namespace

mysql::connection_options mysql_options(const config::mysql_config& m) {
  mysql::connection_options o;
  o.host = m.host;
  o.port = m.port;
  if (m.socket) o.socket = m.socket->string();
  o.user = m.user;
  o.password = m.password;
  o.database = m.database;
  o.connect_timeout = duration_cast<seconds>(m.connect_timeout);
  o.read_timeout = duration_cast<seconds>(m.read_timeout);
  o.write_timeout = duration_cast<seconds>(m.write_timeout);
  o.tls = tls_mode(m.tls.mode);
  if (m.tls.ca_file) o.ca_file = m.tls.ca_file->string();
  o.writes = m.mode == config::write_mode::array       ? mysql::write_mode::array
             : m.mode == config::write_mode::multi_row ? mysql::write_mode::multi_row
                                                        : mysql::write_mode::automatic;
  return o;
}

engine::engine(asio::io_context& io, config_ptr cfg, metrics::registry* metrics, sync::wall_clock now)
    : io_(io), cfg_(std::move(cfg)), metrics_(metrics), now_(std::move(now)), mysql_(mysql_options(cfg_->mysql)), locks_(mysql_),
      pool_(mysql_, static_cast<std::size_t>(cfg_->mysql.pool_size)) {}

engine::~engine() { shutdown(); }

void engine::start() {
  pool_.run_blocking([](mysql::connection& conn) {
    state::migrate(conn);
    return 0;
  });
  staged first{cfg_, {}, {}, {}, {}};
  for (const auto& s : cfg_->sources) {
    first.sources.insert(s.name);
    const auto stored = pool_.run_blocking(
        [&](mysql::connection& conn) { return state::load_tokens(conn, s.name, s.app_key); });
    first.clients[s.name] = make_client(s, stored);
  }
  for (const auto& j : cfg_->jobs) first.jobs.insert(j.id);
  first.plans = make_plans(*cfg_, first.jobs);
  install(std::move(first));
}

asio::awaitable<engine::staged> engine::stage(config_ptr cfg, std::set<std::string> sources,
                                              std::set<std::string> jobs) {
  staged next{cfg, std::move(sources), std::move(jobs), {}, {}};
  for (const auto& s : cfg->sources) {
    if (!next.sources.count(s.name) && clients_.count(s.name)) continue;
    // Tokens an earlier run renewed replace the configured ones. MySQL away
    // now refuses the reload: the running client keeps the account going.
    const auto stored =
        co_await pool_.run([&](mysql::connection& conn) { return state::load_tokens(conn, s.name, s.app_key); });
    next.clients[s.name] = co_await off_loop([&] { return make_client(s, stored); });
  }
  next.plans = co_await off_loop([&] { return make_plans(*cfg, next.jobs); });
  co_return next;
}

std::map<std::string, engine::plan_ptr> engine::make_plans(const config::config& cfg,
                                                           const std::set<std::string>& jobs) {
  std::map<std::string, plan_ptr> plans;
  for (const auto& id : jobs) {
    const auto* j = cfg.find_job(id);
    if (j == nullptr) continue;  // removed
    const auto* s = cfg.find_source(j->source);
    if (s == nullptr) throw std::invalid_argument("job " + j->id + ": no source " + j->source);
    plans[id] = std::make_shared<const sync::job_plan>(sync::make_job_plan(*j, *s, cfg.mysql));
  }
  return plans;
}

void engine::install(staged next) {
  cfg_ = std::move(next.cfg);
  // Replaced clients end with their last run; only their keeper stops now.
  std::erase_if(retired_, [](const auto& w) { return w.expired(); });
  const auto retire = [this](const std::string& name) -> client_ptr {
    const auto it = clients_.find(name);
    if (it == clients_.end()) return nullptr;
    auto old = std::move(it->second);
    clients_.erase(it);
    old->stop_keeping();
    retired_.push_back(old);
    return old;
  };
  for (const auto& name : next.sources)
    if (cfg_->find_source(name) == nullptr) retire(name);  // removed
  for (auto& [name, client] : next.clients) {
    // One limiter per account: the new client takes the old one's, with its
    // own rates, so runs of both draw on one budget of calls.
    if (const auto old = retire(name)) client->take_limiter(old->shared_limiter());
    keep_tokens(name, client);
    clients_[name] = std::move(client);
  }
  for (const auto& id : next.jobs) {
    prepared_.erase(id);
    plans_.erase(id);
    if (auto p = next.plans.find(id); p != next.plans.end()) plans_[id] = std::move(p->second);
  }
}

std::vector<engine::client_ptr> engine::retired() const {
  std::erase_if(retired_, [](const auto& w) { return w.expired(); });
  std::vector<client_ptr> out;
  for (const auto& w : retired_)
    if (auto c = w.lock()) out.push_back(std::move(c));
  return out;
}

// The account's tokens live in ferry_sources: read before use, renewed
// under the row's lock (a token_lock of this client's own, so that a client
// a reload replaced and its successor also take turns).
source::jushuitan::token_store engine::token_store_for(const config::source_config& s) {
  auto lock = std::make_shared<state::token_lock>(mysql_, s.name, s.app_key);
  source::jushuitan::token_store store;
  store.load = [this, name = s.name, key = s.app_key]() -> asio::awaitable<std::optional<source::jushuitan::tokens>> {
    const auto row = co_await pool_.run([&](mysql::connection& conn) { return state::load_tokens(conn, name, key); });
    if (!row) co_return std::nullopt;
    co_return to_tokens(*row);
  };
  store.lock = [this, lock](const source::jushuitan::tokens& current)
      -> asio::awaitable<std::optional<source::jushuitan::tokens>> {
    // Copied on the event loop: the client's tokens are not for a pool thread to read.
    const auto mine = to_row(current);
    const auto row = co_await pool_.run([&](mysql::connection&) { return lock->lock(mine); });
    if (!row) co_return std::nullopt;
    co_return to_tokens(*row);
  };
  store.save = [this, name = s.name, key = s.app_key](const source::jushuitan::tokens& t) -> asio::awaitable<void> {
    const auto row = to_row(t);
    co_await pool_.run([&](mysql::connection& conn) {
      state::save_tokens(conn, name, key, row);
      return 0;
    });
  };
  store.unlock = [this, lock](const std::optional<source::jushuitan::tokens>& fresh) -> asio::awaitable<void> {
    std::optional<state::source_tokens> row;
    if (fresh) row = to_row(*fresh);
    co_await pool_.run([&](mysql::connection&) {
      lock->unlock(row);
      return 0;
    });
  };
  return store;
}

engine::client_ptr engine::make_client(const config::source_config& s, std::optional<state::source_tokens> stored) {
  auto options = client_options(s, stored);
  options.renew_at_half_life = ends_with_run_;
  if (metrics_ != nullptr) {
    auto& m = metrics_->source(s.name);
    options.on_call = [&m](const std::string& api, retry::outcome o, std::chrono::duration<double> elapsed) {
      m.request(api, to_request_outcome(o), elapsed);
    };
    options.on_limiter_wait = [&m](std::chrono::nanoseconds waited) {
      if (waited.count() > 0) m.ratelimit_waited(waited);
    };
    options.on_tokens = [&m](const source::jushuitan::tokens& t, std::optional<std::chrono::sys_seconds> refresh_due,
                             bool renewable) {
      std::optional<std::chrono::system_clock::time_point> expires, due;
      if (t.expires_at) expires = *t.expires_at;
      if (refresh_due) due = *refresh_due;
      m.set_token(expires, due, renewable);
    };
    options.on_renewed = [&m] { m.token_renewed(); };
  }
  return std::make_shared<source::jushuitan::client>(io_.get_executor(), std::move(options), clock_,
                                                     token_store_for(s));
}

// Its tokens are kept alive on a timer of their own, between runs too. The
// keeper shares the client: one a reload replaced lives until its keeper has
// seen stop_keeping (a renewal under way ends and saves first).
void engine::keep_tokens(const std::string& source, const client_ptr& client) {
  asio::co_spawn(io_, keep_alive(client), [name = source](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& error) {
      spdlog::error("source={} keeping the tokens stopped: {}", name, error.what());
    }
  });
}

bool engine::renewing_tokens() const {
  for (const auto& [name, client] : clients_)
    if (client->renewing()) return true;
  for (const auto& client : retired())
    if (client->renewing()) return true;
  return false;
}

void engine::stop_keeping_tokens() {
  for (auto& [name, client] : clients_) client->stop_keeping();
  for (auto& client : retired()) client->stop_keeping();
}

asio::awaitable<sync::run_result> engine::run_once(const std::string& job_id, sync::run_request request,
                                                   sync::run_observer observer) {
  // This run's own config, client and plan: shared, so a reload meanwhile
  // frees none of them under it.
  config_ptr cfg;
  const config::job_config* job = nullptr;
  for (;;) {
    cfg = cfg_;
    job = cfg->find_job(job_id);
    if (job == nullptr) throw std::invalid_argument("no job " + job_id);
    // A QEasy batchexecute target: its types and key are the table's own,
    // read before the plan's first run (and again after a run its table's
    // missing key stopped, so that a key the operator added is found).
    if (prepared_.count(job_id) || !sync::needs_binding(*job)) break;
    auto bound = co_await pool_.run([&](mysql::connection& conn) { return sync::bind_tables(*job, conn); });
    if (cfg_ != cfg) continue;  // a reload came meanwhile: bind the job it installed
    for (const auto& note : bound.notes) spdlog::info("job={} {}", job_id, note);
    plans_[job_id] = std::make_shared<const sync::job_plan>(
        sync::make_job_plan(bound.job, *cfg->find_source(job->source), cfg->mysql));
    break;
  }
  const client_ptr client = clients_.at(job->source);
  const plan_ptr plan = plans_.at(job_id);
  sync::page_fetcher fetch = [c = client.get()](const std::string& api, const nlohmann::json& biz,
                                                const std::string& list_key, ratelimit::priority priority) {
    return c->fetch(api, biz, list_key, priority);
  };
  sync::runner runner{io_.get_executor(), pool_, *plan, fetch, now_, std::move(observer), &locks_};
  // Tokens another ferryd renewed, or ones due for renewal, before the first page.
  co_await client->sync_tokens();
  // Target tables are checked (and created or extended) once per plan, not every run.
  if (!prepared_.count(job_id)) {
    co_await runner.prepare();
    // A guarded plan (its table had no key) is bound again next time; a
    // reload meanwhile installed a plan of its own, to be checked anew.
    if (!plan->guard && plans_.count(job_id) && plans_.at(job_id) == plan) prepared_.insert(job_id);
  }
  co_return co_await runner.run(std::move(request));
}

std::uint64_t engine::close_abandoned_runs(mysql::connection& conn, const std::string& job_id) {
  const auto lock = locks_.try_take(job_id);
  if (!lock.taken) return 0;
  try {
    const auto closed = lock.first ? state::close_abandoned_runs(conn, job_id) : 0;
    locks_.release(job_id);
    return closed;
  } catch (...) {
    locks_.release(job_id);
    throw;
  }
}

void engine::shutdown() {
  for (auto& [name, client] : clients_) client->shutdown();
  for (auto& client : retired()) client->shutdown();
  // A commit still on a pool thread (the shutdown timeout passed) ends
  // before the locks go: no other ferryd starts the job under a write.
  pool_.stop();
  locks_.close();
}

}  // namespace ferry::daemon
