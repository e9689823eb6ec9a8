#include "ferry/json/exact.hpp"

#include <catch2/catch.hpp>

using ferry::json::dump_exact;
using ferry::json::parse_exact;
using nlohmann::json;

TEST_CASE("dump_exact writes like dump() for ordinary values", "[json][dump]") {
  const json value = {{"b", {1, -2, true, false, nullptr}},
                      {"a", "聚水潭 😀"},
                      {"c", json::object()},
                      {"d", json::array()},
                      {"u", 18446744073709551615ULL}};
  CHECK(dump_exact(value) == value.dump());
  CHECK(dump_exact(value) ==
        R"({"a":"聚水潭 😀","b":[1,-2,true,false,null],"c":{},"d":[],"u":18446744073709551615})");
}

TEST_CASE("dump_exact escapes strings as nlohmann does", "[json][dump]") {
  const json value = std::string{"q\"b\\s/n\nr\rt\tb\bf\f\x01\x1f\x7f é"};
  CHECK(dump_exact(value) == value.dump());
  CHECK(dump_exact(value) == "\"q\\\"b\\\\s/n\\nr\\rt\\tb\\bf\\f\\u0001\\u001f\x7f é\"");
  CHECK(dump_exact(json(std::string{"a\0b", 3})) == "\"a\\u0000b\"");
}

TEST_CASE("dump_exact writes exact numbers as their text", "[json][dump]") {
  const auto value = parse_exact(R"({"price": 12.3400, "big": 123456789012345678901234567890, "e": 1E+2, "z": -0.0})");
  CHECK(dump_exact(value) == R"({"big":123456789012345678901234567890,"e":1E+2,"price":12.3400,"z":-0.0})");
}

TEST_CASE("parse_exact(dump_exact(x)) == x", "[json][dump]") {
  const std::string text =
      R"({"s": "caf\u00e9 \ud83d\ude00 \"\\ \n 仓库", "n": [0.1, 12.3400, 1e3, -0.0, 123456789012345678901234567890,)"
      R"( -7, 7, 1.5E-300], "o": {"deep": [[[{"x": null}]]]}, "t": true})";
  const auto value = parse_exact(text);
  const auto again = parse_exact(dump_exact(value));
  CHECK(again == value);
  CHECK(dump_exact(again) == dump_exact(value));
}

TEST_CASE("dump_exact replaces invalid UTF-8 in hand-built values", "[json][dump]") {
  CHECK(dump_exact(json(std::string{"a\xFFz"})) == "\"a\xEF\xBF\xBDz\"");
  CHECK(dump_exact(json(std::string{"\xE4\xBB"})) == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK_NOTHROW(parse_exact(dump_exact(json(std::string{"\xC0\xAF"}))));
}

TEST_CASE("dump_exact handles doubles and foreign binaries like dump()", "[json][dump]") {
  CHECK(dump_exact(json(2.0)) == "2.0");
  CHECK(dump_exact(json(0.1)) == "0.1");
  CHECK(dump_exact(json(std::numeric_limits<double>::infinity())) == "null");
  const auto blob = json::binary({1, 2}, 3);
  CHECK(dump_exact(blob) == blob.dump());
}

TEST_CASE("dump_exact appends to a buffer", "[json][dump]") {
  std::string out = "x=";
  ferry::json::dump_exact(parse_exact("[1.10]"), out);
  CHECK(out == "x=[1.10]");
}
