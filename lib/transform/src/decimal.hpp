#pragma once
// Decimal numbers read from text without floating point, so that money keeps
// every digit. Used by the integer, decimal and real casts. Pure.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::transform::detail {

// value = sign * 0.d1 d2 ... dn * 10^point, seen as the digit string
// int_part + frac_part with the decimal point `point` digits from its start
// (point may lie outside the digits after an exponent). Views point into the
// parsed text, which must outlive this.
class decimal_number {
 public:
  // Reads [+-]? digits [. digits] [(e|E) [+-]? digits], at least one digit
  // before the exponent; "5." and ".5" are accepted, white space is not.
  static std::optional<decimal_number> parse(std::string_view text);

  bool is_zero() const noexcept { return first_ == digit_count(); }
  bool negative() const noexcept { return negative_ && !is_zero(); }
  // Digits before the point, leading zeros not counted (0 for |value| < 1).
  std::int64_t integer_digits() const noexcept;
  // Digits after the point up to the last non-zero one (0 for integers).
  std::int64_t fraction_digits() const noexcept;
  // The value with exactly `scale` fraction digits ("-12.3400" for scale 4),
  // or "0" / "0.00" for zero. Requires fraction_digits() <= scale and a
  // reasonable integer_digits(): the caller checks both first.
  std::string format(int scale) const;
  // The first `count` significant digits, zero-padded ("17976..." checks).
  std::string leading_digits(std::size_t count) const;

 private:
  std::size_t digit_count() const noexcept { return int_part_.size() + frac_part_.size(); }
  char digit(std::int64_t index) const noexcept;

  bool negative_ = false;
  std::string_view int_part_;
  std::string_view frac_part_;
  std::int64_t point_ = 0;     // position of the point in int_part_ + frac_part_
  std::size_t first_ = 0;      // index of the first non-zero digit (digit_count() if none)
  std::size_t last_ = 0;       // index one past the last non-zero digit
};

}  // namespace ferry::transform::detail
