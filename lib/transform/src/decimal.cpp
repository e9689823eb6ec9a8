#include "decimal.hpp"

#include <algorithm>

namespace ferry::transform::detail {
namespace {

// Exponents are clamped far beyond any column's range so that "1e999999999999"
// neither overflows nor makes anyone write a trillion zeros.
constexpr std::int64_t exponent_limit = std::int64_t{1} << 40;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

std::string_view take_digits(std::string_view& text) {
  std::size_t n = 0;
  while (n < text.size() && is_digit(text[n])) ++n;
  const auto digits = text.substr(0, n);
  text.remove_prefix(n);
  return digits;
}

std::optional<std::int64_t> read_exponent(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : text) {
    if (!is_digit(c)) return std::nullopt;
    if (value < exponent_limit) value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

}  // namespace

std::optional<decimal_number> decimal_number::parse(std::string_view text) {
  decimal_number n;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    n.negative_ = text.front() == '-';
    text.remove_prefix(1);
  }
  n.int_part_ = take_digits(text);
  if (!text.empty() && text.front() == '.') {
    text.remove_prefix(1);
    n.frac_part_ = take_digits(text);
  }
  if (n.int_part_.empty() && n.frac_part_.empty()) return std::nullopt;
  std::int64_t exponent = 0;
  if (!text.empty()) {
    if (text.front() != 'e' && text.front() != 'E') return std::nullopt;
    const auto e = read_exponent(text.substr(1));
    if (!e) return std::nullopt;
    exponent = *e;
  }
  n.point_ = static_cast<std::int64_t>(n.int_part_.size()) + exponent;
  const auto count = n.digit_count();
  n.first_ = 0;
  while (n.first_ < count && n.digit(static_cast<std::int64_t>(n.first_)) == '0') ++n.first_;
  n.last_ = count;
  while (n.last_ > n.first_ && n.digit(static_cast<std::int64_t>(n.last_) - 1) == '0') --n.last_;
  return n;
}

char decimal_number::digit(std::int64_t index) const noexcept {
  if (index < 0 || index >= static_cast<std::int64_t>(digit_count())) return '0';
  const auto i = static_cast<std::size_t>(index);
  return i < int_part_.size() ? int_part_[i] : frac_part_[i - int_part_.size()];
}

std::int64_t decimal_number::integer_digits() const noexcept {
  if (is_zero()) return 0;
  const auto digits = point_ - static_cast<std::int64_t>(first_);
  return digits > 0 ? digits : 0;
}

std::int64_t decimal_number::fraction_digits() const noexcept {
  if (is_zero()) return 0;
  const auto digits = static_cast<std::int64_t>(last_) - point_;
  return digits > 0 ? digits : 0;
}

std::string decimal_number::format(int scale) const {
  const auto whole = integer_digits();
  const bool minus = negative();
  // Sized once and filled in place: a sign, the integer digits (or "0"),
  // and the point with `scale` digits.
  std::string out(static_cast<std::size_t>((minus ? 1 : 0) + std::max<std::int64_t>(whole, 1) +
                                           (scale > 0 ? scale + 1 : 0)),
                  '0');
  char* at = out.data();
  if (minus) *at++ = '-';
  if (whole == 0) ++at;
  for (std::int64_t i = point_ - whole; i < point_; ++i) *at++ = digit(i);
  if (scale > 0) *at++ = '.';
  for (std::int64_t i = point_; i < point_ + scale; ++i) *at++ = digit(i);
  return out;
}

std::string decimal_number::leading_digits(std::size_t count) const {
  std::string out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) out += digit(static_cast<std::int64_t>(first_ + i));
  return out;
}

}  // namespace ferry::transform::detail
