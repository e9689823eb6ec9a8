#include "ferry/sim/auth.hpp"
#include "ferry/source/jushuitan/form.hpp"

#include <catch2/catch.hpp>

using namespace ferry;
namespace jst = ferry::source::jushuitan;
using std::chrono::seconds;

namespace {

jst::form_fields signed_form(jst::form_fields fields, std::string_view secret) {
  fields.emplace_back("sign", jst::sign(fields, secret));
  return fields;
}

}  // namespace

TEST_CASE("sign check accepts the platform's test vectors") {
  jst::form_fields first{{"timestamp", "100"}, {"app_key", "app"}, {"charset", "utf-8"},
                         {"sign", "706427ca94e342781ac36d501151cb10"}};
  CHECK(sim::sign_ok(first, "secret", jst::empty_fields::keep));
  jst::form_fields second{{"access_token", "tok"}, {"app_key", "app"},
                          {"biz", R"({"page_index":1,"page_size":50})"}, {"charset", "utf-8"},
                          {"timestamp", "1700000000"}, {"version", "2"},
                          {"sign", "20bd95683eba117f3bce6ea01eec3d16"}};
  CHECK(sim::sign_ok(second, "secret", jst::empty_fields::keep));
}

TEST_CASE("sign check refuses a wrong secret, a changed field, a missing sign") {
  const auto form = signed_form({{"app_key", "demo"}, {"biz", "{}"}, {"timestamp", "1700000000"}}, "demo-secret");
  CHECK(sim::sign_ok(form, "demo-secret", jst::empty_fields::keep));
  CHECK_FALSE(sim::sign_ok(form, "other-secret", jst::empty_fields::keep));
  auto changed = form;
  changed[1].second = R"({"page_index":2})";
  CHECK_FALSE(sim::sign_ok(changed, "demo-secret", jst::empty_fields::keep));
  auto unsigned_form = form;
  unsigned_form.pop_back();
  CHECK_FALSE(sim::sign_ok(unsigned_form, "demo-secret", jst::empty_fields::keep));
}

TEST_CASE("empty fields count in the sign only under the keep rule") {
  jst::form_fields fields{{"app_key", "demo"}, {"remark", ""}, {"timestamp", "1700000000"}};
  fields.emplace_back("sign", jst::sign(fields, "s", jst::empty_fields::skip));
  CHECK(sim::sign_ok(fields, "s", jst::empty_fields::skip));
  CHECK_FALSE(sim::sign_ok(fields, "s", jst::empty_fields::keep));
}

TEST_CASE("timestamp tolerance: both edges included, one second past refused") {
  const sim::sys_seconds now{seconds{1'700'000'000}};
  CHECK(sim::timestamp_ok("1700000000", now, seconds{600}));
  CHECK(sim::timestamp_ok("1699999400", now, seconds{600}));
  CHECK(sim::timestamp_ok("1700000600", now, seconds{600}));
  CHECK_FALSE(sim::timestamp_ok("1699999399", now, seconds{600}));
  CHECK_FALSE(sim::timestamp_ok("1700000601", now, seconds{600}));
  CHECK_FALSE(sim::timestamp_ok("1700000000000", now, seconds{600}));  // milliseconds
  CHECK_FALSE(sim::timestamp_ok("17000000x0", now, seconds{600}));
  CHECK_FALSE(sim::timestamp_ok("", now, seconds{600}));
}

TEST_CASE("tokens expire after N calls and rotate on refresh") {
  const auto now = sim::sys_seconds{seconds{1700000000}};
  sim::token_state tokens("at", "rt", 1);
  tokens.set_expire_after_calls(2);
  CHECK(tokens.check("at", now) == sim::token_verdict::valid);
  CHECK(tokens.check("nope", now) == sim::token_verdict::unknown);
  CHECK(tokens.check("", now) == sim::token_verdict::unknown);
  tokens.count_call();
  tokens.count_call();
  CHECK(tokens.check("at", now) == sim::token_verdict::expired);
  CHECK_FALSE(tokens.refresh("wrong", now));
  REQUIRE(tokens.refresh("rt", now));
  const auto new_access = tokens.access_token();
  CHECK(new_access != "at");
  CHECK(tokens.check(new_access, now) == sim::token_verdict::valid);
  CHECK(tokens.check("at", now) == sim::token_verdict::unknown);
  CHECK_FALSE(tokens.refresh("rt", now));
  sim::token_state same_seed("at", "rt", 1);
  REQUIRE(same_seed.refresh("rt", now));
  CHECK(same_seed.access_token() == new_access);
}

TEST_CASE("tokens expire by time, the refresh token with the access token") {
  const auto start = sim::sys_seconds{seconds{1700000000}};
  sim::token_state tokens("at", "rt", 1, seconds{20});
  CHECK(tokens.check("at", start) == sim::token_verdict::valid);  // the first call starts the clock
  REQUIRE(tokens.expires_at() == start + seconds{20});
  CHECK(tokens.check("at", start + seconds{19}) == sim::token_verdict::valid);
  CHECK(tokens.check("at", start + seconds{20}) == sim::token_verdict::expired);
  CHECK_FALSE(tokens.refresh("rt", start + seconds{20}));  // dead with it
  sim::token_state kinder("at", "rt", 1, seconds{20}, true);
  CHECK(kinder.check("at", start) == sim::token_verdict::valid);
  REQUIRE(kinder.refresh("rt", start + seconds{60}));
  CHECK(kinder.expires_at() == start + seconds{80});
  // Ageing and minting.
  kinder.expire_in(seconds{0}, start + seconds{61});
  CHECK(kinder.check(kinder.access_token(), start + seconds{61}) == sim::token_verdict::expired);
  const auto before = kinder.access_token();
  kinder.mint(start + seconds{62});
  CHECK(kinder.access_token() != before);
  CHECK(kinder.check(kinder.access_token(), start + seconds{62}) == sim::token_verdict::valid);
}
