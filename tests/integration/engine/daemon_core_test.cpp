// ferryd's core in-process: the engine, the job scheduler, the controller
// and the reloader put together as the service puts them, with a clock that
// stands still, against the test MariaDB. The job loops are not started, so
// no run begins and no source is called: what is checked is what the admin
// API's controller answers in its typed values (times from the injected
// clock), and what a reload applies or refuses.
#include "harness.hpp"

#include "controller.hpp"
#include "job_scheduler.hpp"
#include "reloader.hpp"

#include "ferry/config/load.hpp"
#include "ferry/core/time.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace ferry;
using namespace ferry::test;
using std::chrono::sys_seconds;

namespace {

sys_seconds at(const std::string& text) { return *core::parse_shanghai_datetime(text); }

nlohmann::ordered_json core_config(const test_database& db) {
  auto doc = flow_config(1, db);  // port 1: nothing listens, and nothing is called
  doc["sources"]["jst"]["rate_limits"] = nlohmann::ordered_json::array(
      {{{"calls", 5}, {"per", "1s"}}, {{"calls", 100}, {"per", "1m"}}});
  doc["jobs"][0]["window"]["max_span"] = "1d";
  doc["jobs"][0]["schedule"] = {{"every", "5m"}};
  return doc;
}

struct daemon_core {
  explicit daemon_core(const std::string& name,
                       const std::function<void(nlohmann::ordered_json&)>& edit = {})
      : db{name} {
    set_source_env();
    auto doc = core_config(db);
    if (edit) edit(doc);
    path = write_config(name, doc);
    auto loaded = config::load_config_file(path.string());
    REQUIRE(loaded.value);
    const sync::wall_clock clock = [this] { return now; };
    engine = std::make_unique<daemon::engine>(io, std::make_shared<const config::config>(std::move(*loaded.value)),
                                              &metrics, clock);
    engine->start();
    jobs = std::make_unique<daemon::job_scheduler>(io, *engine, metrics, clock, stopping);
    for (const auto& job : engine->current().jobs) jobs->add(engine->current_ptr(), job);
    jobs->load_states();
    control = std::make_unique<daemon::controller>(*engine, *jobs, metrics, clock, stopping);
    reload = std::make_unique<daemon::reloader>(path.string(), *engine, *jobs, metrics, stopping);
  }

  ~daemon_core() {
    // The token keepers end at their next wait; then the loop runs out.
    engine->stop_keeping_tokens();
    io.restart();
    io.run();
    engine->shutdown();
  }

  // Runs `a` on the loop until it is done.
  template <class T>
  T await(asio::awaitable<T> a) {
    std::optional<T> out;
    std::exception_ptr failure;
    bool done = false;
    asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T value) {
      failure = e;
      if (!e) out = std::move(value);
      done = true;
    });
    io.restart();
    while (!done) io.run_one();
    if (failure) std::rethrow_exception(failure);
    return std::move(*out);
  }

  void reload_now() {
    bool done = false;
    asio::co_spawn(io, reload->reload(), [&](std::exception_ptr) { done = true; });
    io.restart();
    while (!done) io.run_one();
  }

  void rewrite(const std::string& text) {
    std::ofstream out{path, std::ios::trunc};
    out << text;
  }

  double reloads(const std::string& result) {
    const auto v = metric_sample(metrics.text(), "ferry_config_reloads_total{result=\"" + result + "\"}");
    return v ? std::stod(*v) : -1;
  }

  template <class T>
  static const T& value(const admin::result<T>& r) {
    if (const auto* no = std::get_if<admin::refusal>(&r)) FAIL("refused: " << no->message);
    return std::get<T>(r);
  }

  template <class T>
  static admin::refusal_kind refusal_of(const admin::result<T>& r) {
    REQUIRE(std::holds_alternative<admin::refusal>(r));
    return std::get<admin::refusal>(r).kind;
  }

  test_database db;
  std::filesystem::path path;
  asio::io_context io;
  std::atomic<bool> stopping{false};
  sys_seconds now = at("2026-03-01 12:00:00");
  metrics::registry metrics;
  std::unique_ptr<daemon::engine> engine;
  std::unique_ptr<daemon::job_scheduler> jobs;
  std::unique_ptr<daemon::controller> control;
  std::unique_ptr<daemon::reloader> reload;
};

constexpr const char* job = "skusn_inout";

}  // namespace

TEST_CASE("the controller answers in typed values, at the injected clock's time") {
  daemon_core d{"ferry_test_daemon_core_control"};
  d.engine->pool().run_blocking([](mysql::connection& c) {
    c.execute("UPDATE ferry_jobs SET watermark = '2026-03-01 11:00:00' WHERE job_id = 'skusn_inout'");
    return 0;
  });

  auto view = daemon_core::value(d.await(d.control->get_job(job)));
  CHECK(view.id == job);
  CHECK(view.source == "jst");
  CHECK(view.schedule == "every 300s");
  CHECK(view.activity == admin::job_activity::idle);
  CHECK(view.watermark == at("2026-03-01 11:00:00"));
  CHECK(view.freshness_seconds == 3600);  // from the clock, not the machine's time
  d.now += std::chrono::minutes{30};
  CHECK(daemon_core::value(d.await(d.control->get_job(job))).freshness_seconds == 5400);
  REQUIRE(view.source_token);
  CHECK(view.source_token->renewable);
  CHECK_FALSE(view.last_run);
  CHECK(d.await(d.control->list_jobs()).size() == 1);
  CHECK(daemon_core::refusal_of(d.await(d.control->get_job("nope"))) == admin::refusal_kind::job_not_found);

  // A dry run: windows of a day (the last one shorter), and the slower of 5/s and 100/min bounds the time.
  admin::backfill_request dry{{at("2026-01-01 00:00:00"), at("2026-01-03 12:00:00")}, true};
  const auto plan = daemon_core::value(d.await(d.control->backfill(job, dry)));
  REQUIRE(plan.windows.size() == 3);
  CHECK(plan.windows[0].from == at("2026-01-01 00:00:00"));
  CHECK(plan.windows[0].to == at("2026-01-02 00:00:00"));
  CHECK(plan.windows[2].from == at("2026-01-03 00:00:00"));
  CHECK(plan.windows[2].to == at("2026-01-03 12:00:00"));
  CHECK(plan.estimated_calls_min == 3);
  CHECK(plan.estimated_seconds_min == 2);  // ceil(3 calls / (100 / 60 s))
  CHECK(daemon_core::value(d.await(d.control->get_job(job))).backfills_queued == 0);

  // Queued ones take their place; more than 100,000 windows is refused.
  auto real = dry;
  real.dry_run = false;
  CHECK(daemon_core::value(d.await(d.control->backfill(job, real))).position == 1);
  CHECK(daemon_core::value(d.await(d.control->backfill(job, real))).position == 2);
  CHECK(daemon_core::value(d.await(d.control->get_job(job))).backfills_queued == 2);
  using namespace std::chrono;
  admin::backfill_request centuries{{sys_days{year{1700} / 1 / 1}, at("2026-01-01 00:00:00")}, true};
  CHECK(daemon_core::refusal_of(d.await(d.control->backfill(job, centuries))) == admin::refusal_kind::invalid_range);

  // One trigger queues a run; a second while it waits is refused.
  const auto receipt = daemon_core::value(d.await(d.control->trigger(job)));
  CHECK_FALSE(receipt.job_running);
  CHECK(daemon_core::value(d.await(d.control->get_job(job))).queued);
  CHECK(daemon_core::refusal_of(d.await(d.control->trigger(job))) == admin::refusal_kind::run_already_queued);

  // Pause persists; the view says so.
  const auto paused = daemon_core::value(d.await(d.control->set_paused(job, true)));
  CHECK(paused.paused);
  CHECK(paused.activity == admin::job_activity::paused);
  CHECK(d.db.scalar("SELECT paused FROM ferry_jobs WHERE job_id = 'skusn_inout'") == "1");

  CHECK(daemon_core::value(d.await(d.control->list_runs(job, {}))).empty());
  CHECK(daemon_core::value(d.await(d.control->list_windows(job, {admin::window_state::failed}))).empty());

  // Stopping: nothing new is queued.
  d.stopping = true;
  CHECK(daemon_core::refusal_of(d.await(d.control->backfill(job, real))) == admin::refusal_kind::stopping);
  CHECK(d.await(d.control->not_ready_reason()) == std::optional<std::string>{"ferryd is stopping"});
}

TEST_CASE("a reload applies a changed job, and a refused one changes nothing") {
  daemon_core d{"ferry_test_daemon_core_reload"};
  auto doc = core_config(d.db);
  doc["jobs"][0]["schedule"] = {{"every", "10m"}};
  d.rewrite(doc.dump());
  d.reload_now();
  CHECK(d.reloads("applied") == 1);
  CHECK(daemon_core::value(d.await(d.control->get_job(job))).schedule == "every 600s");
  CHECK(d.engine->current().jobs[0].schedule.every == std::chrono::minutes{10});

  // A file that does not parse, a cron that never comes, a changed mysql section: refused, each.
  d.rewrite("{");
  d.reload_now();
  auto never = core_config(d.db);
  never["jobs"][0]["schedule"] = {{"cron", "0 0 30 2 *"}};
  d.rewrite(never.dump());
  d.reload_now();
  auto moved = doc;
  moved["mysql"]["port"] = 1;
  d.rewrite(moved.dump());
  d.reload_now();
  CHECK(d.reloads("refused") == 3);
  CHECK(d.reloads("applied") == 1);
  const auto kept = daemon_core::value(d.await(d.control->get_job(job)));
  CHECK(kept.schedule == "every 600s");
  CHECK(daemon_core::value(d.await(d.control->trigger(job))).job_paused == false);

  // The job disabled: the controller no longer knows it.
  auto none = doc;
  none["jobs"][0]["enabled"] = false;
  d.rewrite(none.dump());
  d.reload_now();
  CHECK(d.reloads("applied") == 2);
  CHECK(daemon_core::refusal_of(d.await(d.control->get_job(job))) == admin::refusal_kind::job_not_found);
  CHECK(d.await(d.control->list_jobs()).empty());
}

TEST_CASE("the job loops start runs when the injected clock says, not the machine's") {
  daemon_core d{"ferry_test_daemon_core_schedule"};
  // Runs reach no source (port 1) and fail within a second or two; what
  // matters is when they start. The live range ends at the clock's time
  // less the lag: the clock reaches the runner too.
  auto doc = core_config(d.db);
  doc["jobs"][0]["window"].erase("end");
  d.rewrite(doc.dump());
  d.reload_now();
  REQUIRE(d.reloads("applied") == 1);
  const auto runs = [&d] { return std::stoi(d.db.scalar("SELECT COUNT(*) FROM ferry_runs")); };
  // Runs the loop until `done`, at most 60 s.
  const auto run_until = [&d](auto done) {
    d.io.restart();
    for (int i = 0; i < 600 && !done(); ++i) d.io.run_for(std::chrono::milliseconds{100});
    return done();
  };
  d.jobs->start();
  // No run yet: the first starts at once.
  REQUIRE(run_until([&] { return runs() == 1 && !d.jobs->find(job)->running; }));
  CHECK(d.db.scalar("SELECT range_end FROM ferry_runs") == "2026-03-01 11:59:00");  // 12:00:00 less the 60 s lag
  auto view = daemon_core::value(d.await(d.control->get_job(job)));
  CHECK(view.last_run_started == at("2026-03-01 12:00:00"));
  CHECK(view.next_run == at("2026-03-01 12:05:00"));

  // Woken before the clock reaches the next run: nothing starts.
  d.now = at("2026-03-01 12:04:59");
  d.jobs->wake_all();
  d.io.restart();
  d.io.run_for(std::chrono::seconds{3});  // a run that started would show at once
  CHECK(runs() == 1);

  // The clock at the due time: the next run starts, its range ending at the new time less the lag.
  d.now = at("2026-03-01 12:05:00");
  d.jobs->wake_all();
  REQUIRE(run_until([&] { return runs() == 2 && !d.jobs->find(job)->running; }));
  CHECK(d.db.scalar("SELECT MAX(range_end) FROM ferry_runs") == "2026-03-01 12:04:00");

  d.stopping = true;
  d.jobs->wake_all();
  CHECK(run_until([&] { return d.jobs->loops_running() == 0; }));
}

TEST_CASE("a cursor job refuses a backfill, a full refresh plans one read of its list", "[daemon][backfill]") {
  daemon_core d{"dc_read_modes", [](nlohmann::ordered_json& doc) {
                  auto orders = orders_config(1, test_database{"dc_read_modes_unused"})["jobs"][0];
                  orders.erase("window");
                  orders.erase("request");
                  orders["cursor"] = nlohmann::ordered_json::object();
                  doc["jobs"].push_back(orders);
                  doc["jobs"].push_back({{"id", "shops"},
                                         {"source", "jst"},
                                         {"api", "/open/shops/query"},
                                         {"full_refresh", nlohmann::ordered_json::object()},
                                         {"targets", {{{"table", "bi_shops"},
                                                       {"key", {"shop_id"}},
                                                       {"create_table", true},
                                                       {"columns", {{"shop_id", column("shop_id", "bigint")}}}}}}});
                }};
  const admin::backfill_request week{{at("2026-01-01 00:00:00"), at("2026-01-08 00:00:00")}, true};
  // A cursor has no range to re-read.
  CHECK(daemon_core::refusal_of(d.await(d.control->backfill("orders", week))) == admin::refusal_kind::invalid_range);
  // A full refresh reads its whole list once, whatever the range: one window, not seven.
  const auto plan = daemon_core::value(d.await(d.control->backfill("shops", week)));
  REQUIRE(plan.windows.size() == 1);
  CHECK(plan.estimated_calls_min == 1);
}
