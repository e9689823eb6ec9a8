#pragma once
// The casts of cast.hpp, one per cast_kind, and the helpers their refusals
// share. Private to the transform module.
#include "ferry/json/exact.hpp"
#include "ferry/transform/cast.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ferry::transform::detail {

// The value as refusal messages show it: JSON text for scalars, long strings
// cut after 40 characters with "…", "an object"/"an array" for containers.
std::string describe(const nlohmann::json& input);

// A value as refusals show it, described only when one is: a JSON value, or
// the text of a JSON string not built as one (cast_string).
struct shown {
  const nlohmann::json* value = nullptr;
  std::string_view string;
  std::string text() const { return value != nullptr ? describe(*value) : describe(nlohmann::json(string)); }
};

// "1 decimal place", "5 decimal places".
inline std::string count_of(std::int64_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string{noun} + (n == 1 ? "" : "s");
}

inline cast_result accept(std::string sql) { return {std::move(sql), {}}; }
inline cast_result accept_null() { return {}; }
inline cast_result refuse(std::string reason) { return {std::nullopt, std::move(reason)}; }

// The text behind a number or a string, for the numeric casts: the exact
// text of a number, or the string itself. False for anything else.
bool numeric_source(const nlohmann::json& input, ferry::json::number_buffer& buffer, std::string_view& text);

cast_result cast_text(const nlohmann::json& input, const sql_type& type);
// Text for a char/varchar/*text column; valid_utf8: a parser has checked it.
cast_result checked_text(const shown& input, std::string_view text, const sql_type& type, bool valid_utf8);
// Why checked_text refuses `text`, or nullopt when the column takes it as it is.
std::optional<std::string> text_refusal(const shown& input, std::string_view text, const sql_type& type,
                                        bool valid_utf8);
cast_result cast_integer(const nlohmann::json& input, const sql_type& type);
cast_result cast_decimal(const nlohmann::json& input, const sql_type& type);
cast_result cast_real(const nlohmann::json& input, const sql_type& type);
// The forms most numbers come in as strings, accepted without the general
// parse (an optional '-', digits with no leading zero, for decimals an
// optional point and digits; within the column); false for anything else,
// which the general cast then takes, refusals included. An integer's value
// is then its text as it is; a decimal's is written into `out` (its buffer
// reused), which is left alone when false.
bool plain_integer_as_is(std::string_view text, const sql_type& type);
bool plain_decimal_into(std::string_view text, const sql_type& type, value& out);

// `text` as the value, into out's own string (its buffer reused); no refusal.
inline std::string kept_as_is(std::string_view text, value& out) {
  if (out) out->assign(text);
  else out.emplace(text);
  return {};
}

// A cast's value moved into `out`; its refusal returned (empty when accepted,
// and then only is `out` changed).
inline std::string moved_into(cast_result cast, value& out) {
  if (cast.ok()) out = std::move(cast.sql);
  return std::move(cast.error);
}
cast_result cast_datetime(const nlohmann::json& input, const sql_type& type);
// True when `text` is a datetime column's value as it is: the usual
// "yyyy-MM-dd HH:mm:ss" form, a valid wall time, into a datetime (not a
// timestamp) column.
bool datetime_as_written(std::string_view text, const sql_type& type);
// A datetime column's value from a JSON string's text.
cast_result cast_datetime_string(const shown& input, std::string_view text, const sql_type& type);
cast_result cast_date(const nlohmann::json& input, const sql_type& type);
cast_result cast_boolean(const nlohmann::json& input, const sql_type& type);
cast_result cast_json(const nlohmann::json& input, const sql_type& type);

}  // namespace ferry::transform::detail
