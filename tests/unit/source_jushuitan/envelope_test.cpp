#include "ferry/json/exact.hpp"
#include "ferry/source/jushuitan/client.hpp"
#include "ferry/source/jushuitan/codes.hpp"
#include "ferry/source/jushuitan/envelope.hpp"
#include "ferry/source/jushuitan/form.hpp"

#include <catch2/catch.hpp>

using namespace ferry::source::jushuitan;
using ferry::retry::outcome;

namespace {
page as_page(const envelope& e) {
  if (const auto* bad = std::get_if<malformed>(&e)) FAIL("malformed: " << bad->reason);
  if (const auto* refused = std::get_if<api_error>(&e)) FAIL("code " << refused->code);
  return std::get<page>(e);
}
}  // namespace

TEST_CASE("the standard envelope with the list key from config", "[envelope]") {
  const auto p = as_page(parse_envelope(
      R"({"code":0,"msg":"执行成功","data":{"page_index":2,"page_size":2,"data_count":5,"page_count":3,)"
      R"("has_next":true,"datas":[{"io_id":1,"cost_price":12.3400},{"io_id":2,"cost_price":0.1}]}})",
      "datas"));
  CHECK(p.page_index == 2u);
  CHECK(p.data_count == 5u);
  CHECK(p.page_count == 3u);
  CHECK(p.has_next == true);
  REQUIRE(p.size() == 2);
  // Money stays exact: the text as the platform wrote it.
  CHECK(ferry::json::number_text(p.record(0)["cost_price"]) == "12.3400");
  CHECK(ferry::json::number_text(p.record(1)["cost_price"]) == "0.1");
}

TEST_CASE("other list keys, string paging fields and a missing has_next", "[envelope]") {
  const auto p = as_page(parse_envelope(
      R"({"code":"0","data":{"page_index":"1","data_count":"1","page_count":"1","orders":[{"o_id":7}]}})", "orders"));
  CHECK(p.data_count == 1u);
  CHECK_FALSE(p.has_next);
  REQUIRE(p.size() == 1);
}

TEST_CASE("a bare array has records and no paging fields", "[envelope]") {
  const auto p = as_page(parse_envelope(R"({"code":0,"msg":"ok","data":[{"a":1},{"a":2},{"a":3}]})", "datas"));
  CHECK(p.size() == 3);
  CHECK_FALSE(p.data_count);
  CHECK_FALSE(p.page_count);
}

TEST_CASE("old endpoints put paging and the list at the top level", "[envelope]") {
  const auto p = as_page(parse_envelope(
      R"({"code":0,"issuccess":true,"page_index":1,"page_size":50,"data_count":1,"page_count":1,"has_next":false,)"
      R"("datas":[{"x":"棉袜"}]})",
      "datas"));
  CHECK(p.has_next == false);
  REQUIRE(p.size() == 1);
  CHECK(p.record(0)["x"] == "棉袜");
}

TEST_CASE("an empty result may come without its list", "[envelope]") {
  const auto p = as_page(parse_envelope(
      R"({"code":0,"data":{"page_index":1,"data_count":0,"page_count":0,"has_next":false,"datas":null}})", "datas"));
  CHECK((p.size() == 0));
  CHECK(p.data_count == 0u);
}

// The documented /open/webapi answers: a window without rows is code 0 with
// "data": null, and every answer carries requestId.
TEST_CASE("code 0 with data null, missing or [] is an empty page", "[envelope]") {
  for (const char* body : {R"({"code":0,"msg":"执行成功","requestId":"r-1","data":null})",
                           R"({"code":0,"msg":"执行成功","requestId":"r-1"})",
                           R"({"code":"0","msg":"执行成功","requestId":"r-1","data":[]})"}) {
    INFO(body);
    const auto p = as_page(parse_envelope(body, "datas"));
    CHECK((p.size() == 0));
    CHECK_FALSE(p.data_count);
    CHECK_FALSE(p.has_next);
    CHECK(p.request_id == "r-1");
  }
  const auto e = parse_envelope(R"({"code":0,"msg":"ok","data":"none"})", "datas");
  REQUIRE(std::holds_alternative<malformed>(e));
}

TEST_CASE("requestId or request_id is kept with pages and refusals", "[envelope]") {
  CHECK(as_page(parse_envelope(R"({"code":0,"request_id":"abc","data":[{"a":1}]})", "datas")).request_id == "abc");
  CHECK(as_page(parse_envelope(R"({"code":0,"data":[{"a":1}]})", "datas")).request_id.empty());
  const auto e = parse_envelope(R"({"code":100,"msg":"上架仓位不能为空","requestId":"7f3a","data":null})", "datas");
  REQUIRE(std::holds_alternative<api_error>(e));
  CHECK(std::get<api_error>(e).request_id == "7f3a");
  CHECK(std::get<api_error>(e).message == "上架仓位不能为空");
}

TEST_CASE("refusals carry their code and message", "[envelope]") {
  const auto e = parse_envelope(R"({"code":200,"msg":"调用频次超过限制!","data":null})", "datas");
  REQUIRE(std::holds_alternative<api_error>(e));
  CHECK(std::get<api_error>(e).code == 200);
  CHECK(std::get<api_error>(e).message == "调用频次超过限制!");
  const auto old = parse_envelope(R"({"issuccess":false,"msg":"bad"})", "datas");
  REQUIRE(std::holds_alternative<api_error>(old));
}

TEST_CASE("bodies that are not Jushuitan answers are malformed, with a reason", "[envelope]") {
  for (const char* body : {R"({"code":0,"data":{"datas":[{"a":1})", "<html>502</html>", "[1,2]", R"({"msg":"x"})",
                           R"({"code":0,"data":5})",
                           R"({"code":0,"data":{"other":[]}})", R"({"code":0,"data":{"datas":{"a":1}}})"}) {
    const auto e = parse_envelope(body, "datas");
    INFO(body);
    REQUIRE(std::holds_alternative<malformed>(e));
    CHECK_FALSE(std::get<malformed>(e).reason.empty());
  }
  CHECK_THAT(std::get<malformed>(parse_envelope(R"({"code":0,"data":{"other":[]}})", "datas")).reason,
             Catch::Contains("list_key"));
}

TEST_CASE("code 100 is the token only with the token message, code 110 names the address it saw", "[codes]") {
  CHECK(classify(100, "验证失败！无效的access_token或access_token已过期").outcome == outcome::token_expired);
  CHECK(classify(100, "上架仓位不能为空").outcome == outcome::fatal);
  CHECK(classify(100, "指定箱不存在").outcome == outcome::fatal);
  CHECK_FALSE(classify(100, "指定箱不存在").hint.empty());
  CHECK(classify(150, "内部处理数据出错").outcome == outcome::transient);
  CHECK(refresh_forbidden(150, "服务商应用禁止刷新access_token"));
  CHECK_FALSE(refresh_forbidden(150, "内部处理数据出错"));
  CHECK(address_in("IP白名单验证失败，当前IP: 203.0.113.7") == std::optional<std::string>{"203.0.113.7"});
  CHECK_FALSE(address_in("版本 1.2.3 不支持"));
  CHECK_THAT(std::string{lookup(110).hint}, Catch::Contains("proxy"));
}

TEST_CASE("the code table classifies every documented code", "[codes]") {
  CHECK(lookup(0).outcome == outcome::success);
  CHECK(lookup(10).outcome == outcome::fatal);
  CHECK(lookup(100).outcome == outcome::token_expired);
  CHECK(lookup(110).outcome == outcome::fatal);
  CHECK(lookup(140).outcome == outcome::fatal);
  CHECK(lookup(150).outcome == outcome::transient);
  CHECK(lookup(190).outcome == outcome::fatal);
  CHECK(lookup(199).outcome == outcome::throttle);
  CHECK(lookup(200).outcome == outcome::throttle);
  CHECK(lookup(12345).outcome == outcome::fatal);
  CHECK(lookup(12345).meaning == "unknown error code");
  for (const auto& c : known_codes())
    if (c.outcome == outcome::fatal) CHECK_FALSE(c.hint.empty());  // operators are told what to do
}

TEST_CASE("business calls and refreshes are signed as the platform checks them", "[signing]") {
  const auto fields = business_call_fields("app", "secret", "tok", R"({"page_index":1,"page_size":50})", 1700000000);
  CHECK(*find_field(fields, "sign") == "20bd95683eba117f3bce6ea01eec3d16");
  CHECK(*find_field(fields, "version") == "2");
  const auto refresh = refresh_call_fields("app", "secret", "r1", 1700000000);
  CHECK(find_field(refresh, "access_token") == nullptr);
  CHECK(find_field(refresh, "biz") == nullptr);
  CHECK(*find_field(refresh, "grant_type") == "refresh_token");
  CHECK(*find_field(refresh, "sign") == sign(refresh, "secret"));
}
