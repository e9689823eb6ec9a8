// Filtering (QEasy's condition) and flattening (beatFlat), on the examples
// QEasy's own documentation gives (docs/qeasy.md cites them).
#include "ferry/transform/records.hpp"

#include <catch2/catch.hpp>

using ferry::transform::filter_group;
using ferry::transform::filter_logic;
using ferry::transform::filter_test;
using ferry::transform::record_filter;
using nlohmann::json;

namespace {

filter_test test(std::string field, filter_logic logic, json value = nullptr, bool strict = false) {
  return {std::move(field), logic, std::move(value), strict};
}

}  // namespace

TEST_CASE("a filter keeps a record when any group's tests all pass", "[transform][filter]") {
  // QEasy's advanced-query example: (io_id = 816403 AND items.name contains 活动, strict)
  // OR io_id contains 512 OR items.name = 企鹅爸爸15合1桌游.
  const record_filter filter{{
      {test("io_id", filter_logic::eq, "816403"), test("items.name", filter_logic::like, "活动", true)},
      {test("io_id", filter_logic::like, "512")},
      {test("items.name", filter_logic::eq, "企鹅爸爸15合1桌游")},
  }};
  auto strict_pass = json::parse(R"({"io_id": 816403, "items": [{"name": "活动A"}, {"name": "活动B"}]})");
  CHECK(filter.keep(strict_pass));
  CHECK(strict_pass["items"].size() == 2);
  auto strict_fail = json::parse(R"({"io_id": 816403, "items": [{"name": "活动A"}, {"name": "其它"}]})");
  CHECK_FALSE(filter.keep(strict_fail));
  auto by_like = json::parse(R"({"io_id": 5120001, "items": []})");
  CHECK(filter.keep(by_like));
  // Not strict: the detail rows that fail are removed, the record stays.
  auto detail = json::parse(R"({"io_id": 1, "items": [{"name": "企鹅爸爸15合1桌游"}, {"name": "别的"}]})");
  CHECK(filter.keep(detail));
  CHECK(detail["items"] == json::parse(R"([{"name": "企鹅爸爸15合1桌游"}])"));
  auto none = json::parse(R"({"io_id": 1, "items": [{"name": "别的"}]})");
  CHECK_FALSE(filter.keep(none));
  CHECK(none["items"].size() == 1);  // a record dropped is left as it was
}

TEST_CASE("filter tests compare numbers as numbers, times as written or as timestamps", "[transform][filter]") {
  auto r = json::parse(R"({"qty": "10", "price": 9.5, "modified": "2024-01-01 08:00:00", "note": "", "gone": null})");
  CHECK(record_filter{{{test("qty", filter_logic::gt, 9)}}}.keep(r));  // "10" > 9, not "10" < "9"
  CHECK(record_filter{{{test("price", filter_logic::elt, "9.50")}}}.keep(r));
  CHECK(record_filter{{{test("modified", filter_logic::egt, "2024-01-01 08:00:00")}}}.keep(r));
  // 2024-01-01 08:00:00 Beijing time is 1704067200.
  CHECK(record_filter{{{test("modified", filter_logic::eq, "timestamp:1704067200")}}}.keep(r));
  CHECK_FALSE(record_filter{{{test("modified", filter_logic::gt, "timestamp:1704067200")}}}.keep(r));
  CHECK(record_filter{{{test("qty", filter_logic::between, json::array({"5", 10}))}}}.keep(r));
  CHECK_FALSE(record_filter{{{test("qty", filter_logic::between, "11,20")}}}.keep(r));
  CHECK(record_filter{{{test("note", filter_logic::isnull)}}}.keep(r));
  CHECK(record_filter{{{test("gone", filter_logic::isnull)}}}.keep(r));
  CHECK(record_filter{{{test("missing", filter_logic::isnull)}}}.keep(r));
  CHECK_FALSE(record_filter{{{test("note", filter_logic::notnull)}}}.keep(r));
  CHECK(record_filter{{{test("price", filter_logic::neq, 9)}}}.keep(r));
  CHECK(record_filter{{{test("modified", filter_logic::notlike, "2025")}}}.keep(r));
  // Only plain digits are numbers: codes such as "0E123" and words such as "nan" compare as text.
  auto codes = json::parse(R"({"code": "0E123", "word": "nan"})");
  CHECK_FALSE(record_filter{{{test("code", filter_logic::eq, 0)}}}.keep(codes));
  CHECK(record_filter{{{test("code", filter_logic::eq, "0E123")}}}.keep(codes));
  CHECK_FALSE(record_filter{{{test("word", filter_logic::eq, "0")}}}.keep(codes));
  CHECK(record_filter{}.keep(r));
}

TEST_CASE("flattening gives one record per element, named <array>_<key>", "[transform][flatten]") {
  // QEasy's beatFlat example.
  const auto order = json::parse(R"({"no": "OUT20210001", "shop": "S1",
      "details_list": [{"goods": "FOO0001", "num": 12}, {"goods": "FOO0002", "num": 50}]})");
  std::vector<json> out;
  ferry::transform::flatten(order, {"details_list"}, out);
  REQUIRE(out.size() == 2);
  CHECK(out[0] == json::parse(R"({"no": "OUT20210001", "shop": "S1", "details_list_goods": "FOO0001", "details_list_num": 12})"));
  CHECK(out[1]["details_list_goods"] == "FOO0002");
  CHECK(out[1]["no"] == "OUT20210001");  // no -1/-2 suffix: the table's key tells elements apart

  out.clear();
  ferry::transform::flatten(json::parse(R"({"no": "X", "details_list": []})"), {"details_list"}, out);
  CHECK(out == std::vector<json>{json::parse(R"({"no": "X"})")});

  out.clear();
  ferry::transform::flatten(json::parse(R"({"a": [1, 2], "b": [{"k": "x"}, {"k": "y"}]})"), {"a", "b"}, out);
  CHECK(out.size() == 4);
  CHECK(out[3] == json::parse(R"({"a": 2, "b_k": "y"})"));
}
