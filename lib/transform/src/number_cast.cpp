#include "cast_detail.hpp"
#include "decimal.hpp"

#include <charconv>
#include <limits>

namespace ferry::transform::detail {
namespace {

using nlohmann::json;

std::string range_reason(const json& input, const sql_type& type) {
  return describe(input) + " is outside " + type.sql + " (" + std::to_string(type.min_integer) + ".." +
         std::to_string(type.max_integer) + ")";
}

// A string of an optional sign and digits, nothing else.
bool is_integer_string(std::string_view s) {
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  if (s.empty()) return false;
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// The magnitude of the most negative value of the type, as unsigned.
std::uint64_t magnitude_of_min(std::int64_t min) {
  return min >= 0 ? 0 : static_cast<std::uint64_t>(-(min + 1)) + 1;
}

// Range-checks a whole decimal number without fixed-width overflow: the
// digits are compared as an unsigned magnitude, so bigint unsigned and
// numbers beyond it are handled alike.
cast_result checked_integer(const json& input, const decimal_number& n, const sql_type& type) {
  if (n.fraction_digits() > 0) return refuse(describe(input) + " is not an integer");
  if (n.integer_digits() > std::numeric_limits<std::uint64_t>::digits10 + 1)
    return refuse(range_reason(input, type));
  auto text = n.format(0);
  const std::string_view digits = std::string_view{text}.substr(n.negative() ? 1 : 0);
  std::uint64_t magnitude = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return refuse(range_reason(input, type));
  const bool inside = n.negative() ? magnitude <= magnitude_of_min(type.min_integer) : magnitude <= type.max_integer;
  if (!inside) return refuse(range_reason(input, type));
  return accept(std::move(text));
}

cast_result fixed_integer(const json& input, const sql_type& type) {
  ferry::json::number_buffer buffer;
  const auto text = *ferry::json::number_text(input, buffer);
  if (input.is_number_unsigned()) {
    if (input.get<std::uint64_t>() > type.max_integer) return refuse(range_reason(input, type));
  } else {
    const auto v = input.get<std::int64_t>();
    const bool inside = v < 0 ? v >= type.min_integer : static_cast<std::uint64_t>(v) <= type.max_integer;
    if (!inside) return refuse(range_reason(input, type));
  }
  return accept(std::string{text});
}

// Whether a decimal number fits a double (DBL_MAX is 1.7976931348623157e308).
bool fits_double(const decimal_number& n) {
  constexpr std::int64_t max_digits = 309;
  if (n.integer_digits() < max_digits) return true;
  return n.integer_digits() == max_digits && n.leading_digits(17) <= "17976931348623157";
}

// The sign and digits of a plain number ("-12", "0", "12.50"): no '+', no
// leading zero, digits on both sides of a point. False for anything else.
struct plain_number {
  bool negative = false;
  std::string_view whole, fraction;
};

bool read_plain(std::string_view text, bool point_allowed, plain_number& n) {
  if (!text.empty() && text.front() == '-') {
    n.negative = true;
    text.remove_prefix(1);
  }
  std::size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  n.whole = text.substr(0, i);
  if (n.whole.empty() || (n.whole.size() > 1 && n.whole.front() == '0')) return false;
  if (i == text.size()) return true;
  if (!point_allowed || text[i] != '.') return false;
  n.fraction = text.substr(i + 1);
  if (n.fraction.empty()) return false;
  for (const char c : n.fraction)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

bool plain_integer_as_is(std::string_view text, const sql_type& type) {
  plain_number n;
  // (18 digits always fit int64; longer ones take the general road.)
  if (!read_plain(text, false, n) || n.whole.size() > 18 || (n.negative && n.whole == "0")) return false;
  std::int64_t magnitude = 0;
  for (const char c : n.whole) magnitude = magnitude * 10 + (c - '0');
  return n.negative ? -magnitude >= type.min_integer : static_cast<std::uint64_t>(magnitude) <= type.max_integer;
}

bool plain_decimal_into(std::string_view text, const sql_type& type, value& out) {
  plain_number n;
  if (!read_plain(text, true, n)) return false;
  const bool zero_whole = n.whole == "0";
  // "-0.00" is written "0.00": the general road says so.
  if (n.negative && zero_whole && n.fraction.find_first_not_of('0') == std::string_view::npos) return false;
  const auto whole_digits = static_cast<std::int64_t>(zero_whole ? 0 : n.whole.size());
  const auto scale = static_cast<std::size_t>(type.scale);
  if (n.fraction.size() > scale || whole_digits > type.precision - type.scale) return false;
  // Accepted: only now is `out` touched.
  auto& sql = out ? *out : out.emplace();
  sql.assign(text);
  if (scale > 0 && n.fraction.empty()) sql += '.';
  sql.append(scale - n.fraction.size(), '0');
  return true;
}

cast_result cast_integer(const json& input, const sql_type& type) {
  if (input.is_number_integer()) return fixed_integer(input, type);
  const auto refused = [&] { return refuse(describe(input) + " is not an integer"); };
  if (input.is_string()) {
    const auto& s = input.get_ref<const json::string_t&>();
    if (s.empty()) return accept_null();
    if (!is_integer_string(s)) return refused();
  }
  ferry::json::number_buffer buffer;
  std::string_view text;
  if (!numeric_source(input, buffer, text)) return refused();
  const auto n = decimal_number::parse(text);
  if (!n) return refused();
  return checked_integer(input, *n, type);
}

cast_result cast_decimal(const json& input, const sql_type& type) {
  ferry::json::number_buffer buffer;
  std::string_view text;
  if (input.is_string() && input.get_ref<const json::string_t&>().empty()) return accept_null();
  const auto n = numeric_source(input, buffer, text) ? decimal_number::parse(text) : std::nullopt;
  if (!n) return refuse(describe(input) + " is not a decimal number");
  if (n->fraction_digits() > type.scale)
    return refuse(describe(input) + " has " + count_of(n->fraction_digits(), "decimal place") + "; " +
                  type.sql + " allows " + std::to_string(type.scale));
  const auto whole_allowed = type.precision - type.scale;
  if (n->integer_digits() > whole_allowed)
    return refuse(describe(input) + " has " + count_of(n->integer_digits(), "integer digit") + "; " +
                  type.sql + " allows " + std::to_string(whole_allowed));
  return accept(n->format(type.scale));
}

cast_result cast_real(const json& input, const sql_type& type) {
  ferry::json::number_buffer buffer;
  std::string_view text;
  if (input.is_string() && input.get_ref<const json::string_t&>().empty()) return accept_null();
  const auto n = numeric_source(input, buffer, text) ? decimal_number::parse(text) : std::nullopt;
  if (!n) return refuse(describe(input) + " is not a number");
  if (!fits_double(*n)) return refuse(describe(input) + " is outside " + type.sql);
  if (text.starts_with('+')) text.remove_prefix(1);
  return accept(std::string{text});
}

}  // namespace ferry::transform::detail
