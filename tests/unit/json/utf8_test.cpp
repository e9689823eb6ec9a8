#include "ferry/json/utf8.hpp"

#include <catch2/catch.hpp>

#include <string>

using ferry::json::utf8_length;
using ferry::json::utf8_sequence_length;

TEST_CASE("utf8_length counts code points", "[utf8]") {
  CHECK(utf8_length("") == 0u);
  CHECK(utf8_length("abc") == 3u);
  CHECK(utf8_length("聚水潭") == 3u);
  CHECK(utf8_length("😀a") == 2u);
  CHECK(utf8_length("\xC2\x80\xDF\xBF\xEF\xBF\xBF\xF4\x8F\xBF\xBF") == 4u);  // the edges of each length
}

TEST_CASE("utf8_length refuses ill-formed UTF-8 and says where", "[utf8]") {
  struct bad { std::string text; std::size_t offset; };
  const bad cases[] = {
      {"ab\x80", 2},              // stray continuation
      {"\xC0\xAF", 0},            // overlong '/'
      {"\xC1\xBF", 0},            // overlong
      {"x\xE0\x80\x80", 1},       // overlong 3-byte
      {"\xED\xA0\x80", 0},        // UTF-16 surrogate
      {"\xF4\x90\x80\x80", 0},    // above U+10FFFF
      {"\xF5\x80\x80\x80", 0},    // invalid lead
      {"\xE4\xBD", 0},            // truncated
      {"\xF0\x9F\x98", 0},        // truncated emoji
      {"\xE4\x41\x41", 0},        // continuation missing
  };
  for (const auto& c : cases) {
    INFO(c.offset);
    std::size_t offset = 99;
    CHECK_FALSE(utf8_length(c.text, &offset));
    CHECK(offset == c.offset);
  }
}

TEST_CASE("utf8_sequence_length reads one sequence", "[utf8]") {
  const std::string text = "a聚😀\xFF";
  CHECK(utf8_sequence_length(text, 0) == 1u);
  CHECK(utf8_sequence_length(text, 1) == 3u);
  CHECK(utf8_sequence_length(text, 4) == 4u);
  CHECK(utf8_sequence_length(text, 8) == 0u);
  CHECK(utf8_sequence_length(text, 2) == 0u);  // the middle of 聚
}
