#include "ferry/state/token_lock.hpp"

namespace ferry::state {

token_lock::token_lock(mysql::connection_options options, std::string source, std::string app_key)
    : options_(std::move(options)), source_(std::move(source)), app_key_(std::move(app_key)) {}

token_lock::~token_lock() {
  if (conn_ && open_) conn_->rollback();
}

std::optional<source_tokens> token_lock::lock(const source_tokens& current) {
  if (!conn_) conn_ = std::make_unique<mysql::connection>(options_);
  if (open_) {
    conn_->rollback();
    open_ = false;
  }
  // The row is made to exist before the transaction (the insert commits at
  // once), so the locking read below, by the primary key, locks that row
  // alone. Inside the transaction, an INSERT IGNORE of a row that exists
  // takes a shared lock two renewers would both upgrade (a deadlock), and a
  // locking read of a missing row locks the gap around it under REPEATABLE
  // READ, which the first insert of every other account then waits on (50 s,
  // then error 1205). With no tokens to store yet (a self-built app minting
  // its first ones) there is no row to lock: READ COMMITTED then takes no gap
  // lock, so it blocks no other account, and two processes minting at the
  // same moment both mint; the later save wins and the other process takes
  // those tokens from ferry_sources at its next refused call.
  if (!current.access_token.empty())
    insert_tokens_if_missing(*conn_, source_, app_key_, current);
  else
    conn_->execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
  conn_->begin();
  open_ = true;
  try {
    return load_tokens(*conn_, source_, app_key_, true);
  } catch (...) {
    conn_->rollback();
    open_ = false;
    throw;
  }
}

void token_lock::unlock(const std::optional<source_tokens>& fresh) {
  if (!open_) {
    if (fresh) {
      if (!conn_) conn_ = std::make_unique<mysql::connection>(options_);
      save_tokens(*conn_, source_, app_key_, *fresh);
    }
    return;
  }
  open_ = false;
  try {
    if (fresh) save_tokens(*conn_, source_, app_key_, *fresh);
    conn_->commit();
  } catch (const mysql::error&) {
    conn_->rollback();
    if (!fresh) return;
    // The session broke under the lock: the tokens must still be kept.
    conn_->close();
    save_tokens(*conn_, source_, app_key_, *fresh);
  }
}

}  // namespace ferry::state
