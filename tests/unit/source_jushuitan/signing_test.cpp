#include "ferry/source/jushuitan/form.hpp"
#include "ferry/source/jushuitan/signing.hpp"

#include <catch2/catch.hpp>

using namespace ferry::source::jushuitan;

TEST_CASE("sign matches the published test vectors", "[jushuitan][signing]") {
  CHECK(sign({{"timestamp", "100"}, {"app_key", "app"}, {"charset", "utf-8"}}, "secret") ==
        "706427ca94e342781ac36d501151cb10");
  CHECK(sign({{"access_token", "tok"},
              {"app_key", "app"},
              {"biz", R"({"page_index":1,"page_size":50})"},
              {"charset", "utf-8"},
              {"timestamp", "1700000000"},
              {"version", "2"}},
             "secret") == "20bd95683eba117f3bce6ea01eec3d16");
}

// jst-java's DefaultJstDigestTest: a business call whose biz holds strings
// and UTF-8, and a getInitToken call (no access_token, biz or version).
TEST_CASE("sign matches jst-java's DefaultJstDigestTest vectors", "[jushuitan][signing]") {
  constexpr const char* secret = "e9c5ca33fecb404b8e6cdbd0ef4a6d25";
  CHECK(sign({{"app_key", "5b53060f23d84ddf9703056e84fa5a2d"},
              {"access_token", "d7b01bf0842a4742a9450e21ffd95f60"},
              {"timestamp", "1639128407"},
              {"charset", "utf-8"},
              {"version", "2"},
              {"biz", R"({"page_index":"1","page_size":"100","nicks":["老板"]})"}},
             secret) == "395f5a78b446be465ac03a02491296c7");
  CHECK(sign({{"app_key", "5b53060f23d84ddf9703056e84fa5a2d"},
              {"timestamp", "1639128407"},
              {"grant_type", "authorization_code"},
              {"charset", "utf-8"},
              {"code", "123456"}},
             secret) == "05e3a51e19e0883afd1882ccd309e0b9");
}

TEST_CASE("sign ignores field order and the sign field itself", "[jushuitan][signing]") {
  const form_fields a{{"b", "2"}, {"a", "1"}, {"sign", "whatever"}};
  const form_fields b{{"a", "1"}, {"b", "2"}};
  CHECK(sign(a, "s") == sign(b, "s"));
  CHECK(sign(b, "s") == md5_hex("sa1b2"));
}

TEST_CASE("empty fields are kept or skipped as told", "[jushuitan][signing]") {
  const form_fields fields{{"a", "1"}, {"empty", ""}};
  CHECK(sign(fields, "s", empty_fields::keep) == md5_hex("sa1empty"));
  CHECK(sign(fields, "s", empty_fields::skip) == md5_hex("sa1"));
}

TEST_CASE("keys sort by bytes, not by locale", "[jushuitan][signing]") {
  const form_fields fields{{"a", "1"}, {"B", "2"}, {"_", "3"}};
  CHECK(sign(fields, "") == md5_hex("B2_3a1"));
}

TEST_CASE("md5 of the empty string", "[jushuitan][signing]") {
  CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
}

TEST_CASE("constant_time_equal", "[jushuitan][signing]") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
  CHECK(constant_time_equal("", ""));
}

TEST_CASE("forms round-trip UTF-8, JSON and reserved bytes", "[jushuitan][form]") {
  const form_fields fields{{"biz", R"({"name":"棉袜 & 鞋","q":"a+b=c"})"}, {"sp ace", "x y"}};
  const auto body = encode_form(fields);
  CHECK(body.find(' ') == std::string::npos);
  CHECK(body.find("sp+ace=x+y") != std::string::npos);
  const auto parsed = parse_form(body);
  REQUIRE(parsed);
  CHECK(*parsed == fields);
}

TEST_CASE("malformed forms are refused", "[jushuitan][form]") {
  CHECK_FALSE(parse_form("a=%zz"));
  CHECK_FALSE(parse_form("a=%4"));
  CHECK_FALSE(parse_form("a=1&novalue"));
  const auto parsed = parse_form("a=1&&b=%E6%A3%89");
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 2);
  CHECK((*parsed)[1].second == "棉");
  CHECK(*find_field(*parsed, "a") == "1");
  CHECK(find_field(*parsed, "c") == nullptr);
}
