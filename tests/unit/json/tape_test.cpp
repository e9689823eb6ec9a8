// The tape must be parse_exact by another road: for every document, the same
// verdict, the same error, and to_json giving the same DOM. parse_exact (the
// nlohmann lexer) is the second implementation each case is checked against.
#include "ferry/json/tape.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using ferry::json::node_kind;
using ferry::json::parse_exact;
using ferry::json::parse_tape;
using ferry::json::parse_tape_reference;
using ferry::json::tape;
using nlohmann::json;

namespace {

// Documents both parsers must read as parse_exact does.
const std::vector<std::string> valid = {
    R"({})",
    R"([])",
    R"({"code":0,"msg":"执行成功","requestId":"a1","data":[{"io_id":1000001,"o_id":"0","cost_price":"42.2513","cost_amount":47.7440,"remark":"控制字符\u0001测试","supplier_name":null}]})",
    R"({"a":{"b":[1,-2,3.50,-0,0,-0.0,1e2,1E-2,true,false,null,"x"]},"c":[[],{},[[]]]})",
    R"({"big":18446744073709551615,"bigger":18446744073709551616,"low":-9223372036854775808,"lower":-9223372036854775809})",
    R"({"huge":123456789012345678901234567890123456789012345678901234567890,"tiny":1e-400})",
    R"({"esc":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","empty":"","key with \"quote\"":1})",
    R"({"dup":1,"dup":2,"other":3,"dup":"last"})",
    "  {\"spaced\" : [ 1 , 2 ] , \"x\" : { } }  ",
    "{\n\t\"pretty\": [\r\n  1,\n  2\n]\n}\n",
    "\xEF\xBB\xBF{\"bom\":1}",
    R"([1,"two",{"three":3}])",
    R"("a string alone")",
    R"(42)",
    R"(-0)",
    R"(null)",
};

// Documents all three must refuse, at the same byte and for the same reason.
const std::vector<std::string> invalid = {
    "",
    "   ",
    "{",
    "{\"a\":1,}",
    "[1,2,]",
    "{\"a\" 1}",
    "{\"a\":01}",
    "{\"a\":1.}",
    "{\"a\":-}",
    "{\"a\":.5}",
    "{\"a\":+1}",
    "{\"a\":1e}",
    "{\"a\":tru}",
    "{\"a\":nul}",
    "{\"a\":truex}",
    "{\"a\":1}x",
    "{} {}",
    "{\"a\":\"\\ud800\"}",
    "{\"a\":\"\\udc00\"}",
    // A high surrogate followed by a \u escape that is not a low one
    // (simdjson accepted it before 3.0: the casts count on valid UTF-8).
    "{\"a\":\"\\ud800\\u0041\"}",
    "{\"a\":\"\\ud83d\\ud83d\"}",
    "{\"a\":\"\\x\"}",
    "{\"a\":\"raw\tTAB\"}",
    "{\"a\":\"raw\x01\"}",
    "{\"a\":\"\xC3\x28\"}",
    "{\"a\":\"\xFF\"}",
    "{\"a\":1e400}",
    "{\"a\":-1e400}",
    "{\"a\":\"unterminated}",
    "{'a':1}",
    "[1 2]",
    "{\"a\":1,\"b\"}",
};

// `text` in a buffer with 64 bytes of room past its end, the room filled
// with bytes a parser that read them as the document's would trip on.
// `start` picks the junk's first byte: a closing bracket right past the end
// is the case a parser that reads on would take for the document's own.
struct padded_copy {
  explicit padded_copy(const std::string& text, std::size_t start = 0) : bytes(text) {
    const std::string junk = "\"\\{}[]:,0123456789.eE-+truefalsenull \x01\xFF";
    while (bytes.size() < text.size() + 64 + junk.size()) bytes += junk.substr(start % junk.size()) + junk;
    size = text.size();
  }
  std::string_view view() const { return {bytes.data(), size}; }
  std::string bytes;
  std::size_t size = 0;
};

std::string error_of(auto&& parse, const std::string& text) {
  try {
    (void)parse(text);
  } catch (const ferry::json::parse_error& e) {
    return std::to_string(e.position()) + ": " + e.reason();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("the tape reads every document as parse_exact does, and both parsers build the same tape", "[tape]") {
  for (const auto& text : valid) {
    INFO(text);
    const auto dom = parse_exact(text);
    const auto fast = parse_tape(text);
    const auto reference = parse_tape_reference(text);
    REQUIRE(!fast.empty());
    CHECK(fast == reference);
    CHECK(fast.to_json(0) == dom);
    CHECK(ferry::json::dump_exact(fast.to_json(0)) == ferry::json::dump_exact(dom));
    CHECK(fast[0].next == fast.size());
    // Compact pages go the fast road: only control bytes (pretty-printed
    // text), a leading byte order mark and scalars alone fall back.
    const bool compact = text.find_first_of("\t\r\n") == std::string::npos && !text.starts_with("\xEF\xBB\xBF");
    const bool container = dom.is_object() || dom.is_array();
    CHECK(ferry::json::parse_tape_simd(text).has_value() == (compact && container));
    // Read where it lies, with junk in the room past its end (starting with
    // each of its bytes: '"', '}', ']', a digit...): the same tape.
    for (std::size_t start = 0; start < 40; ++start) {
      const padded_copy padded{text, start};
      CHECK(parse_tape(padded.view(), padded.bytes.size()) == fast);
      CHECK(ferry::json::parse_tape_simd(padded.view(), padded.bytes.size()).has_value() == (compact && container));
    }
    const padded_copy padded{text};
    // Too little room: copied first, the same tape.
    CHECK(parse_tape(padded.view(), text.size() + 63) == fast);
  }
}

TEST_CASE("the tape refuses what parse_exact refuses, with the same position and reason", "[tape]") {
  // Deeper than max_depth: refused by all, at the same bracket.
  std::vector<std::string> cases = invalid;
  cases.push_back(std::string(ferry::json::max_depth + 1, '[') + std::string(ferry::json::max_depth + 1, ']'));
  cases.push_back("{\"a\":" + std::string(ferry::json::max_depth, '[') + std::string(ferry::json::max_depth, ']') + "}");
  for (const auto& text : cases) {
    INFO(text);
    const auto expected = error_of([](const std::string& t) { return parse_exact(t); }, text);
    REQUIRE(expected != "(accepted)");
    CHECK(error_of([](const std::string& t) { return parse_tape(t); }, text) == expected);
    CHECK(error_of([](const std::string& t) { return parse_tape_reference(t); }, text) == expected);
    CHECK(!ferry::json::parse_tape_simd(text).has_value());
    for (std::size_t start = 0; start < 40; ++start) {
      const padded_copy padded{text, start};
      CHECK(error_of([&](const std::string&) { return parse_tape(padded.view(), padded.bytes.size()); }, text) ==
            expected);
      CHECK(!ferry::json::parse_tape_simd(padded.view(), padded.bytes.size()).has_value());
    }
  }
  // Exactly max_depth levels is still read.
  const auto deepest = std::string(ferry::json::max_depth, '[') + std::string(ferry::json::max_depth, ']');
  CHECK(parse_tape(deepest).to_json(0) == parse_exact(deepest));
}

// Control bytes are looked for 64 bytes at a time: one at every position of
// a long page is found, and bytes from 0x20 up (0x7F, UTF-8's high bytes)
// are not control bytes.
TEST_CASE("a control byte anywhere in a long page sends it to the reference parser", "[tape]") {
  const std::string head = R"({"code":0,"data":[{"remark":")";
  const std::string tail = R"("}]})";
  const std::string filler = "中文备注 remark text ";
  std::string middle;
  while (middle.size() < 300) middle += filler;
  const auto page = head + middle + tail;
  REQUIRE(ferry::json::parse_tape_simd(page).has_value());
  for (std::size_t at = head.size(); at < head.size() + middle.size(); ++at) {
    if ((static_cast<unsigned char>(page[at]) & 0x80U) != 0) continue;  // inside a UTF-8 sequence
    INFO("byte " << at);
    for (const char control : {'\x01', '\x1F', '\t'}) {
      auto bad = page;
      bad[at] = control;
      CHECK_FALSE(ferry::json::parse_tape_simd(bad).has_value());
      CHECK(error_of([](const std::string& t) { return parse_tape(t); }, bad) ==
            error_of([](const std::string& t) { return parse_exact(t); }, bad));
    }
    for (const char fine : {' ', '\x7F'}) {
      auto good = page;
      good[at] = fine;
      CHECK(ferry::json::parse_tape_simd(good).has_value());
    }
  }
}

TEST_CASE("tape nodes keep numbers as parse_exact does: integers that fit, exact text for the rest", "[tape]") {
  const auto t = parse_tape(R"([12,-3,-0,0.10,1e2,18446744073709551616,-9223372036854775809])");
  REQUIRE(t[0].kind == node_kind::array);
  REQUIRE(t[0].size == 7);
  std::vector<std::pair<node_kind, std::string>> seen;
  for (std::uint32_t e = 1; e < t[0].next; e = t[e].next) seen.emplace_back(t[e].kind, std::string{t[e].text});
  CHECK(seen == std::vector<std::pair<node_kind, std::string>>{{node_kind::integer, "12"},
                                                                {node_kind::integer, "-3"},
                                                                {node_kind::integer, "0"},
                                                                {node_kind::exact, "0.10"},
                                                                {node_kind::exact, "1e2"},
                                                                {node_kind::exact, "18446744073709551616"},
                                                                {node_kind::exact, "-9223372036854775809"}});
  CHECK(t[2].flag);   // -3 is signed
  CHECK(t[3].flag);   // -0 too, as nlohmann reads it
  CHECK(!t[1].flag);  // 12 is unsigned
}

TEST_CASE("tape lookups find the last of repeated keys, and nothing in non-objects", "[tape]") {
  const auto t = parse_tape(R"({"dup":1,"a":{"b":"deep"},"dup":2,"list":[1]})");
  const auto dup = t.find(0, "dup");
  REQUIRE(dup != tape::npos);
  CHECK(t[dup].text == "2");
  const auto a = t.find(0, "a");
  REQUIRE(a != tape::npos);
  CHECK(t[t.find(a, "b")].text == "deep");
  CHECK(t.find(0, "missing") == tape::npos);
  CHECK(t.find(t.find(0, "list"), "x") == tape::npos);
  CHECK(t.to_json(0) == parse_exact(R"({"dup":1,"a":{"b":"deep"},"dup":2,"list":[1]})"));
}

TEST_CASE("a moved tape keeps its texts", "[tape]") {
  auto t = parse_tape(R"({"name":"棉袜","price":12.50})");
  const tape moved = std::move(t);
  CHECK(moved[moved.find(0, "name")].text == "棉袜");
  CHECK(moved[moved.find(0, "price")].text == "12.50");
}
