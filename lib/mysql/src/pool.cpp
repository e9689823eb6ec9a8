#include "ferry/mysql/pool.hpp"

#include <stdexcept>

namespace ferry::mysql {

pool::pool(connection_options options, std::size_t size) : threads_(size) {
  if (size == 0) throw std::invalid_argument("pool size must be at least 1");
  connections_.reserve(size);
  // One spare connection for run_blocking callers outside the worker threads.
  for (std::size_t i = 0; i < size + 1; ++i) {
    connections_.push_back(std::make_unique<connection>(options));
    free_.push_back(connections_.back().get());
  }
}

pool::~pool() { stop(); }

void pool::stop() {
  threads_.join();
}

pool_stats pool::stats() const {
  std::lock_guard lock{mutex_};
  pool_stats s;
  s.size = connections_.size();
  s.busy = connections_.size() - free_.size();
  // A leased connection belongs to its worker thread, which may be opening or
  // dropping its session at this moment, so only free ones are looked at (the
  // mutex orders their last use before this read). A busy one counts as
  // connected: it holds a session or is opening one.
  s.connected = s.busy;
  for (const connection* c : free_)
    if (c->connected()) ++s.connected;
  return s;
}

pool::lease::lease(pool& p) : pool_(p) {
  std::lock_guard lock{pool_.mutex_};
  // Workers never outnumber connections, so a free one exists.
  if (pool_.free_.empty()) throw std::logic_error("mysql pool: no free connection");
  conn_ = pool_.free_.back();
  pool_.free_.pop_back();
}

pool::lease::~lease() {
  // A caller that threw (or forgot) inside a transaction leaves it open: it
  // is rolled back here, so the next caller never commits another's writes
  // or waits on its locks. A rollback that fails closes the session.
  if (conn_->in_transaction()) conn_->rollback();
  std::lock_guard lock{pool_.mutex_};
  pool_.free_.push_back(conn_);
}

}  // namespace ferry::mysql
