#pragma once
// The SQL column types a ferry target may declare ("varchar(64)",
// "decimal(18,4)", "bigint unsigned", "datetime", ...), parsed into the cast
// the transform applies and the limits it checks before a value reaches
// MySQL, so that nothing is silently truncated or rounded. Pure; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::transform {

// How a JSON value becomes the SQL text of a column.
enum class cast_kind {
  text,      // strings as they are; numbers and booleans as their JSON text
  integer,   // whole numbers within [min_integer, max_integer]
  decimal,   // exact decimal text, at most `precision` digits, `scale` after the point
  real,      // float/double: any JSON number
  datetime,  // "yyyy-MM-dd HH:mm:ss" (Asia/Shanghai wall time), stored as it reads
  date,      // "yyyy-MM-dd" (a datetime's date part is refused unless it is midnight)
  boolean,   // true/false, 0/1, "true"/"false", "0"/"1" -> 1 or 0
  json,      // any JSON, stored as its exact JSON text
};

struct sql_type {
  std::string sql;  // canonical DDL spelling: "varchar(64)", "bigint unsigned", "decimal(18,4)"
  cast_kind cast = cast_kind::text;
  std::optional<std::size_t> max_chars;  // char/varchar: characters (UTF-8 code points)
  std::optional<std::size_t> max_bytes;  // tinytext/text/mediumtext/longtext/json: bytes
  std::int64_t min_integer = 0;          // integer: inclusive bounds
  std::uint64_t max_integer = 0;
  bool is_unsigned = false;
  int precision = 0;  // decimal: total digits
  int scale = 0;      // decimal: digits after the point
};

// Parses a column type, case-insensitively, with single spaces between words.
// On failure returns nullopt and sets `error` to a reason naming what is wrong
// ("decimal scale 40 is over 30", "unknown type 'varchar2'").
std::optional<sql_type> parse_sql_type(std::string_view text, std::string& error);

// The list shown in config hints: "varchar(N), char(N), text, ..."
std::string_view supported_sql_types();

}  // namespace ferry::transform
