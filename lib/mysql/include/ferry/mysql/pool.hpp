#pragma once
// A fixed pool of MySQL connections served by as many worker threads, so that
// blocking Connector/C calls never run on the event loop.
//
// `run(f)` moves the calling coroutine to a worker thread, hands `f` a
// connection, and resumes the caller with f's result (or its exception) on
// the caller's executor. With one worker per connection a worker always finds
// a free connection; callers beyond the pool size queue in the thread pool.
// A connection whose statement failed on the client side or lost the server
// is dropped and reconnected on its next use; one handed back inside a
// transaction is rolled back first. Thread-safe.
#include "ferry/core/asio.hpp"
#include "ferry/mysql/connection.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#include <vector>

namespace ferry::mysql {

struct pool_stats {
  std::size_t size = 0;
  std::size_t busy = 0;
  std::size_t connected = 0;
};

class pool {
 public:
  pool(connection_options options, std::size_t size);
  ~pool();
  pool(const pool&) = delete;
  pool& operator=(const pool&) = delete;

  template <class F>
  auto run(F f) -> asio::awaitable<std::invoke_result_t<F&, connection&>> {
    using result = std::invoke_result_t<F&, connection&>;
    co_return co_await asio::co_spawn(
        threads_.get_executor(),
        [this, fn = std::move(f)]() mutable -> asio::awaitable<result> {
          lease held{*this};
          co_return fn(held.get());
        },
        asio::use_awaitable);
  }

  // Runs `f` with a connection on the calling thread; for start-up and tools.
  template <class F>
  auto run_blocking(F&& f) -> std::invoke_result_t<F&, connection&> {
    lease held{*this};
    return f(held.get());
  }

  pool_stats stats() const;
  std::size_t size() const { return connections_.size(); }
  // Waits for queued work to finish and joins the workers.
  void stop();

 private:
  // Takes a free connection for the lifetime of one call.
  class lease {
   public:
    explicit lease(pool& p);
    ~lease();
    connection& get() { return *conn_; }
   private:
    pool& pool_;
    connection* conn_;
  };

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<connection>> connections_;
  std::vector<connection*> free_;
  asio::thread_pool threads_;
};

}  // namespace ferry::mysql
