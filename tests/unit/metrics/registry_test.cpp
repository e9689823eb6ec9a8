#include "ferry/core/version.hpp"
#include "ferry/metrics/metrics.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <vector>
#include <sstream>

namespace {

using namespace ferry::metrics;
using std::chrono::system_clock;

// The value of the sample written exactly as `series` (name{labels} with
// labels in prometheus-cpp's order: sorted, a histogram's `le` last), or
// nullopt when it is absent.
std::optional<double> sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

bool has_family(const std::string& text, const std::string& name) {
  return text.find("# TYPE " + name + " ") != std::string::npos;
}

const std::vector<std::string> every_family{
    "ferry_records_fetched_total",        "ferry_rows_written_total",
    "ferry_dead_letters_total",           "ferry_http_requests_total",
    "ferry_http_request_duration_seconds", "ferry_ratelimit_wait_seconds_total",
    "ferry_throttled_total",              "ferry_retries_total",
    "ferry_job_runs_total",               "ferry_job_running",
    "ferry_job_run_duration_seconds",     "ferry_job_run_start_timestamp_seconds",
    "ferry_job_paused",                   "ferry_watermark_timestamp_seconds",
    "ferry_last_success_timestamp_seconds", "ferry_windows_incomplete",
    "ferry_job_schedule_period_seconds",  "ferry_mysql_pool_connections",
    "ferry_mysql_batch_duration_seconds", "ferry_build_info",
    "ferry_config_reloads_total",         "ferry_config_last_reload_successful",
    "ferry_config_last_reload_success_timestamp_seconds"};

}  // namespace

TEST_CASE("every family is exposed, pre-initialised at 0, once a job is registered") {
  registry r;
  r.job("skusn", "jst", {"bi_skusn"}, "/open/skusn");
  const auto text = r.text();
  for (const auto& family : every_family) {
    INFO(family);
    CHECK(has_family(text, family));
  }
  CHECK(sample(text, R"(ferry_records_fetched_total{ferry_job="skusn"})") == 0.0);
  for (const char* op : {"insert", "update", "unchanged", "delete"}) {
    INFO(op);
    CHECK(sample(text, std::string(R"(ferry_rows_written_total{ferry_job="skusn",op=")") + op +
                           R"(",table="bi_skusn"})") == 0.0);
  }
  for (const char* outcome : {"ok", "transient", "throttled", "token_expired", "fatal"}) {
    INFO(outcome);
    CHECK(sample(text, std::string(R"(ferry_http_requests_total{api="/open/skusn",outcome=")") + outcome +
                           R"(",source="jst"})") == 0.0);
  }
  for (const char* kind : {"live", "backfill"}) {
    INFO(kind);
    CHECK(sample(text, std::string(R"(ferry_job_run_duration_seconds_count{ferry_job="skusn",kind=")") + kind +
                           R"("})") == 0.0);
    CHECK(sample(text, std::string(R"(ferry_job_run_start_timestamp_seconds{ferry_job="skusn",kind=")") + kind +
                           R"("})") == 0.0);
  }
  CHECK(sample(text, R"(ferry_job_runs_total{ferry_job="skusn",outcome="success"})") == 0.0);
  CHECK(sample(text, R"(ferry_job_runs_total{ferry_job="skusn",outcome="failed"})") == 0.0);
  CHECK(sample(text, R"(ferry_job_runs_total{ferry_job="skusn",outcome="interrupted"})") == 0.0);
  CHECK(sample(text, R"(ferry_http_request_duration_seconds_count{api="/open/skusn",source="jst"})") == 0.0);
  CHECK(sample(text, R"(ferry_mysql_pool_connections{state="idle"})") == 0.0);
  CHECK(sample(text, R"(ferry_mysql_batch_duration_seconds_count)") == 0.0);
  CHECK(sample(text, R"(ferry_watermark_timestamp_seconds{ferry_job="skusn"})") == 0.0);
}

TEST_CASE("build_info carries the version and is 1") {
  registry r;
  CHECK(sample(r.text(), R"(ferry_build_info{version=")" + std::string(ferry::core::version()) + "\"}") == 1.0);
}

TEST_CASE("job counters and gauges move") {
  registry r;
  auto& job = r.job("orders", "jst", {"bi_orders"});
  job.records_fetched(50);
  job.records_fetched(25);
  job.rows_written("bi_orders", write_op::insert, 10);
  job.rows_written("bi_orders", write_op::update, 3);
  job.rows_written("bi_orders", write_op::unchanged, 2);
  job.rows_written("bi_order_items", write_op::insert, 7);  // a table not named at job()
  job.rows_written("bi_order_items", write_op::remove, 2);
  job.dead_letters(2);
  job.retried();
  job.retried();
  job.run_started(system_clock::from_time_t(1'699'999'990));
  auto text = r.text();
  CHECK(sample(text, R"(ferry_job_running{ferry_job="orders"})") == 1.0);
  CHECK(sample(text, R"(ferry_job_run_start_timestamp_seconds{ferry_job="orders",kind="live"})") == 1'699'999'990.0);
  CHECK(sample(text, R"(ferry_job_run_start_timestamp_seconds{ferry_job="orders",kind="backfill"})") == 0.0);
  job.run_finished(run_outcome::failed, system_clock::from_time_t(1'700'000'000));      // 10 s
  job.run_started(system_clock::from_time_t(1'700'000'000));
  job.run_finished(run_outcome::success, system_clock::from_time_t(1'700'000'600));     // 600 s
  job.run_started(system_clock::from_time_t(1'700'000'800));
  job.run_finished(run_outcome::interrupted, system_clock::from_time_t(1'700'000'900)); // 100 s
  // A backfill: counted under its own kind, and its success is not the live data's.
  job.run_started(system_clock::from_time_t(1'700'001'000), run_kind::backfill);
  CHECK(sample(r.text(), R"(ferry_job_run_start_timestamp_seconds{ferry_job="orders",kind="backfill"})") ==
        1'700'001'000.0);
  job.run_finished(run_outcome::success, system_clock::from_time_t(1'700'004'000));     // 3000 s
  // A run that did not start after all (another ferryd held the job) counts nothing.
  job.run_started(system_clock::from_time_t(1'700'005'000));
  job.run_not_started();
  job.set_paused(true);
  job.set_watermark(system_clock::from_time_t(1'700'000'300));
  job.set_windows_incomplete(4);
  job.set_schedule_period(std::chrono::minutes(5));

  text = r.text();
  CHECK(sample(text, R"(ferry_records_fetched_total{ferry_job="orders"})") == 75.0);
  CHECK(sample(text, R"(ferry_rows_written_total{ferry_job="orders",op="insert",table="bi_orders"})") == 10.0);
  CHECK(sample(text, R"(ferry_rows_written_total{ferry_job="orders",op="delete",table="bi_order_items"})") == 2.0);
  CHECK(sample(text, R"(ferry_rows_written_total{ferry_job="orders",op="update",table="bi_orders"})") == 3.0);
  CHECK(sample(text, R"(ferry_rows_written_total{ferry_job="orders",op="unchanged",table="bi_orders"})") == 2.0);
  CHECK(sample(text, R"(ferry_rows_written_total{ferry_job="orders",op="insert",table="bi_order_items"})") == 7.0);
  CHECK(sample(text, R"(ferry_rows_written_total{ferry_job="orders",op="update",table="bi_order_items"})") == 0.0);
  CHECK(sample(text, R"(ferry_dead_letters_total{ferry_job="orders"})") == 2.0);
  CHECK(sample(text, R"(ferry_retries_total{ferry_job="orders"})") == 2.0);
  CHECK(sample(text, R"(ferry_job_running{ferry_job="orders"})") == 0.0);
  CHECK(sample(text, R"(ferry_job_runs_total{ferry_job="orders",outcome="failed"})") == 1.0);
  CHECK(sample(text, R"(ferry_job_runs_total{ferry_job="orders",outcome="success"})") == 2.0);
  CHECK(sample(text, R"(ferry_job_run_start_timestamp_seconds{ferry_job="orders",kind="live"})") == 0.0);
  CHECK(sample(text, R"(ferry_job_run_start_timestamp_seconds{ferry_job="orders",kind="backfill"})") == 0.0);
  CHECK(sample(text, R"(ferry_job_run_duration_seconds_count{ferry_job="orders",kind="live"})") == 3.0);
  CHECK(sample(text, R"(ferry_job_run_duration_seconds_sum{ferry_job="orders",kind="live"})") == 710.0);
  CHECK(sample(text, R"(ferry_job_run_duration_seconds_bucket{ferry_job="orders",kind="live",le="15"})") == 1.0);
  CHECK(sample(text, R"(ferry_job_run_duration_seconds_bucket{ferry_job="orders",kind="live",le="120"})") == 2.0);
  CHECK(sample(text, R"(ferry_job_run_duration_seconds_bucket{ferry_job="orders",kind="live",le="600"})") == 3.0);
  CHECK(sample(text, R"(ferry_job_run_duration_seconds_count{ferry_job="orders",kind="backfill"})") == 1.0);
  CHECK(sample(text, R"(ferry_job_run_duration_seconds_sum{ferry_job="orders",kind="backfill"})") == 3000.0);
  CHECK(sample(text, R"(ferry_job_runs_total{ferry_job="orders",outcome="interrupted"})") == 1.0);
  // Only a live run's success moves the last-success time.
  CHECK(sample(text, R"(ferry_last_success_timestamp_seconds{ferry_job="orders"})") == 1'700'000'600.0);
  CHECK(sample(text, R"(ferry_job_paused{ferry_job="orders"})") == 1.0);
  CHECK(sample(text, R"(ferry_watermark_timestamp_seconds{ferry_job="orders"})") == 1'700'000'300.0);
  CHECK(sample(text, R"(ferry_windows_incomplete{ferry_job="orders"})") == 4.0);
  CHECK(sample(text, R"(ferry_job_schedule_period_seconds{ferry_job="orders"})") == 300.0);

  job.set_paused(false);
  CHECK(sample(r.text(), R"(ferry_job_paused{ferry_job="orders"})") == 0.0);
}

TEST_CASE("source counters and the request histogram move") {
  registry r;
  auto& jst = r.source("jst");
  const std::string flow = "/open/webapi/wmsapi/skusn/queryinoutitemskusns", orders = "/open/orders/single/query";
  jst.request(flow, request_outcome::ok, std::chrono::milliseconds(30));
  jst.request(flow, request_outcome::ok, std::chrono::milliseconds(700));
  jst.request(flow, request_outcome::throttled, std::chrono::milliseconds(20));
  jst.request(flow, request_outcome::token_expired, std::chrono::milliseconds(20));
  jst.request(orders, request_outcome::ok, std::chrono::milliseconds(40));
  jst.throttled();
  jst.ratelimit_waited(std::chrono::milliseconds(1500));
  jst.ratelimit_waited(std::chrono::milliseconds(250));

  const auto text = r.text();
  const auto requests = [&](const std::string& api, const char* outcome) {
    return sample(text, "ferry_http_requests_total{api=\"" + api + "\",outcome=\"" + outcome + "\",source=\"jst\"}");
  };
  CHECK(requests(flow, "ok") == 2.0);
  CHECK(requests(flow, "throttled") == 1.0);
  CHECK(requests(flow, "token_expired") == 1.0);
  CHECK(requests(flow, "fatal") == 0.0);  // an endpoint's outcomes appear together
  CHECK(requests(orders, "ok") == 1.0);
  CHECK(requests(orders, "throttled") == 0.0);
  // One throttled reply plus one throttle signal on its own.
  CHECK(sample(text, R"(ferry_throttled_total{source="jst"})") == 2.0);
  CHECK(sample(text, R"(ferry_ratelimit_wait_seconds_total{source="jst"})") == Approx(1.75));
  const auto duration = [&](const std::string& series) {
    return sample(text, "ferry_http_request_duration_seconds_" + series);
  };
  const std::string labels = "api=\"" + flow + "\",source=\"jst\"";
  CHECK(duration("count{" + labels + "}") == 4.0);
  CHECK(duration("sum{" + labels + "}") == Approx(0.77));
  CHECK(duration("bucket{" + labels + ",le=\"0.025\"}") == 2.0);
  CHECK(duration("bucket{" + labels + ",le=\"0.05\"}") == 3.0);
  CHECK(duration("bucket{" + labels + ",le=\"0.5\"}") == 3.0);
  CHECK(duration("bucket{" + labels + ",le=\"1\"}") == 4.0);
  CHECK(duration("bucket{" + labels + ",le=\"+Inf\"}") == 4.0);
  CHECK(duration("count{api=\"" + orders + "\",source=\"jst\"}") == 1.0);
}

TEST_CASE("mysql pool gauges and the batch histogram move") {
  registry r;
  r.mysql().set_connections(3, 1);
  r.mysql().batch_written(std::chrono::milliseconds(40));
  r.mysql().set_connections(2, 2);
  const auto text = r.text();
  CHECK(sample(text, R"(ferry_mysql_pool_connections{state="idle"})") == 2.0);
  CHECK(sample(text, R"(ferry_mysql_pool_connections{state="busy"})") == 2.0);
  CHECK(sample(text, "ferry_mysql_batch_duration_seconds_count") == 1.0);
  CHECK(sample(text, R"(ferry_mysql_batch_duration_seconds_bucket{le="0.025"})") == 0.0);
  CHECK(sample(text, R"(ferry_mysql_batch_duration_seconds_bucket{le="0.05"})") == 1.0);
}

TEST_CASE("job() again returns the same handle and adds new tables") {
  registry r;
  auto& first = r.job("skusn", "jst", {"a"});
  first.records_fetched(5);
  auto& second = r.job("skusn", "jst", {"a", "b"});
  CHECK(&first == &second);
  const auto text = r.text();
  CHECK(sample(text, R"(ferry_records_fetched_total{ferry_job="skusn"})") == 5.0);
  CHECK(sample(text, R"(ferry_rows_written_total{ferry_job="skusn",op="unchanged",table="b"})") == 0.0);
}

TEST_CASE("forget_job removes that job's series and keeps the others") {
  registry r;
  r.job("gone", "jst", {"t_gone"}).records_fetched(3);
  r.job("kept", "jst", {"t_kept"}).records_fetched(4);
  r.job("gone", "jst", {}).run_started(system_clock::now());
  r.job("gone", "jst", {}).run_finished(run_outcome::success, system_clock::now());
  r.forget_job("gone");
  r.forget_job("never-registered");  // a no-op, not an error

  const auto text = r.text();
  CHECK(text.find(R"(ferry_job="gone")") == std::string::npos);
  CHECK(sample(text, R"(ferry_records_fetched_total{ferry_job="kept"})") == 4.0);
  CHECK(sample(text, R"(ferry_rows_written_total{ferry_job="kept",op="insert",table="t_kept"})") == 0.0);
  // The source outlives the job: other jobs may share it.
  CHECK(sample(text, R"(ferry_throttled_total{source="jst"})") == 0.0);

  // Registering it again starts from zero.
  r.job("gone", "jst", {"t_gone"});
  CHECK(sample(r.text(), R"(ferry_records_fetched_total{ferry_job="gone"})") == 0.0);
}

TEST_CASE("label values are escaped in the exposition") {
  registry r;
  r.job("odd", "jst", {"we\"ird"});
  CHECK(sample(r.text(), R"(ferry_rows_written_total{ferry_job="odd",op="insert",table="we\"ird"})") == 0.0);
}

TEST_CASE("names of the enums") {
  CHECK(to_string(write_op::unchanged) == "unchanged");
  CHECK(to_string(write_op::remove) == "delete");
  CHECK(to_string(request_outcome::token_expired) == "token_expired");
  CHECK(to_string(run_outcome::failed) == "failed");
  CHECK(to_string(run_kind::backfill) == "backfill");
}

TEST_CASE("a refused reload sets the gauge to 0 and keeps the last success's time, and an applied one moves it") {
  registry r;
  const auto text = r.text();
  CHECK(sample(text, R"(ferry_config_reloads_total{result="applied"})") == 0.0);
  CHECK(sample(text, R"(ferry_config_reloads_total{result="refused"})") == 0.0);
  CHECK(sample(text, "ferry_config_last_reload_successful") == 1.0);
  const auto started = sample(text, "ferry_config_last_reload_success_timestamp_seconds");
  CHECK(started > 1.7e9);
  r.config_reloaded(false, std::chrono::system_clock::time_point{std::chrono::seconds{2'000'000'000}});
  auto after = r.text();
  CHECK(sample(after, R"(ferry_config_reloads_total{result="refused"})") == 1.0);
  CHECK(sample(after, "ferry_config_last_reload_successful") == 0.0);
  CHECK(sample(after, "ferry_config_last_reload_success_timestamp_seconds") == started);
  r.config_reloaded(true, std::chrono::system_clock::time_point{std::chrono::seconds{2'000'000'000}});
  after = r.text();
  CHECK(sample(after, R"(ferry_config_reloads_total{result="applied"})") == 1.0);
  CHECK(sample(after, "ferry_config_last_reload_successful") == 1.0);
  CHECK(sample(after, "ferry_config_last_reload_success_timestamp_seconds") == 2e9);
}

TEST_CASE("process_* metrics follow the process: descriptors, memory, CPU, start time") {
  registry r;
  const auto value = [](const std::string& text, const char* series) {
    const auto v = sample(text, series);
    INFO(series);
    REQUIRE(v);
    return *v;
  };
  const auto before = r.text();
  // Four more descriptors, 64 MiB touched, a fifth of a second of CPU.
  std::vector<std::FILE*> files;
  for (int i = 0; i < 4; ++i) files.push_back(std::tmpfile());
  std::vector<char> block(64 << 20);
  for (std::size_t i = 0; i < block.size(); i += 4096) block[i] = static_cast<char>(i);
  // Burnt by the C library's own count of this process's CPU time, not by the wall clock: a busy
  // machine lengthens the spin instead of shortening what it burns.
  const auto cpu_start = std::clock();
  volatile std::uint64_t spin = 0;
  while (static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC < 0.2) spin = spin + 1;
  const auto after = r.text();
  for (auto* f : files) std::fclose(f);

  CHECK(value(after, "process_open_fds") - value(before, "process_open_fds") == 4.0);
  CHECK(value(after, "process_max_fds") >= value(after, "process_open_fds"));
  CHECK(value(after, "process_resident_memory_bytes") - value(before, "process_resident_memory_bytes") >=
        60.0 * (1 << 20));
  CHECK(value(after, "process_virtual_memory_bytes") >= value(after, "process_resident_memory_bytes"));
  CHECK(value(after, "process_cpu_seconds_total") - value(before, "process_cpu_seconds_total") >= 0.15);
  const auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(value(after, "process_start_time_seconds") <= now);
  CHECK(value(after, "process_start_time_seconds") > now - 3600);  // this test binary started moments ago
  CHECK(block[4096] == static_cast<char>(4096));
}
