#pragma once
// Private to the mysql module: how an INSERT ... ON DUPLICATE KEY UPDATE's
// affected rows and mysql_info() split into inserted, updated and unchanged.
// Text multi-row statements and MariaDB bulk executions report the same way
// (checked by tests/integration/db for both write modes).
#include "ferry/mysql/connection.hpp"

#include <charconv>
#include <string_view>

namespace ferry::mysql::detail {

// mysql_info() after a multi-row upsert: "Records: 3  Duplicates: 1  Warnings: 0".
inline std::uint64_t duplicates_from_info(const char* info) {
  if (info == nullptr) return 0;
  const std::string_view text{info};
  const auto at = text.find("Duplicates: ");
  if (at == std::string_view::npos) return 0;
  std::uint64_t value = 0;
  const auto start = text.data() + at + 12;
  std::from_chars(start, text.data() + text.size(), value);
  return value;
}

// Per row the server adds 1 to affected rows for an insert, 2 for an update
// and 0 for a row that matched a key and ended equal (the connection does not
// set CLIENT_FOUND_ROWS). mysql_info()'s "Duplicates" counts the updated rows.
// A one-row statement has no info line: affected is then 1, 2 or 0.
inline upsert_counts split_upsert(std::uint64_t affected, const char* info, std::uint64_t rows) {
  upsert_counts counts;
  counts.updated = info != nullptr ? duplicates_from_info(info) : (affected == 2 ? 1 : 0);
  counts.inserted = affected >= 2 * counts.updated ? affected - 2 * counts.updated : 0;
  const auto written = counts.inserted + counts.updated;
  counts.unchanged = rows >= written ? rows - written : 0;
  return counts;
}

}  // namespace ferry::mysql::detail
