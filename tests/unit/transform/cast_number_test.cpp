#include "cast_support.hpp"

#include <limits>

using namespace ferry::transform;
using namespace ferry::transform::test;
using nlohmann::json;

TEST_CASE("integers pass within their type's range", "[cast][integer]") {
  CHECK(cast_ok(127, "tinyint") == "127");
  CHECK(cast_ok(-128, "tinyint") == "-128");
  CHECK(cast_ok(255, "tinyint unsigned") == "255");
  CHECK(cast_ok(-32768, "smallint") == "-32768");
  CHECK(cast_ok(8388607, "mediumint") == "8388607");
  CHECK(cast_ok(4294967295LL, "int unsigned") == "4294967295");
  CHECK(cast_ok(std::numeric_limits<std::int64_t>::min(), "bigint") == "-9223372036854775808");
  CHECK(cast_ok(std::numeric_limits<std::int64_t>::max(), "bigint") == "9223372036854775807");
  CHECK(cast_ok(std::numeric_limits<std::uint64_t>::max(), "bigint unsigned") == "18446744073709551615");
  CHECK(cast_ok(number("18446744073709551615"), "bigint unsigned") == "18446744073709551615");
}

TEST_CASE("integers outside the range are refused with the range", "[cast][integer]") {
  CHECK(cast_error(300, "tinyint") == "300 is outside tinyint (-128..127)");
  CHECK(cast_error(-129, "tinyint") == "-129 is outside tinyint (-128..127)");
  CHECK(cast_error(-1, "tinyint unsigned") == "-1 is outside tinyint unsigned (0..255)");
  CHECK(cast_error(2147483648LL, "int") == "2147483648 is outside int (-2147483648..2147483647)");
  CHECK(cast_error(std::numeric_limits<std::uint64_t>::max(), "bigint") ==
        "18446744073709551615 is outside bigint (-9223372036854775808..9223372036854775807)");
  CHECK(cast_error(number("18446744073709551616"), "bigint unsigned") ==
        "18446744073709551616 is outside bigint unsigned (0..18446744073709551615)");
  CHECK(cast_error(number("-9223372036854775809"), "bigint").starts_with("-9223372036854775809 is outside"));
  CHECK(cast_error(number("123456789012345678901234567890"), "bigint unsigned")
            .starts_with("123456789012345678901234567890 is outside"));
  CHECK(cast_error("99999999999999999999999", "bigint").starts_with(R"("99999999999999999999999" is outside)"));
  // Numbers beyond a double never come out of parse_exact (nlohmann refuses
  // them), but exact_number can make them: the casts must not overflow.
  CHECK(cast_error(ferry::json::exact_number("1e400000000000"), "bigint").ends_with("is outside bigint (-9223372036854775808..9223372036854775807)"));
}

TEST_CASE("integers from strings and integral exact numbers", "[cast][integer]") {
  CHECK(cast_ok("0012", "int") == "12");
  CHECK(cast_ok("-0012", "int") == "-12");
  CHECK(cast_ok("+7", "int") == "7");
  CHECK(cast_ok("-0", "int") == "0");
  CHECK(cast_ok("0", "int unsigned") == "0");
  CHECK(cast_ok("18446744073709551615", "bigint unsigned") == "18446744073709551615");
  CHECK(cast_ok(number("5.0"), "int") == "5");
  CHECK(cast_ok(number("1e3"), "int") == "1000");
  CHECK(cast_ok(number("1.5E+1"), "int") == "15");
  CHECK(cast_ok(number("-0.0"), "int unsigned") == "0");
  CHECK(cast_ok(json(4.0), "int") == "4");  // a double from a DOM not made by parse_exact
}

TEST_CASE("integers refuse fractions, words and booleans", "[cast][integer]") {
  CHECK(cast_error("abc", "int") == R"("abc" is not an integer)");
  CHECK(cast_error(number("5.5"), "int") == "5.5 is not an integer");
  CHECK(cast_error(number("1e-1"), "bigint") == "1e-1 is not an integer");
  CHECK(cast_error("5.0", "int") == R"("5.0" is not an integer)");
  CHECK(cast_error("1e3", "int") == R"("1e3" is not an integer)");
  CHECK(cast_error(" 12", "int") == R"(" 12" is not an integer)");
  CHECK(cast_error("-", "int") == R"("-" is not an integer)");
  CHECK(cast_error("12abc", "int") == R"("12abc" is not an integer)");
  CHECK(cast_error(true, "int") == "true is not an integer");
  CHECK(cast_error(json::object(), "int") == "an object is not an integer");
}

TEST_CASE("decimals keep every digit and pad to the scale", "[cast][decimal]") {
  CHECK(cast_ok(number("12.34"), "decimal(18,4)") == "12.3400");
  CHECK(cast_ok(number("-12.34"), "decimal(18,4)") == "-12.3400");
  CHECK(cast_ok(number("0.1"), "decimal(10,2)") == "0.10");
  CHECK(cast_ok(number("1.230000"), "decimal(10,4)") == "1.2300");
  CHECK(cast_ok(number("-0.0"), "decimal(10,2)") == "0.00");
  CHECK(cast_ok(number("0.30000000000000004"), "decimal(20,17)") == "0.30000000000000004");
  CHECK(cast_ok(42, "decimal(10,2)") == "42.00");
  CHECK(cast_ok(-7, "decimal(5,0)") == "-7");
  CHECK(cast_ok(std::numeric_limits<std::uint64_t>::max(), "decimal(20,0)") == "18446744073709551615");
  CHECK(cast_ok("12.34", "decimal(18,4)") == "12.3400");
  CHECK(cast_ok("-0.5", "decimal(18,4)") == "-0.5000");
  CHECK(cast_ok("+.5", "decimal(3,2)") == "0.50");
  CHECK(cast_ok("5.", "decimal(3,2)") == "5.00");
  CHECK(cast_ok("000123.4500", "decimal(5,2)") == "123.45");
}

TEST_CASE("decimals shift the point for exponents", "[cast][decimal]") {
  CHECK(cast_ok("1e2", "decimal(10,2)") == "100.00");
  CHECK(cast_ok(number("1e3"), "decimal(10,0)") == "1000");
  CHECK(cast_ok(number("1.5E-3"), "decimal(10,4)") == "0.0015");
  CHECK(cast_ok(number("-12345e-2"), "decimal(10,2)") == "-123.45");
  CHECK(cast_ok(number("0.00012e4"), "decimal(10,4)") == "1.2000");
  CHECK(cast_ok(number("0e999999999999"), "decimal(10,2)") == "0.00");
  CHECK(cast_ok(number("1000e-3"), "decimal(1,0)") == "1");
}

TEST_CASE("decimals never round money", "[cast][decimal]") {
  CHECK(cast_error(number("12.34567"), "decimal(18,4)") == "12.34567 has 5 decimal places; decimal(18,4) allows 4");
  CHECK(cast_error("0.005", "decimal(10,2)") == R"("0.005" has 3 decimal places; decimal(10,2) allows 2)");
  CHECK(cast_error(number("1e-5"), "decimal(10,4)") == "1e-5 has 5 decimal places; decimal(10,4) allows 4");
  CHECK(cast_error(number("1.5"), "decimal(10,0)") == "1.5 has 1 decimal place; decimal(10,0) allows 0");
}

TEST_CASE("decimals refuse too many integer digits", "[cast][decimal]") {
  CHECK(cast_ok(number("99999999999999.9999"), "decimal(18,4)") == "99999999999999.9999");
  CHECK(cast_error(number("123456789012345.5"), "decimal(18,4)") ==
        "123456789012345.5 has 15 integer digits; decimal(18,4) allows 14");
  CHECK(cast_error(number("1e14"), "decimal(18,4)") == "1e14 has 15 integer digits; decimal(18,4) allows 14");
  CHECK(cast_error(ferry::json::exact_number("1e999999999999"), "decimal(65,30)").find("integer digits; decimal(65,30) allows 35") !=
        std::string::npos);
  CHECK(cast_error(10, "decimal(2,1)") == "10 has 2 integer digits; decimal(2,1) allows 1");
  CHECK(cast_ok(number("0.99"), "decimal(2,2)") == "0.99");
  CHECK(cast_error(1, "decimal(2,2)") == "1 has 1 integer digit; decimal(2,2) allows 0");
}

TEST_CASE("decimal(65,30) carries 65 digits exactly", "[cast][decimal]") {
  const std::string whole(35, '9');
  const std::string fraction(30, '1');
  CHECK(cast_ok(number(whole + "." + fraction), "decimal(65,30)") == whole + "." + fraction);
  CHECK(cast_ok(number("-" + whole), "decimal(65,30)") == "-" + whole + "." + std::string(30, '0'));
  CHECK(cast_error(number("1" + whole), "decimal(65,30)").ends_with("has 36 integer digits; decimal(65,30) allows 35"));
  CHECK(cast_error(number("0." + fraction + "1"), "decimal(65,30)").ends_with("has 31 decimal places; decimal(65,30) allows 30"));
}

TEST_CASE("decimals refuse what is not a number", "[cast][decimal]") {
  for (const auto* bad : {"abc", "1.2.3", "1e", "e5", ".", "-", "1,000.00", " 1", "0x10", "NaN", "Infinity"}) {
    INFO(bad);
    CHECK(cast_error(bad, "decimal(10,2)") == ferry::json::dump_exact(json(bad)) + " is not a decimal number");
  }
  CHECK(cast_error(true, "decimal(10,2)") == "true is not a decimal number");
  CHECK(cast_error(json::array({1}), "decimal(10,2)") == "an array is not a decimal number");
}

TEST_CASE("reals take any number's text", "[cast][real]") {
  CHECK(cast_ok(number("0.1"), "double") == "0.1");
  CHECK(cast_ok(number("1e3"), "double") == "1e3");
  CHECK(cast_ok(number("-12.3400"), "double") == "-12.3400");
  CHECK(cast_ok(12, "double") == "12");
  CHECK(cast_ok("3.5", "double") == "3.5");
  CHECK(cast_ok("+3.5", "double") == "3.5");
  CHECK(cast_ok("1.7976931348623157e308", "double") == "1.7976931348623157e308");
  CHECK(cast_ok(number("1e-400"), "double") == "1e-400");
}

TEST_CASE("reals refuse words and what a double cannot hold", "[cast][real]") {
  CHECK(cast_error("abc", "double") == R"("abc" is not a number)");
  CHECK(cast_error(false, "double") == "false is not a number");
  CHECK(cast_error("1e400", "double") == R"("1e400" is outside double)");
  CHECK(cast_error("1.8e308", "double") == R"("1.8e308" is outside double)");
  CHECK(cast_error(ferry::json::exact_number("-1e309"), "double") == "-1e309 is outside double");
}

TEST_CASE("every integer type accepts its bounds and refuses one past them", "[cast][integer]") {
  struct bounds { const char* sql; const char* min; const char* max; const char* below; const char* above; };
  const bounds table[] = {
      {"tinyint", "-128", "127", "-129", "128"},
      {"tinyint unsigned", "0", "255", "-1", "256"},
      {"smallint", "-32768", "32767", "-32769", "32768"},
      {"smallint unsigned", "0", "65535", "-1", "65536"},
      {"mediumint", "-8388608", "8388607", "-8388609", "8388608"},
      {"mediumint unsigned", "0", "16777215", "-1", "16777216"},
      {"int", "-2147483648", "2147483647", "-2147483649", "2147483648"},
      {"int unsigned", "0", "4294967295", "-1", "4294967296"},
      {"bigint", "-9223372036854775808", "9223372036854775807", "-9223372036854775809", "9223372036854775808"},
      {"bigint unsigned", "0", "18446744073709551615", "-1", "18446744073709551616"},
  };
  for (const auto& b : table) {
    INFO(b.sql);
    // As JSON numbers (integers, or exact numbers beyond 64 bits) and as strings.
    CHECK(cast_ok(number(b.min), b.sql) == b.min);
    CHECK(cast_ok(number(b.max), b.sql) == b.max);
    CHECK(cast_ok(b.min, b.sql) == b.min);
    CHECK(cast_ok(b.max, b.sql) == b.max);
    const auto range = std::string{" is outside "} + b.sql + " (" + b.min + ".." + b.max + ")";
    CHECK(cast_error(number(b.below), b.sql) == b.below + range);
    CHECK(cast_error(number(b.above), b.sql) == b.above + range);
    CHECK(cast_error(b.above, b.sql) == "\"" + std::string{b.above} + "\"" + range);
  }
}
