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
  conn_->begin();
  open_ = true;
  try {
    // The row first, FOR UPDATE: an INSERT IGNORE on a row that exists takes
    // a shared lock that two renewers would both upgrade (a deadlock).
    if (auto row = load_tokens(*conn_, source_, app_key_, true)) return row;
    if (current.access_token.empty()) return std::nullopt;
    insert_tokens_if_missing(*conn_, source_, app_key_, current);
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
