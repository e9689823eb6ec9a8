#include "ferry/json/exact.hpp"

#include <catch2/catch.hpp>

#include <string>

using ferry::json::dump_exact;
using ferry::json::is_exact_number;
using ferry::json::number_text;
using ferry::json::parse_exact;
using nlohmann::json;

namespace {

// The exact text a parsed number keeps, checked to be an exact number.
std::string exact_text(const json& value) {
  REQUIRE(is_exact_number(value));
  return number_text(value).value();
}

std::size_t error_position(std::string_view text) {
  try {
    (void)parse_exact(text);
  } catch (const ferry::json::parse_error& e) {
    return e.position();
  }
  FAIL("no parse_error for " << text);
  return 0;
}

}  // namespace

TEST_CASE("non-integer numbers keep their exact text", "[json]") {
  for (const std::string text : {"0.1", "12.3400", "1e3", "-0.0", "1E+2", "-1.5e-7", "0.30000000000000004"}) {
    INFO(text);
    const auto value = parse_exact(text);
    CHECK(exact_text(value) == text);
    CHECK(dump_exact(value) == text);
  }
}

TEST_CASE("integers beyond uint64 are exact numbers, not doubles", "[json]") {
  const auto value = parse_exact("[123456789012345678901234567890, -9223372036854775809]");
  CHECK(exact_text(value[0]) == "123456789012345678901234567890");
  CHECK(exact_text(value[1]) == "-9223372036854775809");
  CHECK(dump_exact(value) == "[123456789012345678901234567890,-9223372036854775809]");
}

TEST_CASE("integers stay integers", "[json]") {
  const auto value = parse_exact(R"({"a": 0, "b": -42, "c": 18446744073709551615, "d": -9223372036854775808})");
  CHECK(value["a"].is_number_unsigned());
  CHECK(value["b"].get<std::int64_t>() == -42);
  CHECK(value["c"].get<std::uint64_t>() == 18446744073709551615ULL);
  CHECK(value["d"].get<std::int64_t>() == INT64_MIN);
  CHECK_FALSE(is_exact_number(value["b"]));
  CHECK(number_text(value["b"]) == "-42");
  CHECK(number_text(value["c"]) == "18446744073709551615");
  CHECK(number_text(value["d"]) == "-9223372036854775808");
}

TEST_CASE("number_text answers only for numbers", "[json]") {
  CHECK_FALSE(number_text(json("12")));
  CHECK_FALSE(number_text(json(true)));
  CHECK_FALSE(number_text(json{}));
  CHECK_FALSE(number_text(json::binary({1, 2, 3}, 7)));
  CHECK_FALSE(is_exact_number(json::binary({'1'}, 7)));
  CHECK_FALSE(is_exact_number(json::binary({'1'})));
  CHECK(number_text(json(2.5)) == "2.5");
  CHECK(number_text(json(2.0)) == "2.0");
}

TEST_CASE("exact_number validates its text", "[json]") {
  CHECK(exact_text(ferry::json::exact_number("-12.50")) == "-12.50");
  CHECK(ferry::json::exact_number("0.1") == parse_exact("0.1"));
  for (const char* bad : {"", "1.", ".5", "01", "+1", "1e", "NaN", "1.5x", " 1"}) {
    INFO(bad);
    CHECK_THROWS_AS(ferry::json::exact_number(bad), std::invalid_argument);
  }
}

TEST_CASE("nested documents parse into the usual DOM", "[json]") {
  const auto value = parse_exact(R"({"o_id": 7, "items": [{"sku": "A", "price": 9.90}, {"sku": "B", "tags": []}],
                                     "extra": {"ok": true, "none": null}})");
  CHECK(value["o_id"] == 7);
  REQUIRE(value["items"].size() == 2);
  CHECK(value["items"][0]["sku"] == "A");
  CHECK(exact_text(value["items"][0]["price"]) == "9.90");
  CHECK(value["items"][1]["tags"].is_array());
  CHECK(value["items"][1]["tags"].empty());
  CHECK(value["extra"]["ok"] == true);
  CHECK(value["extra"]["none"].is_null());
}

TEST_CASE("strings keep Chinese, emoji and escapes", "[json]") {
  const auto value = parse_exact(R"(["聚水潭 仓库", "😀", "caf\u00e9", "\ud83d\ude00", "a\nb\"c\\d\t/\/"])");
  CHECK(value[0] == "聚水潭 仓库");
  CHECK(value[1] == "\xF0\x9F\x98\x80");
  CHECK(value[2] == "caf\xC3\xA9");
  CHECK(value[3] == "\xF0\x9F\x98\x80");
  CHECK(value[4] == "a\nb\"c\\d\t//");
}

TEST_CASE("invalid JSON is a parse_error with a position", "[json]") {
  CHECK(error_position(R"({"a": 1)") == 8);  // truncated: one past the end
  CHECK(error_position(R"({"a": 1} x)") == 10);
  CHECK(error_position(R"(["\q"])") == 4);
  CHECK(error_position("[NaN]") == 2);
  CHECK(error_position("") == 1);
  CHECK(error_position("[1,]") == 4);
  CHECK(error_position("[01]") == 3);
  CHECK(error_position("\"\xC3\x28\"") == 3);  // ill-formed UTF-8: 0x28 cannot follow 0xC3
  CHECK(error_position("[\"\\ud83d\"]") == 9);    // lone surrogate: no low half follows
  CHECK(error_position("[1e400]") == 6);          // beyond a double: refused by nlohmann's lexer
}

TEST_CASE("parse_error says what and where", "[json]") {
  try {
    (void)parse_exact("[1, 2");
    FAIL("no throw");
  } catch (const ferry::json::parse_error& e) {
    CHECK(e.position() == 6);
    CHECK(e.reason().find("unexpected end of input") != std::string::npos);
    CHECK(e.reason().find("json.exception") == std::string::npos);
    CHECK(std::string{e.what()}.starts_with("invalid JSON at byte 6: "));
  }
}

TEST_CASE("nesting is limited", "[json]") {
  const auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK_NOTHROW(parse_exact(nested(ferry::json::max_depth)));
  CHECK(error_position(nested(ferry::json::max_depth + 1)) == ferry::json::max_depth + 1);
  // A hostile page of a million brackets fails fast at the limit.
  CHECK(error_position(std::string(1'000'000, '[')) == ferry::json::max_depth + 1);
  // Brackets inside strings do not count.
  const auto quoted = R"(["[[[[", {"k]": [)" + nested(ferry::json::max_depth) + "]}]";
  // 17 bytes open 3 levels; the (max_depth - 2)th bracket after them is one too deep.
  CHECK(error_position(quoted) == 17 + ferry::json::max_depth - 2);
}

TEST_CASE("a realistic page of 1000 rows parses exactly", "[json]") {
  std::string page = R"({"code":0,"msg":"执行成功","data":{"page_index":1,"has_next":true,"datas":[)";
  for (int i = 0; i < 1000; ++i) {
    if (i > 0) page += ',';
    page += R"({"io_id":)" + std::to_string(100000 + i) + R"(,"sku_sn":"SN)" + std::to_string(i) +
            R"(","cost_price":)" + std::to_string(i) + R"(.10,"remark":"备注 \"quoted\" 😀","create_time":"2026-01-02 03:04:05"})";
  }
  page += "]}}";
  const auto value = parse_exact(page);
  const auto& rows = value["data"]["datas"];
  REQUIRE(rows.size() == 1000);
  CHECK(exact_text(rows[999]["cost_price"]) == "999.10");
  CHECK(rows[5]["io_id"] == 100005);
  CHECK(rows[5]["remark"] == "备注 \"quoted\" 😀");
  CHECK(parse_exact(dump_exact(value)) == value);
}
