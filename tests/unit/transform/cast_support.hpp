#pragma once
// Shorthands for the cast tests: build a column type from its SQL spelling
// and cast a value that must succeed or must fail.
#include "ferry/json/exact.hpp"
#include "ferry/transform/cast.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace ferry::transform::test {

inline sql_type column_type(std::string_view sql) {
  std::string error;
  auto type = parse_sql_type(sql, error);
  INFO(sql << ": " << error);
  REQUIRE(type);
  return *type;
}

// The SQL text of a successful cast ("NULL" for SQL NULL).
inline std::string cast_ok(const nlohmann::json& input, std::string_view sql) {
  const auto result = cast_value(input, column_type(sql));
  INFO(ferry::json::dump_exact(input) << " as " << sql << ": " << result.error);
  REQUIRE(result.ok());
  return result.sql.value_or("NULL");
}

// The reason of a refused cast.
inline std::string cast_error(const nlohmann::json& input, std::string_view sql) {
  const auto result = cast_value(input, column_type(sql));
  INFO(ferry::json::dump_exact(input) << " as " << sql << " gave " << result.sql.value_or("NULL"));
  REQUIRE_FALSE(result.ok());
  CHECK_FALSE(result.sql);
  return result.error;
}

// A number exactly as it appears in a page.
inline nlohmann::json number(std::string_view text) { return ferry::json::parse_exact(text); }

}  // namespace ferry::transform::test
