#pragma once
// Turns one JSON value into the SQL text of a column of a given sql_type,
// refusing (never truncating or rounding) what the column cannot hold. The
// text is what the sink binds or escapes: "12", "-12.3400",
// "2026-01-02 03:04:05", "1"/"0" for booleans, JSON text for json columns.
// Pure; thread-safe.
//
// Rules by cast_kind (an empty string is NULL for every kind but text and
// json, since Jushuitan sends "" for unset dates and amounts):
//   text     strings as they are (UTF-8 checked; char(N)/varchar(N) count code
//            points, *text count bytes); numbers as their exact text;
//            booleans "true"/"false"; objects and arrays are refused.
//   integer  JSON integers; strings of an optional sign and digits ("0012" is
//            12); exact numbers only when integral ("5.0" is 5); range-checked
//            against the type, unsigned and beyond int64 included.
//   decimal  exact decimal arithmetic on the text of numbers or numeric
//            strings ("1e2" is 100); padded to the scale; more significant
//            fraction digits than the scale, or more integer digits than
//            precision - scale, are refused.
//   real     any number's text, or a numeric string; refused beyond a double.
//   datetime "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss" or "yyyy-MM-dd"
//            (midnight), Asia/Shanghai wall time, written "yyyy-MM-dd HH:mm:ss";
//            a JSON integer is Unix milliseconds when >= 1e11, else Unix
//            seconds, written as Beijing time (milliseconds are dropped).
//            timestamp columns also check MySQL's 1970..2038 range.
//   date     "yyyy-MM-dd", or a datetime at exactly midnight.
//   boolean  true/false, 0/1, "true"/"false"/"0"/"1" in any case -> "1"/"0".
//   json     any value as ferry::json::dump_exact text, size-checked.
// JSON null is SQL NULL for every kind.
#include "ferry/transform/sql_type.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ferry::transform {

// The SQL text of a column value; nullopt is SQL NULL.
using value = std::optional<std::string>;

// The outcome of one cast: a value, or the reason it was refused, naming the
// value and the rule ("300 is outside tinyint (-128..127)").
struct cast_result {
  value sql;
  std::string error;  // empty on success

  bool ok() const noexcept { return error.empty(); }
};

cast_result cast_value(const nlohmann::json& input, const sql_type& type);

// The same for a JSON string given by its (unescaped) text, without building
// the JSON value for the text and datetime kinds: cast_string(s, type, v) ==
// cast_value(nlohmann::json(s), type) for any s a parser accepted.
// valid_utf8: the caller knows `text` is valid UTF-8 (simdjson and
// nlohmann check every string they read), so only a text longer in bytes
// than the column's characters is counted, and none is checked again.
cast_result cast_string(std::string_view text, const sql_type& type, bool valid_utf8);
// The same cast into a value kept from row to row: the usual forms (text,
// datetimes as "yyyy-MM-dd HH:mm:ss", plain integers and decimals) are
// written into out's own string, whose buffer is reused, so they cost no
// allocation. Returns the refusal, empty when accepted: then out holds
// cast_string(text, type, valid_utf8).sql; a refusal leaves out as it was.
// (cast_string is this into a fresh value; so are the two below.)
std::string cast_string_into(std::string_view text, const sql_type& type, bool valid_utf8, value& out);

// The same for a JSON integer given by its decimal text as a parsed page
// keeps it (json::tape: digits with no leading zero, '-' first when
// `negative`, within int64 when negative and uint64 otherwise), without
// building the JSON value for integer columns:
// cast_integer_text(text, negative, type) == cast_value(the integer, type).
cast_result cast_integer_text(std::string_view text, bool negative, const sql_type& type);
std::string cast_integer_text_into(std::string_view text, bool negative, const sql_type& type, value& out);

// The same for any other JSON number by its text as written (json::tape's
// exact nodes): cast_number_text(text, type) ==
// cast_value(json::exact_number(text), type); plain decimals ("47.7440")
// into decimal columns are written without the general parse.
cast_result cast_number_text(std::string_view text, const sql_type& type);
std::string cast_number_text_into(std::string_view text, const sql_type& type, value& out);

}  // namespace ferry::transform
