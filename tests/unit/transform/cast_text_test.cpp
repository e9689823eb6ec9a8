#include "cast_support.hpp"

using namespace ferry::transform;
using namespace ferry::transform::test;
using nlohmann::json;

TEST_CASE("text keeps strings exactly", "[cast][text]") {
  CHECK(cast_ok("SN-0001", "varchar(64)") == "SN-0001");
  CHECK(cast_ok("聚水潭 仓库", "varchar(64)") == "聚水潭 仓库");
  CHECK(cast_ok("😀 emoji", "varchar(8)") == "😀 emoji");
  CHECK(cast_ok("it's \"quoted\"", "text") == "it's \"quoted\"");
  CHECK(cast_ok("back\\slash; DROP TABLE x; --", "text") == "back\\slash; DROP TABLE x; --");
  CHECK(cast_ok("line\nbreak\ttab", "text") == "line\nbreak\ttab");
  CHECK(cast_ok("", "varchar(10)").empty());
  CHECK(cast_ok(std::string{"nul\0byte", 8}, "text") == std::string{"nul\0byte", 8});
}

TEST_CASE("text writes numbers as their exact text and booleans as words", "[cast][text]") {
  CHECK(cast_ok(number("12.3400"), "varchar(20)") == "12.3400");
  CHECK(cast_ok(number("123456789012345678901234567890"), "text") == "123456789012345678901234567890");
  CHECK(cast_ok(-42, "varchar(5)") == "-42");
  CHECK(cast_ok(true, "varchar(5)") == "true");
  CHECK(cast_ok(false, "varchar(5)") == "false");
}

TEST_CASE("char and varchar count characters, text types count bytes", "[cast][text]") {
  std::string chinese;
  for (int i = 0; i < 64; ++i) chinese += "仓";
  CHECK(cast_ok(chinese, "varchar(64)") == chinese);  // 64 characters, 192 bytes
  CHECK(cast_error(chinese + "库", "varchar(64)").ends_with("is 65 characters; varchar(64) allows 64"));
  CHECK(cast_ok("😀😀😀😀", "char(4)") == "😀😀😀😀");
  CHECK(cast_error("😀😀😀😀😀", "char(4)") == R"("😀😀😀😀😀" is 5 characters; char(4) allows 4)");

  const std::string ascii(255, 'a');
  CHECK(cast_ok(ascii, "tinytext") == ascii);
  CHECK(cast_error(ascii + "b", "tinytext").ends_with("is 256 bytes; tinytext allows 255"));
  std::string wide;
  for (int i = 0; i < 86; ++i) wide += "仓";  // 86 characters but 258 bytes
  CHECK(cast_error(wide, "tinytext").ends_with("is 258 bytes; tinytext allows 255"));
  CHECK(cast_error(number("12345.6"), "varchar(5)") == "12345.6 is 7 characters; varchar(5) allows 5");
}

TEST_CASE("text refusals name the value, cut when long", "[cast][text]") {
  const std::string seventy(70, 'x');
  CHECK(cast_error(seventy, "varchar(64)") ==
        "\"" + std::string(40, 'x') + "…\" is 70 characters; varchar(64) allows 64");
  std::string chinese;
  for (int i = 0; i < 50; ++i) chinese += "库";
  std::string shown;
  for (int i = 0; i < 40; ++i) shown += "库";
  CHECK(cast_error(chinese, "varchar(10)") == "\"" + shown + "…\" is 50 characters; varchar(10) allows 10");
}

TEST_CASE("text refuses objects, arrays and invalid UTF-8", "[cast][text]") {
  CHECK(cast_error(json::object({{"a", 1}}), "text") == "an object is not text; use a json column");
  CHECK(cast_error(json::array({1}), "varchar(9)") == "an array is not text; use a json column");
  CHECK(cast_error(std::string{"ab\xFF"}, "text") == "a string with invalid UTF-8 at byte 2");
}

TEST_CASE("null is NULL for every kind", "[cast]") {
  for (const auto* sql : {"varchar(5)", "int", "decimal(10,2)", "double", "datetime", "date", "bool", "json"}) {
    INFO(sql);
    CHECK(cast_ok(nullptr, sql) == "NULL");
  }
}

TEST_CASE("empty strings are NULL except for text and json", "[cast]") {
  for (const auto* sql : {"int", "bigint unsigned", "decimal(10,2)", "double", "datetime", "date", "bool"}) {
    INFO(sql);
    CHECK(cast_ok("", sql) == "NULL");
  }
  CHECK(cast_ok("", "varchar(5)").empty());
  CHECK(cast_ok("", "json") == R"("")");
}

TEST_CASE("booleans accept the usual spellings", "[cast][boolean]") {
  CHECK(cast_ok(true, "bool") == "1");
  CHECK(cast_ok(false, "boolean") == "0");
  CHECK(cast_ok(1, "tinyint(1)") == "1");
  CHECK(cast_ok(0, "bool") == "0");
  CHECK(cast_ok(json(std::uint64_t{1}), "bool") == "1");
  for (const auto* yes : {"true", "TRUE", "True", "1"}) CHECK(cast_ok(yes, "bool") == "1");
  for (const auto* no : {"false", "False", "FALSE", "0"}) CHECK(cast_ok(no, "bool") == "0");
}

TEST_CASE("booleans refuse anything else", "[cast][boolean]") {
  CHECK(cast_error(2, "bool") == "2 is not a boolean (true/false, 1/0)");
  CHECK(cast_error(-1, "bool") == "-1 is not a boolean (true/false, 1/0)");
  CHECK(cast_error("yes", "bool") == R"("yes" is not a boolean (true/false, 1/0))");
  CHECK(cast_error(" 1", "bool").starts_with(R"(" 1")"));
  CHECK(cast_error(number("1.0"), "bool") == "1.0 is not a boolean (true/false, 1/0)");
  CHECK(cast_error(json::array(), "bool") == "an array is not a boolean (true/false, 1/0)");
}

TEST_CASE("json columns hold the exact JSON text", "[cast][json]") {
  const auto items = ferry::json::parse_exact(R"([{"sku":"A\"1","price":9.90,"名":"😀"},{"qty":2}])");
  CHECK(cast_ok(items, "json") == R"([{"price":9.90,"sku":"A\"1","名":"😀"},{"qty":2}])");
  CHECK(cast_ok("text", "json") == R"("text")");
  CHECK(cast_ok(number("0.10"), "json") == "0.10");
  CHECK(cast_ok(false, "json") == "false");
}

TEST_CASE("json columns check their size", "[cast][json]") {
  auto type = column_type("json");
  type.max_bytes = 12;
  const auto refused = cast_value(json::array({"012345678"}), type);
  CHECK(refused.error == "an array is 13 bytes of JSON; json allows 12");
  CHECK(cast_value(json::array({"01234567"}), type).sql == R"(["01234567"])");  // exactly 12
}

namespace {

// Values a row before may have left in a slot: empty, NULL, short, long.
std::vector<ferry::transform::value> earlier_values() {
  return {ferry::transform::value{""}, ferry::transform::value{}, ferry::transform::value{"x"},
          ferry::transform::value{std::string(300, 'y')}};
}

// A cast into a slot holding `before`: accepted, the slot holds the
// expected value; refused, it is left as it was.
template <class Cast>
void check_into(const ferry::transform::cast_result& expected, Cast&& cast) {
  for (const auto& before : earlier_values()) {
    auto slot = before;
    const std::string error = cast(slot);
    CHECK(error == expected.error);
    CHECK(slot == (expected.ok() ? expected.sql : before));
  }
}

}  // namespace

// Pages map strings straight from their parsed text (cast_string), skipping
// the JSON value and, for text a parser has checked, the UTF-8 check: the
// same value or the same refusal as cast_value, for every kind of column.
TEST_CASE("a string cast from its parsed text gives what casting it as JSON gives", "[cast][text]") {
  std::string long_chinese, long_ascii;
  for (int i = 0; i < 64; ++i) long_chinese += "仓";
  for (int i = 0; i < 300; ++i) long_ascii += "x";
  const std::vector<std::string> strings{
      "", "SN-0001", "聚水潭 仓库", "😀 emoji", "abcd", "abcde", "仓库仓库", "仓库仓库仓", long_chinese,
      long_chinese + "库", long_ascii, std::string{"nul\0byte", 8}, "2026-01-02 03:04:05", "2026-01-02T03:04:05",
      "2026-01-02", "2026-02-30 00:00:00", "1969-12-31 23:59:59", "2026-01-02 24:00:00", "12.5", "-0012.50", "1e2",
      "abc", "true", "0", "2038-01-19 11:14:07", "2038-01-19 11:14:08",
      // numbers as strings: plain ones take a shorter road in cast_string
      "-0", "007", "+5", "-5", "12", "12.0", "12.50", "-12.5", "0.5", "-0.5", "0.000", "-0.00", "-0.001", ".5", "5.",
      "1.23456", "99999999999999", "999999999999999999", "-999999999999999999", "1000000000000000000",
      "-9223372036854775808", "18446744073709551615", "18446744073709551616", "127", "128", "-128", "-129", "255",
      "256", " 1", "1 ", "1,000", "0x10", "1.5e3", "--1", "-", "496.7667", "12345678901234.5678", "123456789012345.5"};
  const std::vector<std::string> types{"varchar(4)", "char(5)",  "varchar(64)",   "varchar(255)",     "tinytext",
                                       "text",       "datetime", "timestamp",     "date",             "int",
                                       "tinyint",    "tinyint unsigned",          "bigint",           "bigint unsigned",
                                       "decimal(18,4)", "decimal(5,2)", "decimal(10,0)", "decimal(65,30)", "double",
                                       "tinyint(1)", "json"};
  for (const auto& t : types) {
    const auto type = column_type(t);
    for (const auto& s : strings) {
      INFO(t << " <- \"" << s << "\"");
      const auto expected = cast_value(json(s), type);
      const auto got = cast_string(s, type, true);
      CHECK(got.sql == expected.sql);
      CHECK(got.error == expected.error);
      const auto unchecked = cast_string(s, type, false);
      CHECK(unchecked.sql == expected.sql);
      CHECK(unchecked.error == expected.error);
      // Into a value a row before left.
      for (const bool valid_utf8 : {true, false})
        check_into(expected, [&](auto& slot) { return ferry::transform::cast_string_into(s, type, valid_utf8, slot); });
    }
  }
}

// Pages cast integers straight from their parsed digits (cast_integer_text):
// the same value or the same refusal as cast_value of the JSON integer, for
// every kind of column, at and past the edges of every integer type.
TEST_CASE("an integer cast from its parsed digits gives what casting it as JSON gives", "[cast][integer]") {
  const std::vector<std::string> digits{"0",     "1",     "127",   "128",        "255",        "256",
                                        "32767", "32768", "65535", "65536",      "8388607",    "16777215",
                                        "16777216",       "2147483647",          "2147483648", "4294967295",
                                        "4294967296",     "9223372036854775807", "9223372036854775808",
                                        "18446744073709551615", "20260102030405", "1767300000", "1767300000000"};
  const std::vector<std::string> types{"tinyint",  "tinyint unsigned", "smallint", "smallint unsigned", "mediumint",
                                       "int",      "int unsigned",     "bigint",   "bigint unsigned",   "tinyint(1)",
                                       "decimal(18,4)", "decimal(5,0)", "double",  "varchar(4)",        "text",
                                       "datetime", "timestamp",        "date",     "json"};
  for (const auto& t : types) {
    const auto type = column_type(t);
    for (const auto& d : digits) {
      const auto positive = std::stoull(d);
      INFO(t << " <- " << d);
      const auto expected = cast_value(json(positive), type);
      const auto got = cast_integer_text(d, false, type);
      CHECK(got.sql == expected.sql);
      CHECK(got.error == expected.error);
      check_into(expected, [&](auto& slot) { return ferry::transform::cast_integer_text_into(d, false, type, slot); });
      if (positive > 9223372036854775808ULL) continue;
      // The negative of it, as the tape keeps it: '-' and the digits; "-0" is "0".
      const auto negative = positive == 0 ? std::int64_t{0} : static_cast<std::int64_t>(0 - positive);
      const auto text = positive == 0 ? std::string{"0"} : "-" + d;
      INFO(t << " <- " << text);
      const auto expected_negative = cast_value(json(negative), type);
      const auto got_negative = cast_integer_text(text, true, type);
      CHECK(got_negative.sql == expected_negative.sql);
      CHECK(got_negative.error == expected_negative.error);
      check_into(expected_negative,
                 [&](auto& slot) { return ferry::transform::cast_integer_text_into(text, true, type, slot); });
    }
  }
}

// Numbers that are not whole int64/uint64 values are kept as written
// (json::tape's exact nodes); plain decimals into decimal columns take a
// shorter road: the same value or refusal as the exact number's cast.
TEST_CASE("a number cast from its text as written gives what casting the exact number gives", "[cast][decimal]") {
  const std::vector<std::string> numbers{"47.7440", "0.5",   "-0.5", "0.0",    "-0.0",   "-0.000", "12.0",
                                         "12.50",   "-12.5", "1.23456", "1e2", "1.5E-3", "-1e-400", "1e400",
                                         "18446744073709551616", "-9223372036854775809", "99999999999999.9999",
                                         "999999999999999.5", "12345678901234567890.25", "0.00001"};
  const std::vector<std::string> types{"decimal(18,4)", "decimal(5,2)", "decimal(10,0)", "decimal(65,30)", "double",
                                       "int", "bigint unsigned", "varchar(8)", "text", "datetime", "tinyint(1)", "json"};
  for (const auto& t : types) {
    const auto type = column_type(t);
    for (const auto& n : numbers) {
      INFO(t << " <- " << n);
      const auto expected = cast_value(ferry::json::exact_number(n), type);
      const auto got = cast_number_text(n, type);
      CHECK(got.sql == expected.sql);
      CHECK(got.error == expected.error);
      check_into(expected, [&](auto& slot) { return ferry::transform::cast_number_text_into(n, type, slot); });
    }
  }
}
