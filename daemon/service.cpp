#include "service.hpp"

#include "notify.hpp"

#include "ferry/core/log.hpp"
#include "ferry/core/time.hpp"

#include <spdlog/spdlog.h>

#include <csignal>

namespace ferry::daemon {
namespace {

std::shared_ptr<spdlog::logger> logger() { return core::module_logger("daemon"); }

}  // namespace

service::service(asio::io_context& io, config::config cfg, std::string config_path, sync::wall_clock now)
    : io_(io),
      engine_(io, std::make_shared<const config::config>(std::move(cfg)), &metrics_, now),
      jobs_(io, engine_, metrics_, now, stopping_),
      controller_(engine_, jobs_, metrics_, now, stopping_),
      reloader_(std::move(config_path), engine_, jobs_, metrics_, stopping_),
      signals_(io, SIGTERM, SIGINT, SIGHUP) {
  for (const auto& job : current().jobs)
    if (job.enabled) jobs_.add(engine_.current_ptr(), job);
  jobs_.on_all_ended([this] { stop_when_tokens_saved(); });
}

service::~service() = default;

int service::run() {
  engine_.start();
  jobs_.load_states();
  if (current().admin) {
    admin::server_options o;
    o.address = current().admin->address;
    o.port = current().admin->port;
    o.token = current().admin->token;
    o.metrics_need_token = current().admin->metrics_auth;
    if (current().admin->tls_cert_file) o.tls_cert_file = current().admin->tls_cert_file->string();
    if (current().admin->tls_key_file) o.tls_key_file = current().admin->tls_key_file->string();
    admin_ = std::make_unique<admin::server>(io_.get_executor(), o, controller_);
    const auto port = admin_->start();
    logger()->info("admin API listening on {}:{}", o.address, port);
    // Tests and scripts read the bound port from this line (listen port 0 picks one).
    std::printf("ferryd admin listening on %s:%u\n", o.address.c_str(), static_cast<unsigned>(port));
    std::fflush(stdout);
  }
  jobs_.start();
  asio::co_spawn(io_, watchdog(), [](std::exception_ptr) {});
  std::function<void(const boost::system::error_code&, int)> on_signal = [this, &on_signal](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      asio::co_spawn(io_, reloader_.reload(), asio::detached);
      signals_.async_wait(on_signal);
      return;
    }
    begin_shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT");
  };
  signals_.async_wait(on_signal);
  sd_notify("READY=1\nSTATUS=syncing " + std::to_string(jobs_.size()) + " jobs");
  logger()->info("ferryd started: {} jobs", jobs_.size());
  io_.run();
  engine_.shutdown();
  logger()->info("ferryd stopped");
  return 0;
}

void service::begin_shutdown(const char* why) {
  if (stopping_.exchange(true)) return;
  sd_notify("STOPPING=1");
  logger()->info("{}: stopping; runs finish their current window (up to {})", why,
                 core::format_duration(current().admin ? current().admin->shutdown_timeout : std::chrono::seconds{30}));
  if (admin_) admin_->stop();
  engine_.stop_keeping_tokens();
  signals_.cancel();
  jobs_.wake_all();
  shutdown_deadline_ = std::make_unique<asio::steady_timer>(
      io_, current().admin ? current().admin->shutdown_timeout : std::chrono::milliseconds{30'000});
  shutdown_deadline_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    // Whatever was not committed is redone by the next run: nothing is lost.
    logger()->warn("shutdown timeout reached; abandoning the open windows");
    io_.stop();
  });
  if (jobs_.loops_running() == 0) stop_when_tokens_saved();
}

// A token renewal under way finishes first (within the shutdown deadline):
// the platform has retired the old tokens the moment it answered.
void service::stop_when_tokens_saved() {
  asio::co_spawn(
      io_,
      [this]() -> asio::awaitable<void> {
        asio::steady_timer pause{io_};
        while (engine_.renewing_tokens()) {
          pause.expires_after(std::chrono::milliseconds{100});
          co_await pause.async_wait(asio::use_awaitable);
        }
      },
      [this](std::exception_ptr e) {
        if (e) logger()->warn("waiting for a token renewal to end failed; stopping anyway");
        if (shutdown_deadline_) shutdown_deadline_->cancel();
        io_.stop();
      });
}

asio::awaitable<void> service::watchdog() {
  const auto interval = watchdog_interval();
  if (!interval) co_return;
  asio::steady_timer timer{io_};
  while (!stopping_) {
    sd_notify("WATCHDOG=1");
    timer.expires_after(*interval);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace ferry::daemon
