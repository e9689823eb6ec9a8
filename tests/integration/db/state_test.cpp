#include "ferry/core/time.hpp"
#include "ferry/state/store.hpp"
#include "ferry/state/token_lock.hpp"
#include "test_database.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

using namespace ferry;

namespace {
state::sys_seconds at(const char* text) { return *core::parse_shanghai_datetime(text); }
}  // namespace

TEST_CASE("migrate creates ferry's tables and can run again", "[state]") {
  test::test_database db{"state_migrate"};
  mysql::connection conn{db.options};
  state::migrate(conn);
  state::migrate(conn);
  CHECK(db.scalar("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                  "AND TABLE_NAME LIKE 'ferry\\_%'") == "6");
  CHECK(db.scalar("SELECT MAX(version) FROM ferry_schema") == "5");
  // Version 5: a cursor job's cursor, and each walk's cursors in the ledger.
  CHECK(db.scalar("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
                  "COLUMN_NAME IN ('ts_cursor', 'ts_seen', 'cursor_start', 'cursor_end') AND DATA_TYPE = 'bigint'") ==
        "4");
  // Version 4: a run a shutdown ended is 'interrupted'.
  CHECK_THAT(db.scalar("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
                       "TABLE_NAME = 'ferry_runs' AND COLUMN_NAME = 'state'"),
             Catch::Contains("'interrupted'"));
  // Version 2's columns, added once however often migrate runs.
  CHECK(db.scalar("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
                  "COLUMN_NAME IN ('issued_at', 'verify_due', 'verified_at', 'verified_keys', 'verify_found')") == "5");
}

TEST_CASE("a database of version 1 is brought to the very tables a new one gets", "[state]") {
  test::test_database db{"state_upgrade"};
  mysql::connection conn{db.options};
  state::migrate(conn);
  const std::vector<std::string> names{"ferry_schema", "ferry_jobs", "ferry_windows",
                                       "ferry_runs",   "ferry_dead_letters", "ferry_sources"};
  const auto shapes = [&] {
    std::vector<std::string> out;
    for (const auto& t : names) out.push_back(conn.query("SHOW CREATE TABLE " + t).at(0).at(1).value_or(""));
    return out;
  };
  const auto fresh = shapes();
  // Back to version 1: none of the later columns, the ENUMs it had.
  conn.execute("ALTER TABLE ferry_sources DROP COLUMN issued_at");
  conn.execute("ALTER TABLE ferry_windows DROP COLUMN verify_due, DROP COLUMN verified_at, DROP COLUMN verified_keys, "
               "DROP COLUMN verify_found, DROP COLUMN cursor_start, DROP COLUMN cursor_end");
  conn.execute("ALTER TABLE ferry_runs DROP COLUMN skipped, MODIFY kind ENUM('scheduled','manual','once','backfill') "
               "NOT NULL, MODIFY state ENUM('queued','running','success','failed') NOT NULL");
  conn.execute("ALTER TABLE ferry_jobs DROP COLUMN ts_cursor, DROP COLUMN ts_seen");
  conn.execute("DELETE FROM ferry_schema");
  conn.execute("INSERT INTO ferry_schema (version) VALUES (1)");
  REQUIRE(shapes() != fresh);
  state::migrate(conn);
  const auto upgraded = shapes();
  for (std::size_t i = 0; i < names.size(); ++i) {
    INFO(names[i]);
    CHECK(upgraded[i] == fresh[i]);
  }
  CHECK(db.scalar("SELECT GROUP_CONCAT(version ORDER BY version) FROM ferry_schema") == "1,5");
  // Once up to date, migrating again changes nothing.
  state::migrate(conn);
  CHECK(shapes() == fresh);
}

TEST_CASE("a window commit moves the watermark only from the expected value", "[state]") {
  test::test_database db{"state_window"};
  mysql::connection conn{db.options};
  state::migrate(conn);
  auto job = state::load_job(conn, "skusn");
  CHECK_FALSE(job.watermark);
  CHECK_FALSE(job.paused);

  state::window_record w;
  w.job_id = "skusn";
  w.run_id = 1;
  w.start = at("2026-01-01 00:00:00");
  w.end = at("2026-01-02 00:00:00");
  w.data_count = 10;
  conn.begin();
  CHECK(state::commit_window(conn, w, std::nullopt, w.end));
  conn.commit();
  CHECK(state::load_job(conn, "skusn").watermark == w.end);
  CHECK(db.scalar("SELECT watermark FROM ferry_jobs") == "2026-01-02 00:00:00");

  // Another writer expecting the old watermark loses.
  conn.begin();
  CHECK_FALSE(state::commit_window(conn, w, std::nullopt, at("2026-01-03 00:00:00")));
  conn.rollback();
  CHECK(state::load_job(conn, "skusn").watermark == w.end);

  const auto listed = state::windows(conn, "skusn", state::window_state::complete);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].end == w.end);
  CHECK(listed[0].data_count == 10u);
}

TEST_CASE("a window commit whose answer was lost is found by its run and window", "[state]") {
  test::test_database db{"state_find_window"};
  mysql::connection conn{db.options};
  state::migrate(conn);
  state::window_record w;
  w.job_id = "skusn";
  w.run_id = 7;
  w.start = at("2026-01-01 00:00:00");
  w.end = at("2026-01-02 00:00:00");
  w.inserted = 120;
  w.unchanged = 3;
  CHECK_FALSE(state::find_window(conn, "skusn", 7, w.start, w.end));
  conn.begin();
  REQUIRE(state::commit_window(conn, w, std::nullopt, w.end));
  conn.commit();
  const auto found = state::find_window(conn, "skusn", 7, w.start, w.end);
  REQUIRE(found);
  CHECK(found->inserted == 120u);
  CHECK(found->unchanged == 3u);
  // Another run, window or job is another commit.
  CHECK_FALSE(state::find_window(conn, "skusn", 8, w.start, w.end));
  CHECK_FALSE(state::find_window(conn, "skusn", 7, w.start, at("2026-01-03 00:00:00")));
  CHECK_FALSE(state::find_window(conn, "orders", 7, w.start, w.end));
}

TEST_CASE("a rolled back window leaves no ledger row and no watermark", "[state]") {
  test::test_database db{"state_rollback"};
  mysql::connection conn{db.options};
  state::migrate(conn);
  state::load_job(conn, "j");
  state::window_record w;
  w.job_id = "j";
  w.start = at("2026-01-01 00:00:00");
  w.end = at("2026-01-01 01:00:00");
  conn.begin();
  state::commit_window(conn, w, std::nullopt, w.end);
  conn.rollback();
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_windows") == "0");
  CHECK(db.scalar("SELECT watermark FROM ferry_jobs") == "NULL");
}

TEST_CASE("runs, dead letters, pause and tokens persist", "[state]") {
  test::test_database db{"state_misc"};
  mysql::connection conn{db.options};
  state::migrate(conn);
  state::load_job(conn, "j");
  const auto run = state::start_run(conn, "j", state::run_kind::once, at("2026-01-01 00:00:00"),
                                    at("2026-01-02 00:00:00"));
  state::run_summary summary;
  summary.windows = 2;
  summary.inserted = 5;
  state::finish_run(conn, run, summary);
  CHECK(db.scalar("SELECT CONCAT(state, '/', windows, '/', inserted) FROM ferry_runs") == "success/2/5");

  state::add_dead_letters(conn, "j", run, at("2026-01-01 00:00:00"), at("2026-01-02 00:00:00"),
                          {{3, R"({"io_id":"x"})", "io_id: \"x\" is not an integer"}});
  CHECK(db.scalar("SELECT record FROM ferry_dead_letters") == R"({"io_id":"x"})");

  CHECK(state::set_paused(conn, "j", true));
  CHECK(state::load_job(conn, "j").paused);
  CHECK_FALSE(state::set_paused(conn, "nobody", true));

  CHECK_FALSE(state::load_tokens(conn, "jst", "demo"));
  state::save_tokens(conn, "jst", "demo", {"a1", "r1", std::nullopt, std::nullopt});
  state::save_tokens(conn, "jst", "demo", {"a2", "r2", at("2026-02-01 00:00:00"), at("2026-01-02 00:00:00")});
  const auto tokens = state::load_tokens(conn, "jst", "demo");
  REQUIRE(tokens);
  CHECK(tokens->access_token == "a2");
  CHECK(tokens->refresh_token == "r2");
  CHECK(tokens->expires_at == at("2026-02-01 00:00:00"));
  CHECK(tokens->issued_at == at("2026-01-02 00:00:00"));
}

// Two processes renewing one account: the second waits on the row and then
// reads what the first stored, instead of refreshing with a retired token.
TEST_CASE("the token lock makes a second renewer wait and see the first one's tokens", "[state][tokens]") {
  test::test_database db{"state_token_lock"};
  mysql::connection conn{db.options};
  state::migrate(conn);
  state::token_lock first{db.options, "jst", "demo"};
  state::token_lock second{db.options, "jst", "demo"};
  const state::source_tokens old{"a1", "r1", at("2026-02-01 00:00:00"), at("2026-01-02 00:00:00")};
  const auto seen = first.lock(old);  // creates the row
  REQUIRE(seen);
  CHECK(seen->access_token == "a1");
  std::optional<state::source_tokens> second_saw;
  std::atomic<bool> returned{false};
  std::thread other{[&] {
    second_saw = second.lock(old);
    returned = true;
  }};
  std::this_thread::sleep_for(std::chrono::milliseconds{500});
  CHECK_FALSE(returned);  // still waiting on the row
  first.unlock(state::source_tokens{"a2", "r2", at("2026-03-01 00:00:00"), at("2026-01-30 00:00:00")});
  other.join();
  REQUIRE(second_saw);
  CHECK(second_saw->access_token == "a2");
  CHECK(second_saw->refresh_token == "r2");
  second.unlock(std::nullopt);
  CHECK(db.scalar("SELECT CONCAT(access_token, '/', refresh_token, '/', expires_at) FROM ferry_sources") ==
        "a2/r2/2026-03-01 00:00:00");
  // Unlocking without tokens changes nothing; a row is not created from an empty token.
  state::token_lock none{db.options, "jst", "other"};
  CHECK_FALSE(none.lock(state::source_tokens{}));
  none.unlock(std::nullopt);
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_sources") == "1");
}

// Accounts of one ferryd (or a fleet) renew side by side: the first
// renewal of each, on an empty table, must not wait on the others' locks.
TEST_CASE("renewers of different accounts never wait for each other, even before their rows exist",
          "[state][tokens]") {
  test::test_database db{"state_token_accounts"};
  mysql::connection conn{db.options};
  state::migrate(conn);
  const state::source_tokens old{"a1", "r1", at("2026-02-01 00:00:00"), at("2026-01-02 00:00:00")};
  std::vector<std::unique_ptr<state::token_lock>> locks;
  for (const char* source : {"shop1", "shop2", "shop3"})
    locks.push_back(std::make_unique<state::token_lock>(db.options, source, std::string{"key-"} + source));
  for (auto& lock : locks) REQUIRE(lock->lock(old));  // all three held at once
  // The same with no tokens at all (a self-built app that mints its own): nothing to lock yet.
  state::token_lock bare_a{db.options, "mint_a", "ka"};
  state::token_lock bare_b{db.options, "mint_b", "kb"};
  CHECK_FALSE(bare_a.lock(state::source_tokens{}));
  CHECK_FALSE(bare_b.lock(state::source_tokens{}));
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < locks.size(); ++i)
    CHECK_NOTHROW(locks[i]->unlock(state::source_tokens{"a" + std::to_string(i + 2), "r", at("2026-03-01 00:00:00"),
                                                        at("2026-01-30 00:00:00")}));
  CHECK_NOTHROW(bare_b.unlock(state::source_tokens{"minted_b", "r", std::nullopt, std::nullopt}));
  CHECK_NOTHROW(bare_a.unlock(state::source_tokens{"minted_a", "r", std::nullopt, std::nullopt}));
  INFO("unlocking took " << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                   started).count() << " ms");
  CHECK(db.scalar("SELECT GROUP_CONCAT(access_token ORDER BY source) FROM ferry_sources") ==
        "minted_a,minted_b,a2,a3,a4");
}

TEST_CASE("incomplete windows stop counting once a later complete window covers them", "[state]") {
  test::test_database db{"state_incomplete"};
  mysql::connection conn{db.options};
  state::migrate(conn);
  state::load_job(conn, "j");
  state::window_record w;
  w.job_id = "j";
  w.start = at("2026-01-01 00:00:00");
  w.end = at("2026-01-02 00:00:00");
  w.state = state::window_state::incomplete;
  state::commit_window(conn, w, std::nullopt, std::nullopt);
  CHECK(state::open_incomplete_windows(conn, "j") == 1);
  // A complete window over part of it does not count as a redo.
  w.state = state::window_state::complete;
  w.end = at("2026-01-01 12:00:00");
  state::commit_window(conn, w, std::nullopt, std::nullopt);
  CHECK(state::open_incomplete_windows(conn, "j") == 1);
  w.end = at("2026-01-03 00:00:00");
  state::commit_window(conn, w, std::nullopt, std::nullopt);
  CHECK(state::open_incomplete_windows(conn, "j") == 0);
}

TEST_CASE("a cursor walk left incomplete is closed by a later complete walk from no further on, per value too",
          "[state]") {
  test::test_database db{"state_incomplete_walks"};
  mysql::connection conn{db.options};
  state::migrate(conn);
  // Walks of one value of a for_each job: they count toward the job's own id.
  state::window_record w;
  w.job_id = "j_x@10001";
  w.run_id = 1;
  w.start = w.end = at("2026-01-01 00:00:00");
  w.state = state::window_state::incomplete;
  w.cursor_start = w.cursor_end = 500;
  state::commit_window(conn, w, std::nullopt, std::nullopt);
  CHECK(state::open_incomplete_windows(conn, "j_x") == 1);
  // Another job whose id only LIKE's '_' would match: not counted.
  CHECK(state::open_incomplete_windows(conn, "jxx") == 0);
  // A later complete walk from further on read less: still open.
  w.state = state::window_state::complete;
  w.start = w.end = at("2026-01-01 00:05:00");
  w.cursor_start = 600;
  w.cursor_end = 700;
  state::commit_window(conn, w, std::nullopt, std::nullopt);
  CHECK(state::open_incomplete_windows(conn, "j_x") == 1);
  // From the same cursor: closed.
  w.start = w.end = at("2026-01-01 00:10:00");
  w.cursor_start = 500;
  state::commit_window(conn, w, std::nullopt, std::nullopt);
  CHECK(state::open_incomplete_windows(conn, "j_x") == 0);
}

TEST_CASE("runs left running by a stopped process are closed as failed", "[state]") {
  test::test_database db{"state_abandoned"};
  mysql::connection conn{db.options};
  state::migrate(conn);
  state::start_run(conn, "j", state::run_kind::scheduled, at("2026-01-01 00:00:00"), at("2026-01-02 00:00:00"));
  CHECK(state::close_abandoned_runs(conn, "j") == 1);
  CHECK(db.scalar("SELECT state FROM ferry_runs") == "failed");
  CHECK_THAT(db.scalar("SELECT error FROM ferry_runs"), Catch::Contains("abandoned"));
  CHECK(state::close_abandoned_runs(conn, "j") == 0);
}
