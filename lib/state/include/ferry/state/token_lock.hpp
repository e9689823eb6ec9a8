#pragma once
// The row lock under which one process at a time renews a source account's
// tokens: lock() opens a transaction on a connection of its own and reads
// the account's ferry_sources row FOR UPDATE; unlock() stores the renewed
// tokens and commits. Another ferryd (or a --once) renewing the same account
// waits in lock() and then reads the tokens this one stored, instead of
// refreshing with a refresh token the platform has already retired. A
// process that dies holding the lock loses its session, and with it the lock.
//
// One per source account; lock() and unlock() alternate, each a blocking call
// for a pool thread. Not thread-safe: its user (the account's client) runs
// one renewal at a time.
#include "ferry/state/store.hpp"

#include <memory>
#include <optional>
#include <string>

namespace ferry::state {

class token_lock {
 public:
  token_lock(mysql::connection_options options, std::string source, std::string app_key);
  ~token_lock();
  token_lock(const token_lock&) = delete;
  token_lock& operator=(const token_lock&) = delete;

  // Begins the transaction, creates the row from `current` when there is
  // none and `current` has an access token, and returns the row, locked.
  // Throws mysql::error (a lock wait timeout among them; the caller retries).
  std::optional<source_tokens> lock(const source_tokens& current);
  // Writes `fresh` when set and commits. When the lock's session broke,
  // `fresh` is saved afresh on a new one (the lock was gone anyway): renewed
  // tokens are never dropped for a broken connection. Throws mysql::error
  // when they could not be saved at all.
  void unlock(const std::optional<source_tokens>& fresh);

 private:
  mysql::connection_options options_;
  std::string source_, app_key_;
  std::unique_ptr<mysql::connection> conn_;
  bool open_ = false;  // a transaction is under way
};

}  // namespace ferry::state
