// The one-ferryd-per-job lock against the real MariaDB: two job_locks are two
// processes (each has its own connection, as two ferryd would).
#include "ferry/state/job_lock.hpp"
#include "test_database.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace ferry;

namespace {

// Waits for the server to drop a killed session's locks (KILL returns before
// the session has ended).
bool taken_within(state::job_locks& locks, const std::string& job, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (locks.try_take(job).taken) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return false;
}

}  // namespace

TEST_CASE("a job's lock is held by one process at a time and names its holder", "[state][lock]") {
  test::test_database db{"job_lock"};
  state::job_locks first{db.options}, second{db.options};

  const auto a = first.try_take("flow");
  CHECK(a.taken);
  CHECK(a.first);
  const auto holder = std::to_string(first.connection_id());
  CHECK(db.scalar("SELECT IS_USED_LOCK('ferry/" + db.options.database + "/flow')") == holder);

  const auto b = second.try_take("flow");
  CHECK_FALSE(b.taken);
  CHECK(b.holder.find("MySQL connection " + holder + " (" + db.options.user + "@") == 0);
  // Another job is free; so is the same job in another database.
  CHECK(second.try_take("orders").taken);
  CHECK(state::job_lock_name("other_db", "flow") != state::job_lock_name(db.options.database, "flow"));

  // Taken twice in one process (a reload's new job while the old run ends):
  // counted, not a new server lock, and held until both let go.
  const auto again = first.try_take("flow");
  CHECK(again.taken);
  CHECK_FALSE(again.first);
  first.release("flow");
  CHECK_FALSE(second.try_take("flow").taken);
  first.release("flow");
  const auto now_second = second.try_take("flow");
  CHECK(now_second.taken);
  CHECK(now_second.first);
  CHECK_FALSE(first.try_take("flow").taken);

  // Letting go of a lock one does not hold changes nothing.
  first.release("flow");
  CHECK_FALSE(first.try_take("flow").taken);
  second.release("flow");
  CHECK(first.try_take("flow").taken);
}

TEST_CASE("a job's lock goes with its connection: killed or closed, another process takes it", "[state][lock]") {
  test::test_database db{"job_lock_kill"};
  state::job_locks first{db.options}, second{db.options};
  REQUIRE(first.try_take("flow").taken);
  REQUIRE_FALSE(second.try_take("flow").taken);

  // The server ends the holder's session (what SIGKILL of ferryd amounts to).
  db.scalar("KILL CONNECTION " + std::to_string(first.connection_id()));
  CHECK(taken_within(second, "flow", std::chrono::seconds{10}));

  // The first process finds its session gone, connects again, and is told
  // who holds the lock now instead of failing.
  const auto back = first.try_take("flow");
  CHECK_FALSE(back.taken);
  CHECK(back.holder.find("MySQL connection " + std::to_string(second.connection_id())) == 0);

  second.close();
  CHECK(taken_within(first, "flow", std::chrono::seconds{10}));
}

TEST_CASE("a job's lock survives the idle session being closed by the server", "[state][lock]") {
  test::test_database db{"job_lock_idle"};
  state::job_locks locks{db.options};
  REQUIRE(locks.try_take("flow").taken);
  locks.release("flow");
  // wait_timeout ended the idle session: the next take reconnects on its own.
  db.scalar("KILL CONNECTION " + std::to_string(locks.connection_id()));
  std::this_thread::sleep_for(std::chrono::milliseconds{200});
  const auto again = locks.try_take("flow");
  CHECK(again.taken);
  CHECK(again.first);
}

TEST_CASE("a run's lock lost with its session is taken back, or its new holder named", "[state][lock]") {
  test::test_database db{"job_lock_lost"};
  state::job_locks first{db.options}, second{db.options};
  const auto used = "SELECT IFNULL(IS_USED_LOCK('ferry/" + db.options.database + "/flow'), 0)";
  REQUIRE(first.try_take("flow").taken);
  CHECK_FALSE(first.lost_to("flow"));
  CHECK_FALSE(first.lost_to("orders"));  // not held: nothing to check

  // The lock's session is cut while the run goes on (a KILL, a network
  // break); nobody else wants the job: the next check opens a session and
  // takes the lock back.
  const auto cut = first.connection_id();
  db.scalar("KILL CONNECTION " + std::to_string(cut));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (db.scalar(used) != "0" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  REQUIRE(db.scalar(used) == "0");
  CHECK_FALSE(first.lost_to("flow"));
  CHECK(first.connection_id() != cut);
  CHECK(db.scalar(used) == std::to_string(first.connection_id()));
  CHECK_FALSE(second.try_take("flow").taken);

  // Cut again, and this time another process takes the job meanwhile: the
  // run is told who has it now (and stops before its next commit).
  db.scalar("KILL CONNECTION " + std::to_string(first.connection_id()));
  REQUIRE(taken_within(second, "flow", std::chrono::seconds{10}));
  const auto lost = first.lost_to("flow");
  REQUIRE(lost);
  CHECK(lost->find("MySQL connection " + std::to_string(second.connection_id())) == 0);
  // A second run of the job in the first process is refused too.
  CHECK_FALSE(first.try_take("flow").taken);

  // When the other lets go, the first takes the lock back at its next check.
  second.release("flow");
  CHECK_FALSE(first.lost_to("flow"));
  CHECK(db.scalar(used) == std::to_string(first.connection_id()));
  first.release("flow");
  CHECK(db.scalar(used) == "0");
}

TEST_CASE("lock names stay within MySQL's 64 characters and distinct", "[state][lock]") {
  const std::string db(40, 'd');
  const auto a = state::job_lock_name(db, std::string(60, 'a'));
  const auto b = state::job_lock_name(db, std::string(59, 'a') + "b");
  CHECK(a.size() == 64);
  CHECK(b.size() == 64);
  CHECK(a != b);
  CHECK(a == state::job_lock_name(db, std::string(60, 'a')));  // stable: another process computes the same
  CHECK(state::job_lock_name("bi", "flow") == "ferry/bi/flow");

  // The server takes a long name.
  test::test_database tdb{"job_lock_long"};
  state::job_locks first{tdb.options}, second{tdb.options};
  CHECK(first.try_take(std::string(64, 'x')).taken);
  CHECK_FALSE(second.try_take(std::string(64, 'x')).taken);
}
