#pragma once
// Exact JSON numbers. nlohmann::json keeps every non-integer number as a
// double, which would turn a price of 0.1 into 0.1000000000000000055...; ferry
// carries money, so pages are parsed with parse_exact(), which keeps the text
// of such numbers as written. The DOM is an ordinary nlohmann::json except
// that a non-integer number (or an integer beyond int64/uint64) is an *exact
// number*: a binary value with subtype exact_number_subtype holding the
// number's text. Only the functions here interpret that representation;
// anything else (nlohmann's dump(), its comparisons) sees a binary value.
//
// All functions are pure and thread-safe; the returned values own their data.
#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ferry::json {

// The binary subtype ('F') that marks an exact number.
inline constexpr std::uint8_t exact_number_subtype = 0x46;

// Deepest nesting of arrays and objects parse_exact accepts; deeper input is
// refused so that hostile pages cannot exhaust memory or stack.
inline constexpr std::size_t max_depth = 512;

// Invalid JSON text: where it went wrong and why.
class parse_error : public std::runtime_error {
 public:
  parse_error(std::size_t position, std::string reason);

  // The 1-based byte offset at which the error was found; one past the end
  // (text.size() + 1) when the text stops too early.
  std::size_t position() const noexcept { return position_; }
  // Why the text is not JSON, without the position.
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::size_t position_;
  std::string reason_;
};

// Parses one JSON document (RFC 8259, UTF-8, nothing but white space after
// it) keeping non-integer numbers exact. Integers stay number_integer
// (negative) or number_unsigned. Throws parse_error on invalid text, on a
// nesting deeper than max_depth, and on a number whose magnitude a double
// cannot hold (e.g. 1e400: nlohmann's lexer refuses it).
nlohmann::json parse_exact(std::string_view text);

// Makes an exact number from its JSON text ("12.3400", "-1e3").
// Throws std::invalid_argument if `text` is not a JSON number.
nlohmann::json exact_number(std::string_view text);

// True for an exact number made by parse_exact or exact_number.
bool is_exact_number(const nlohmann::json& value) noexcept;

// Room for the text of any int64, uint64 or double.
using number_buffer = std::array<char, 32>;

// The text of a number: the exact text of an exact number, the decimal text
// of an integer, the shortest round-trip text of a double (only found in
// DOMs not made by parse_exact). nullopt for non-numbers and for a double
// that is not finite. The view points into `value` or into `buffer`.
std::optional<std::string_view> number_text(const nlohmann::json& value, number_buffer& buffer);

// As above, as an owned string.
std::optional<std::string> number_text(const nlohmann::json& value);

// Serializes like value.dump(): compact, UTF-8 kept as is, strings escaped as
// nlohmann does; exact numbers are written as their text, so that
// parse_exact(dump_exact(x)) == x for every x made by parse_exact. Invalid
// UTF-8 in a string (only possible in a hand-built DOM) becomes U+FFFD rather
// than an exception, so that a dead-letter record can always be written.
std::string dump_exact(const nlohmann::json& value);

// As above, appending to `out`.
void dump_exact(const nlohmann::json& value, std::string& out);

}  // namespace ferry::json
