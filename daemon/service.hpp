#pragma once
// The long-running ferryd, put together from its parts (docs/architecture.md,
// "Inside ferryd"):
//   engine         the config made live: MySQL pool, clients, plans; runs a job once
//   job_scheduler  when runs start: one loop per job
//   controller     the admin API's meaning (admin::control)
//   reloader       SIGHUP: the config again, all or nothing
// and this class: the admin server, signals (SIGTERM/SIGINT drain, SIGHUP
// reload), the systemd watchdog and notify, and the shutdown. Everything
// runs on one io_context thread; the clock every part reads is injected.
#include "controller.hpp"
#include "engine.hpp"
#include "job_scheduler.hpp"
#include "reloader.hpp"

#include "ferry/admin/server.hpp"
#include "ferry/metrics/metrics.hpp"

#include <atomic>
#include <memory>

namespace ferry::daemon {

class service {
 public:
  service(asio::io_context& io, config::config cfg, std::string config_path,
          sync::wall_clock now = sync::system_now);
  ~service();

  // Starts everything and runs the event loop until a stop signal; returns
  // the process exit code.
  int run();

 private:
  const config::config& current() const { return engine_.current(); }
  asio::awaitable<void> watchdog();
  void begin_shutdown(const char* why);
  void stop_when_tokens_saved();

  asio::io_context& io_;
  std::atomic<bool> stopping_{false};
  metrics::registry metrics_;
  engine engine_;
  job_scheduler jobs_;
  controller controller_;
  reloader reloader_;
  std::unique_ptr<admin::server> admin_;
  asio::signal_set signals_;
  std::unique_ptr<asio::steady_timer> shutdown_deadline_;
};

}  // namespace ferry::daemon
