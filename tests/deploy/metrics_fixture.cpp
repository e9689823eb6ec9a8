// ferry_metrics_fixture: lib/metrics as a scrape target for the deploy tests.
//   print  writes the exposition of a registry with one job and exits: the
//          source of truth for which metric names exist.
//   serve  serves GET /metrics through ferry's admin server on 127.0.0.1:0,
//          prints "port N", and runs until killed. Each scrape moves every
//          series the way a troubled ferryd would (failed runs, stale
//          watermark, dead letters, throttling, incomplete windows), so every
//          dashboard panel and every alert expression has data to return.
#include "ferry/admin/server.hpp"
#include "ferry/metrics/metrics.hpp"

#include <chrono>
#include <iostream>
#include <string>

namespace {

using namespace ferry;
using namespace std::chrono_literals;

class scrape_control final : public admin::control {
 public:
  scrape_control() : job_(metrics_.job("orders", "jst", {"bi_orders"}, api)), source_(metrics_.source("jst")) {
    job_.set_schedule_period(5min);
  }

  asio::awaitable<std::optional<std::string>> not_ready_reason() override { co_return std::nullopt; }

  std::string metrics_text() override {
    const auto now = std::chrono::system_clock::now();
    job_.records_fetched(100);
    job_.rows_written("bi_orders", metrics::write_op::insert, 50);
    job_.rows_written("bi_orders", metrics::write_op::update, 10);
    job_.rows_written("bi_orders", metrics::write_op::unchanged, 40);
    job_.dead_letters(1);
    job_.retried();
    job_.run_started(now - 90s);
    job_.run_finished(metrics::run_outcome::failed, now);
    // A run in progress for an hour, where runs usually take 90 s (FerryRunStuck).
    job_.run_started(now - 1h);
    job_.set_last_success(now - 1h);
    job_.set_watermark(now - 2h);
    job_.set_windows_incomplete(2);
    source_.request(api, metrics::request_outcome::ok, 300ms);
    source_.request(api, metrics::request_outcome::ok, 700ms);
    source_.request(api, metrics::request_outcome::throttled, 50ms);
    source_.request(api, metrics::request_outcome::transient, 2s);
    source_.ratelimit_waited(500ms);
    // A service-provider app's token a day from expiry, and a renewal two hours overdue.
    source_.set_token(now + 24h, std::nullopt, false);
    metrics_.source("shop").set_token(now + 20h, now - 2h, true);
    metrics_.mysql().set_connections(3, 1);
    metrics_.mysql().batch_written(20ms);
    return metrics_.text();
  }

  asio::awaitable<std::vector<admin::job_view>> list_jobs() override { co_return std::vector<admin::job_view>{}; }
  asio::awaitable<admin::result<admin::job_view>> get_job(const std::string&) override { co_return refused(); }
  asio::awaitable<admin::result<admin::job_view>> set_paused(const std::string&, bool) override {
    co_return refused();
  }
  asio::awaitable<admin::result<admin::trigger_receipt>> trigger(const std::string&) override { co_return refused(); }
  asio::awaitable<admin::result<std::vector<admin::run_view>>> list_runs(const std::string&,
                                                                         admin::run_query) override {
    co_return refused();
  }
  asio::awaitable<admin::result<admin::backfill_receipt>> backfill(const std::string&,
                                                                   admin::backfill_request) override {
    co_return refused();
  }
  asio::awaitable<admin::result<std::vector<admin::window_view>>> list_windows(const std::string&,
                                                                               admin::window_query) override {
    co_return refused();
  }
  void set_log_level(admin::log_level) override {}

 private:
  static admin::refusal refused() { return {admin::refusal_kind::job_not_found, "this fixture only serves /metrics"}; }

  static constexpr const char* api = "/open/orders/single/query";
  metrics::registry metrics_;
  metrics::job_metrics& job_;
  metrics::source_metrics& source_;
};

int serve() {
  asio::io_context io;
  scrape_control control;
  admin::server_options options;
  options.port = 0;
  options.token = core::secret{"fixture"};
  admin::server server(io.get_executor(), options, control);
  const auto port = server.start();  // logs a line of its own first
  std::cout << "port " << port << std::endl;
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 2 ? argv[1] : "";
  if (mode == "print") {
    metrics::registry registry;
    registry.job("orders", "jst", {"bi_orders"}, "/open/orders/single/query");
    std::cout << registry.text();
    return 0;
  }
  if (mode == "serve") return serve();
  std::cerr << "usage: ferry_metrics_fixture print|serve\n";
  return 2;
}
