#include "ferry/mysql/pool.hpp"
#include "test_database.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <thread>

using namespace ferry;

namespace {

template <class T>
T run_on_loop(asio::io_context& io, asio::awaitable<T> task) {
  std::optional<T> result;
  std::exception_ptr failure;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    failure = e;
    if (!e) result = std::move(value);
  });
  io.run();
  io.restart();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

}  // namespace

TEST_CASE("the pool runs statements off the event-loop thread", "[pool]") {
  test::test_database db{"pool"};
  mysql::pool pool{db.options, 2};
  asio::io_context io;
  const auto loop_thread = std::this_thread::get_id();
  auto task = [&]() -> asio::awaitable<std::string> {
    auto [version, worker] = co_await pool.run([](mysql::connection& c) {
      return std::pair{c.query("SELECT VERSION()").at(0).at(0).value_or(""), std::this_thread::get_id()};
    });
    CHECK(worker != loop_thread);
    CHECK(std::this_thread::get_id() == loop_thread);  // resumed on the loop
    co_return version;
  };
  CHECK_THAT(run_on_loop(io, task()), Catch::Contains("MariaDB"));
}

TEST_CASE("pool errors reach the caller as mysql::error and the pool recovers", "[pool]") {
  test::test_database db{"pool_errors"};
  mysql::pool pool{db.options, 2};
  asio::io_context io;
  auto failing = [&]() -> asio::awaitable<int> {
    co_await pool.run([](mysql::connection& c) { return c.execute("SELECT * FROM no_such_table"); });
    co_return 0;
  };
  CHECK_THROWS_AS(run_on_loop(io, failing()), mysql::error);
  // A killed connection is replaced on its next use.
  auto killed = [&]() -> asio::awaitable<int> {
    co_await pool.run([](mysql::connection& c) {
      const auto id = c.query("SELECT CONNECTION_ID()").at(0).at(0).value_or("0");
      try { c.execute("KILL " + id); } catch (const mysql::error&) {}
      return 0;
    });
    int total = 0;
    for (int i = 0; i < 6; ++i) {
      try {
        total += static_cast<int>(co_await pool.run([](mysql::connection& c) { return c.query("SELECT 1").size(); }));
      } catch (const mysql::error& e) {
        CHECK(e.kind() == mysql::error_kind::connection_lost);
      }
    }
    co_return total;
  };
  // The killed connection is dropped by the pool and reconnected, so every
  // later call succeeds.
  CHECK(run_on_loop(io, killed()) == 6);
}

TEST_CASE("concurrent pool calls never share a connection", "[pool]") {
  test::test_database db{"pool_concurrency"};
  mysql::pool pool{db.options, 3};
  asio::io_context io;
  std::atomic<int> in_flight{0}, peak{0};
  int done = 0;
  for (int i = 0; i < 12; ++i) {
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      co_await pool.run([&](mysql::connection& c) {
        const int now = ++in_flight;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {}
        c.query("SELECT SLEEP(0.05)");
        --in_flight;
        return 0;
      });
      ++done;
    }, [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  }
  io.run();
  CHECK(done == 12);
  CHECK(peak.load() <= 3);
  CHECK(peak.load() >= 2);
}

// /metrics asks the pool for its stats while workers open sessions. stats()
// once read the handle of every connection, including one a worker was
// connecting at that moment: a data race, which TSan reports here.
TEST_CASE("pool stats can be read while workers open sessions", "[pool]") {
  test::test_database db{"pool_stats"};
  for (int round = 0; round < 3; ++round) {
    mysql::pool pool{db.options, 3};
    asio::io_context io;
    std::atomic<bool> running{true};
    std::thread reader{[&] {
      while (running) {
        const auto s = pool.stats();
        CHECK(s.busy <= s.size);
        CHECK(s.connected <= s.size);
      }
    }};
    int done = 0;
    for (int i = 0; i < 9; ++i) {
      asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        co_await pool.run([](mysql::connection& c) { return c.query("SELECT 1").size(); });
        ++done;
      }, [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
    }
    io.run();
    running = false;
    reader.join();
    CHECK(done == 9);
    const auto after = pool.stats();
    CHECK(after.busy == 0);
    CHECK(after.connected >= 1);
  }
}

TEST_CASE("a connection handed back inside a transaction is rolled back before the next caller gets it", "[pool]") {
  test::test_database db{"pool_rollback"};
  mysql::pool pool{db.options, 1};
  pool.run_blocking([](mysql::connection& c) {
    c.execute("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB");
    return 0;
  });
  // A caller that begins, writes and then fails without rolling back.
  CHECK_THROWS_AS(pool.run_blocking([](mysql::connection& c) -> int {
    c.begin();
    c.execute("INSERT INTO t VALUES (1)");
    CHECK(c.in_transaction());
    throw std::runtime_error("the caller failed mid-transaction");
  }),
                  std::runtime_error);
  // The same session (one connection for run_blocking callers) comes back clean.
  pool.run_blocking([](mysql::connection& c) {
    CHECK_FALSE(c.in_transaction());
    CHECK(c.query("SELECT COUNT(*) FROM t").at(0).at(0).value_or("") == "0");
    c.execute("INSERT INTO t VALUES (2)");  // autocommit again: a write of its own
    return 0;
  });
  CHECK(db.scalar("SELECT GROUP_CONCAT(id) FROM t") == "2");
}

TEST_CASE("a socket given is the way in, whatever host and port say", "[connection]") {
  const char* socket = std::getenv("FERRY_MYSQL_SOCKET");
  if (socket == nullptr || *socket == '\0') {
    WARN("FERRY_MYSQL_SOCKET is not set (not the private server): nothing to check");
    return;
  }
  test::test_database db{"socket"};
  auto o = db.options;
  o.socket = socket;
  o.host = "127.0.0.1";
  o.port = 1;  // nothing listens there: only the socket can answer
  mysql::connection conn{o};
  // The server names a socket client's host "localhost", a TCP one's by its address and port.
  const auto rows = conn.query("SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][0] == std::optional<std::string>{"localhost"});
}
