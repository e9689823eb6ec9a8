// The runner in-process: a fake page_fetcher serves rows from memory and the
// clock stands still, against the test MariaDB. Each case drives one of the
// window decisions (complete, re-fetch, halve, incomplete, failed) that the
// child-process tests reach through jst-sim, and checks the ledger, the
// watermark and the table. Fast and deterministic: no sockets, no sleeps.
#include "harness.hpp"

#include "ferry/config/load.hpp"
#include "ferry/core/time.hpp"
#include "ferry/mysql/pool.hpp"
#include "ferry/sync/job_plan.hpp"
#include "ferry/sync/runner.hpp"

#include <catch2/catch.hpp>

#include <future>

using namespace ferry;
using namespace ferry::test;
using std::chrono::sys_seconds;

namespace {

// In here: ferry::json, brought in by `using namespace ferry`, is a namespace too.
using nlohmann::json;

sys_seconds at(const std::string& text) { return *core::parse_shanghai_datetime(text); }

// Rows of the flow query in memory, answered page by page as the platform
// pages them (bounds inclusive), with data_count and page_count. A test may
// hide rows from the first reads or promise more rows than exist.
struct fake_source {
  std::vector<json> rows;
  // A row the count promises in every window around it, that never arrives.
  std::optional<sys_seconds> ghost;
  // Rows hidden from this many reads of each window's first page (a row that moved while paging).
  int hide_reads = 0;
  std::size_t hidden_index = 7;
  std::map<std::string, int> reads;  // "start|end" -> reads of the window's first page
  int calls = 0;
  // Added to data_count: a negative value for rows listed twice (one key, two versions).
  long long count_adjust = 0;

  sync::page_fetcher fetcher() {
    return [this](const std::string&, const json& biz, const std::string&, ratelimit::priority)
               -> asio::awaitable<source::jushuitan::fetch_result> {
      ++calls;
      const auto start = biz.at("create_time_start").get<std::string>();
      const auto end = biz.at("create_time_end").get<std::string>();
      const auto index = biz.at("page_index").get<std::uint64_t>();
      const auto size = biz.at("page_size").get<std::uint64_t>();
      const auto key = start + "|" + end;
      if (index == 1) ++reads[key];
      std::vector<json> in;
      std::uint64_t count = 0;  // the platform counts a row that moved while it was paged
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto t = rows[i].at("create_time").get<std::string>();
        if (t < start || t > end) continue;
        ++count;
        if (i == hidden_index && reads[key] <= hide_reads) continue;
        in.push_back(rows[i]);
      }
      if (ghost && at(start) <= *ghost && *ghost <= at(end)) ++count;
      count = static_cast<std::uint64_t>(static_cast<long long>(count) + count_adjust);
      source::jushuitan::page p;
      for (std::uint64_t i = (index - 1) * size; i < std::min<std::uint64_t>(in.size(), index * size); ++i)
        p.records.push_back(in[i]);
      p.page_index = index;
      p.page_size = size;
      p.data_count = count;
      p.page_count = (std::max<std::uint64_t>(count, in.size()) + size - 1) / size;  // every row listed has a page
      source::jushuitan::fetch_result r;
      r.value = std::move(p);
      r.attempts = 1;
      co_return r;
    };
  }
};

// `n` rows spread over 2026-01-01, one every 80 s; row i's io_id is i + 1.
std::vector<json> flow_rows(std::size_t n) {
  std::vector<json> out;
  for (std::size_t i = 0; i < n; ++i) {
    const auto t = core::format_shanghai_datetime(at("2026-01-01 00:00:10") + std::chrono::seconds{80 * i});
    out.push_back({{"sku_sn", "SN" + std::to_string(100000 + i)}, {"io_id", 1 + i}, {"o_id", "9" + std::to_string(i)},
                   {"inout_type", 1}, {"sku_id", "SKU-" + std::to_string(i % 17)}, {"cost_price", "12.5000"},
                   {"cost_amount", 25.0}, {"remark", "r" + std::to_string(i)}, {"create_time", t},
                   {"modified_time", t}, {"supplier_id", "3"}, {"supplier_name", "supplier"}});
  }
  return out;
}

// The flow job of the engine tests, over one day in windows of a day, pages of 100.
struct fixture {
  explicit fixture(const std::string& name, std::optional<int> batch_rows = std::nullopt) : db{name} {
    set_source_env();
    auto doc = flow_config(1, db);
    if (batch_rows) doc["mysql"]["batch_rows"] = *batch_rows;
    doc["jobs"][0]["page_size"] = 100;
    doc["jobs"][0]["window"] = {{"start", "2026-01-01 00:00:00"}, {"max_span", "1d"}, {"lag", "0s"},
                                {"lookback", "0s"}, {"end", "2026-01-02 00:00:00"}};
    auto loaded = config::load_config_text(doc.dump(), config::process_env, "/");
    INFO((loaded.errors.empty() ? std::string{} : loaded.errors[0].to_string()));
    REQUIRE(loaded.value);
    cfg = std::move(*loaded.value);
    plan = std::make_unique<sync::job_plan>(sync::make_job_plan(cfg.jobs[0], cfg.sources[0], cfg.mysql));
  }

  sync::run_result run(fake_source& source) {
    asio::io_context io;
    mysql::pool pool{db.options, 2};
    sync::runner r{io.get_executor(), pool, *plan, source.fetcher(), [] { return at("2026-01-03 00:00:00"); }};
    auto done = asio::co_spawn(
        io,
        [&]() -> asio::awaitable<sync::run_result> {
          co_await r.prepare();
          co_return co_await r.run({});
        },
        asio::use_future);
    io.run();
    return done.get();
  }

  std::string windows() const {
    return db.scalar("SELECT GROUP_CONCAT(CONCAT(DATE_FORMAT(window_start, '%H:%i'), '-', DATE_FORMAT(window_end, "
                     "'%H:%i'), ' ', state, ' rounds=', fetch_rounds) ORDER BY window_start, window_end SEPARATOR '; ') "
                     "FROM ferry_windows");
  }

  test_database db;
  config::config cfg;
  std::unique_ptr<sync::job_plan> plan;
};

}  // namespace

TEST_CASE("runner in-process: a window whose count is met is committed complete in one round", "[runner]") {
  fixture f{"runner_complete"};
  fake_source source;
  source.rows = flow_rows(1000);
  const auto result = f.run(source);
  INFO(result.summary.error);
  CHECK(result.ok());
  CHECK(result.summary.fetched == 1000);
  CHECK(result.summary.inserted == 1000);
  CHECK(source.calls == 10);
  CHECK(f.windows() == "00:00-00:00 complete rounds=1");
  CHECK(f.db.scalar("SELECT COUNT(*) FROM bi_skusn_inout") == "1000");
  CHECK(f.db.scalar("SELECT watermark FROM ferry_jobs WHERE job_id = 'skusn_inout'") == "2026-01-02 00:00:00");
  CHECK(f.db.scalar("SELECT cost_price FROM bi_skusn_inout WHERE io_id = 1") == "12.5000");
}

TEST_CASE("runner in-process: a row missing from the first read is found by reading the window again", "[runner]") {
  fixture f{"runner_refetch"};
  fake_source source;
  source.rows = flow_rows(1000);
  source.hide_reads = 1;
  const auto result = f.run(source);
  CHECK(result.ok());
  CHECK(f.windows() == "00:00-00:00 complete rounds=2");
  CHECK(f.db.scalar("SELECT COUNT(*) FROM bi_skusn_inout") == "1000");
  CHECK(f.db.scalar("SELECT COUNT(*) FROM bi_skusn_inout WHERE io_id = 8") == "1");
  CHECK(source.calls == 20);
}

TEST_CASE("runner in-process: a window still short is halved and its short half recorded incomplete, never skipped",
          "[runner]") {
  fixture f{"runner_halve"};
  fake_source source;
  source.rows = flow_rows(1000);
  source.ghost = at("2026-01-01 18:00:00");  // in the second half
  const auto result = f.run(source);
  CHECK_FALSE(result.ok());
  CHECK(result.summary.error.empty());
  CHECK(result.summary.incomplete_windows == 1);
  CHECK(result.summary.windows == 2);
  // The day read 3 times, then each half: the first complete at once, the second 3 times and incomplete.
  CHECK(f.windows() == "00:00-12:00 complete rounds=1; 12:00-00:00 incomplete rounds=3");
  CHECK(f.db.scalar("SELECT COUNT(*) FROM bi_skusn_inout") == "1000");
  // The watermark moves past the incomplete half: ferry_windows keeps it to redo, the live runs go on.
  CHECK(f.db.scalar("SELECT watermark FROM ferry_jobs WHERE job_id = 'skusn_inout'") == "2026-01-02 00:00:00");
  CHECK(f.db.scalar("SELECT note FROM ferry_windows WHERE state = 'incomplete'") ==
        "distinct keys 460 < data_count 461 after 3 rounds");
}

TEST_CASE("runner in-process: records that cannot be written beyond the job's ratio fail the window and the run",
          "[runner]") {
  fixture f{"runner_failed"};
  fake_source source;
  source.rows = flow_rows(1000);
  for (std::size_t i = 0; i < 1000; i += 50) source.rows[i]["io_id"] = "not a number";  // 2% > 1%
  const auto result = f.run(source);
  CHECK_FALSE(result.summary.error.empty());
  CHECK(result.summary.error.find("could not be transformed") != std::string::npos);
  CHECK(f.windows() == "00:00-00:00 failed rounds=1");
  CHECK(f.db.scalar("SELECT COUNT(*) FROM ferry_dead_letters") == "20");
  CHECK(f.db.scalar("SELECT COUNT(*) FROM ferry_jobs WHERE job_id = 'skusn_inout' AND watermark IS NOT NULL") == "0");
}

TEST_CASE("runner in-process: a key listed again a page later, newer, is written after its first copy although batches "
          "are written concurrently", "[runner]") {
  fixture f{"runner_concurrent_keys", 100};  // a batch per page
  fake_source source;
  // Every fifth row comes again 100 rows (a page) later with a newer version
  // and another price, as a row that changed while it was paged: its batch
  // is often in flight when the next page's batch is ready.
  const auto base = flow_rows(1000);
  long long copies = 0;
  for (std::size_t j = 0; j < base.size(); ++j) {
    source.rows.push_back(base[j]);
    if (j >= 100 && (j - 100) % 5 == 0) {
      auto copy = base[j - 100];
      copy["modified_time"] = core::format_shanghai_datetime(at(copy["modified_time"].get<std::string>()) +
                                                             std::chrono::hours{1});
      copy["cost_price"] = "99.0000";
      source.rows.push_back(copy);
      ++copies;
    }
  }
  source.count_adjust = -copies;
  const auto result = f.run(source);
  INFO(result.summary.error);
  INFO(f.windows());
  REQUIRE(result.ok());
  CHECK(result.summary.inserted == 1000);
  // Each copy found its first version written: an update, never an insert
  // followed by an older row held back.
  CHECK(result.summary.updated == static_cast<std::uint64_t>(copies));
  CHECK(result.summary.unchanged == 0);
  CHECK(f.db.scalar("SELECT COUNT(*) FROM bi_skusn_inout") == "1000");
  CHECK(f.db.scalar("SELECT COUNT(*) FROM bi_skusn_inout WHERE cost_price = 99") == std::to_string(copies));
}
