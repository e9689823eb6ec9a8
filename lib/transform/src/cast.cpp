#include "cast_detail.hpp"
#include "ferry/json/exact.hpp"
#include "ferry/json/utf8.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace ferry::transform {
namespace detail {
namespace {

using nlohmann::json;

constexpr std::size_t shown_characters = 40;

std::string limit_reason(const shown& input, std::size_t size, std::string_view unit, const sql_type& type,
                         std::size_t limit) {
  return input.text() + " is " + std::to_string(size) + " " + std::string{unit} + "; " + type.sql +
         " allows " + std::to_string(limit);
}

// Code points of text known to be valid UTF-8: the bytes that do not continue a sequence.
std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  return count;
}

bool equals_ignoring_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

// Checks a text value against char/varchar (code points) and *text (bytes) limits.
std::optional<std::string> text_refusal(const shown& input, std::string_view text, const sql_type& type,
                                        bool valid_utf8) {
  std::size_t characters = 0;
  if (!valid_utf8) {
    std::size_t bad_offset = 0;
    const auto counted = ferry::json::utf8_length(text, &bad_offset);
    if (!counted) return "a string with invalid UTF-8 at byte " + std::to_string(bad_offset);
    characters = *counted;
  } else if (type.max_chars && text.size() > *type.max_chars) {
    // (No more characters than bytes: only a longer text needs counting.)
    characters = code_points(text);
  }
  if (type.max_chars && characters > *type.max_chars)
    return limit_reason(input, characters, "characters", type, *type.max_chars);
  if (type.max_bytes && text.size() > *type.max_bytes)
    return limit_reason(input, text.size(), "bytes", type, *type.max_bytes);
  return std::nullopt;
}

cast_result checked_text(const shown& input, std::string_view text, const sql_type& type, bool valid_utf8) {
  if (auto refusal = text_refusal(input, text, type, valid_utf8)) return refuse(std::move(*refusal));
  return accept(std::string{text});
}

std::string describe(const json& input) {
  switch (input.type()) {
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: {
      const auto& s = input.get_ref<const json::string_t&>();
      std::size_t end = 0;
      for (std::size_t shown = 0; end < s.size() && shown < shown_characters; ++shown)
        end += std::max<std::size_t>(1, ferry::json::utf8_sequence_length(s, end));
      if (end >= s.size()) return ferry::json::dump_exact(input);
      auto cut = ferry::json::dump_exact(json(s.substr(0, end)));
      cut.insert(cut.size() - 1, "\xE2\x80\xA6");  // "…" inside the quotes
      return cut;
    }
    default: return ferry::json::dump_exact(input);
  }
}

bool numeric_source(const json& input, ferry::json::number_buffer& buffer, std::string_view& text) {
  if (input.is_string()) {
    text = input.get_ref<const json::string_t&>();
    return true;
  }
  const auto number = ferry::json::number_text(input, buffer);
  if (!number) return false;
  text = *number;
  return true;
}

cast_result cast_text(const json& input, const sql_type& type) {
  switch (input.type()) {
    case json::value_t::string: return checked_text({&input, {}}, input.get_ref<const json::string_t&>(), type, false);
    case json::value_t::boolean: return checked_text({&input, {}}, input.get<bool>() ? "true" : "false", type, false);
    case json::value_t::object:
    case json::value_t::array: return refuse(describe(input) + " is not text; use a json column");
    default: {
      ferry::json::number_buffer buffer;
      const auto number = ferry::json::number_text(input, buffer);
      if (!number) return refuse(describe(input) + " is not text");
      return checked_text({&input, {}}, *number, type, false);
    }
  }
}

cast_result cast_boolean(const json& input, const sql_type&) {
  const auto refused = [&] { return refuse(describe(input) + " is not a boolean (true/false, 1/0)"); };
  if (input.is_boolean()) return accept(input.get<bool>() ? "1" : "0");
  if (input.is_number_integer()) {
    // Unsigned and signed integers both arrive here; compare without sign mix-ups.
    if (input == 0) return accept("0");
    if (input == 1) return accept("1");
    return refused();
  }
  if (!input.is_string()) return refused();
  const auto& s = input.get_ref<const json::string_t&>();
  if (s.empty()) return accept_null();
  if (s == "1" || equals_ignoring_case(s, "true")) return accept("1");
  if (s == "0" || equals_ignoring_case(s, "false")) return accept("0");
  return refused();
}

cast_result cast_json(const json& input, const sql_type& type) {
  auto text = ferry::json::dump_exact(input);
  if (type.max_bytes && text.size() > *type.max_bytes)
    return refuse(limit_reason({&input, {}}, text.size(), "bytes of JSON", type, *type.max_bytes));
  return accept(std::move(text));
}

}  // namespace detail

cast_result cast_value(const nlohmann::json& input, const sql_type& type) {
  if (input.is_null()) return detail::accept_null();
  switch (type.cast) {
    case cast_kind::text: return detail::cast_text(input, type);
    case cast_kind::integer: return detail::cast_integer(input, type);
    case cast_kind::decimal: return detail::cast_decimal(input, type);
    case cast_kind::real: return detail::cast_real(input, type);
    case cast_kind::datetime: return detail::cast_datetime(input, type);
    case cast_kind::date: return detail::cast_date(input, type);
    case cast_kind::boolean: return detail::cast_boolean(input, type);
    case cast_kind::json: return detail::cast_json(input, type);
  }
  return detail::refuse("unknown cast");
}

namespace {

// A cast into a value as a cast_result.
cast_result result_of(std::string error, value sql) {
  if (!error.empty()) return detail::refuse(std::move(error));
  return {std::move(sql), {}};
}

}  // namespace

std::string cast_string_into(std::string_view text, const sql_type& type, bool valid_utf8, value& out) {
  switch (type.cast) {
    case cast_kind::text:
      if (auto refusal = detail::text_refusal({nullptr, text}, text, type, valid_utf8)) return std::move(*refusal);
      return detail::kept_as_is(text, out);
    case cast_kind::datetime:
      if (detail::datetime_as_written(text, type)) return detail::kept_as_is(text, out);
      return detail::moved_into(detail::cast_datetime_string({nullptr, text}, text, type), out);
    case cast_kind::integer:
      if (detail::plain_integer_as_is(text, type)) return detail::kept_as_is(text, out);
      break;
    case cast_kind::decimal:
      if (detail::plain_decimal_into(text, type, out)) return {};
      break;
    default: break;
  }
  return detail::moved_into(cast_value(nlohmann::json(text), type), out);
}

cast_result cast_string(std::string_view text, const sql_type& type, bool valid_utf8) {
  value out;
  auto error = cast_string_into(text, type, valid_utf8, out);
  return result_of(std::move(error), std::move(out));
}

std::string cast_number_text_into(std::string_view text, const sql_type& type, value& out) {
  if (type.cast == cast_kind::decimal && detail::plain_decimal_into(text, type, out)) return {};
  return detail::moved_into(cast_value(ferry::json::exact_number(text), type), out);
}

cast_result cast_number_text(std::string_view text, const sql_type& type) {
  value out;
  auto error = cast_number_text_into(text, type, out);
  return result_of(std::move(error), std::move(out));
}

std::string cast_integer_text_into(std::string_view text, bool negative, const sql_type& type, value& out) {
  // The tape's text is plain ("-0" is kept as "0"): in range, it is the value's.
  if (type.cast == cast_kind::integer && detail::plain_integer_as_is(text, type)) return detail::kept_as_is(text, out);
  // Other kinds, 19 digits and more, and refusals, as the JSON value says.
  const char* const end = text.data() + text.size();
  if (negative) {
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc{} || ptr != end) throw std::invalid_argument("cast: not an int64: " + std::string{text});
    return detail::moved_into(cast_value(nlohmann::json(v), type), out);
  }
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc{} || ptr != end) throw std::invalid_argument("cast: not a uint64: " + std::string{text});
  return detail::moved_into(cast_value(nlohmann::json(v), type), out);
}

cast_result cast_integer_text(std::string_view text, bool negative, const sql_type& type) {
  value out;
  auto error = cast_integer_text_into(text, negative, type, out);
  return result_of(std::move(error), std::move(out));
}

}  // namespace ferry::transform
