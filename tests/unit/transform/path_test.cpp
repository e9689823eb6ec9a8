#include "ferry/json/exact.hpp"
#include "ferry/transform/path.hpp"

#include <catch2/catch.hpp>

using ferry::transform::json_path;
using nlohmann::json;

namespace {

json_path compiled(std::string_view text) {
  std::string error;
  auto path = json_path::compile(text, error);
  INFO(text << ": " << error);
  REQUIRE(path);
  return *path;
}

std::string compile_error(std::string_view text) {
  std::string error;
  CHECK_FALSE(json_path::compile(text, error));
  return error;
}

const json record = ferry::json::parse_exact(
    R"({"o_id": 7, "a": {"b": {"c": "deep"}}, "items": [{"sku_id": "A"}, {"sku_id": "B"}], "s": "x",
        "名称": "中文键", "n": null})");

}  // namespace

TEST_CASE("paths read keys, nested keys and indexes", "[path]") {
  CHECK(*compiled("o_id").find(record, record) == 7);
  CHECK(*compiled("a.b.c").find(record, record) == "deep");
  CHECK(*compiled("items[1].sku_id").find(record, record) == "B");
  CHECK(compiled("items[1]").find(record, record)->is_object());
  CHECK(*compiled("名称").find(record, record) == "中文键");
  CHECK(compiled("n").find(record, record)->is_null());
}

TEST_CASE("missing keys, indexes and intermediates are missing", "[path]") {
  CHECK(compiled("nope").find(record, record) == nullptr);
  CHECK(compiled("a.x.c").find(record, record) == nullptr);
  CHECK(compiled("items[2].sku_id").find(record, record) == nullptr);
  CHECK(compiled("s.t").find(record, record) == nullptr);        // a string is not an object
  CHECK(compiled("o_id[0]").find(record, record) == nullptr);    // a number is not an array
  CHECK(compiled("n.x").find(record, record) == nullptr);        // null intermediate
  CHECK(compiled("a[0]").find(record, record) == nullptr);       // an object is not an array
}

TEST_CASE("$ paths read the record, others the element", "[path]") {
  const auto& element = record["items"][0];
  CHECK(*compiled("sku_id").find(element, record) == "A");
  CHECK(compiled("o_id").find(element, record) == nullptr);
  CHECK(*compiled("$.o_id").find(element, record) == 7);
  CHECK(compiled("$.o_id").from_record());
  CHECK_FALSE(compiled("o_id").from_record());
  CHECK(compiled("$").find(element, record) == &record);
  CHECK(*compiled("$.items[1].sku_id").find(element, record) == "B");
  CHECK(compiled("@").find(element, record) == &element);
  CHECK(compiled("$.o_id").text() == "$.o_id");
}

TEST_CASE("bad paths are refused with a reason", "[path]") {
  CHECK(compile_error("") == "empty path");
  CHECK(compile_error("a..b").find("empty key") != std::string::npos);
  CHECK(compile_error("a.").find("empty key") != std::string::npos);
  CHECK(compile_error(".a").find("empty key") != std::string::npos);
  CHECK(compile_error("a[").find("unclosed '['") != std::string::npos);
  CHECK(compile_error("a[x]").find("index 'x'") != std::string::npos);
  CHECK(compile_error("a[-1]").find("index '-1'") != std::string::npos);
  CHECK(compile_error("a[]").find("index ''") != std::string::npos);
  CHECK(compile_error("a]").find("unexpected ']'") != std::string::npos);
  CHECK(compile_error("a[0]b").find("unexpected 'b'") != std::string::npos);
  CHECK(compile_error("$x").find("'$' must be followed") != std::string::npos);
  CHECK(compile_error("$.").find("empty key") != std::string::npos);
  CHECK(compile_error("a..b").find("'a..b'") != std::string::npos);
}
