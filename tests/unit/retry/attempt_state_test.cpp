#include "ferry/retry/attempt_state.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

using namespace std::chrono_literals;
using ferry::retry::attempt_state;
using ferry::retry::backoff;
using ferry::retry::decision;
using ferry::retry::describe;
using ferry::retry::outcome;
using ferry::retry::policy;
using action = decision::action;

TEST_CASE("success is done", "[attempt_state]") {
  backoff b{policy{}, 1};
  attempt_state state{policy{}, b};
  const decision d = state.next(outcome::success, "", 0ms);
  CHECK(d.what == action::done);
  CHECK(state.attempts() == 1);
  CHECK(state.finished());
}

TEST_CASE("transient errors retry with backoff, then give up after max_attempts", "[attempt_state]") {
  backoff b{policy{}, 1};
  attempt_state state{policy{}, b};
  for (int attempt = 1; attempt <= 5; ++attempt) {
    const decision d = state.next(outcome::transient, "HTTP 503", 0ms);
    REQUIRE(d.what == action::retry);
    CHECK(d.delay >= 0ms);
    CHECK(d.delay <= b.cap(attempt));
    CHECK(d.reason == "HTTP 503 (attempt " + std::to_string(attempt) + " of 6)");
  }
  const decision last = state.next(outcome::transient, "HTTP 503", 0ms);
  CHECK(last.what == action::give_up);
  CHECK(last.reason == "gave up after 6 attempts: HTTP 503");
  CHECK(state.attempts() == 6);
}

TEST_CASE("one allowed attempt gives up on the first transient error", "[attempt_state]") {
  const policy p{1, 500ms, 30s, 10min};
  backoff b{p, 1};
  attempt_state state{p, b};
  const decision d = state.next(outcome::transient, "timeout", 0ms);
  CHECK(d.what == action::give_up);
  CHECK(d.reason == "gave up after 1 attempts: timeout");
}

TEST_CASE("throttles wait without using up attempts, up to max_throttle_wait", "[attempt_state]") {
  backoff b{policy{}, 1};
  attempt_state state{policy{}, b};
  for (int i = 0; i < 20; ++i) {
    const decision d = state.next(outcome::throttle, "code 199", 30s * i);
    REQUIRE(d.what == action::throttle_wait);
    CHECK(d.delay <= policy{}.base_delay);  // a small jitter: the limiter does the waiting
  }
  CHECK(state.attempts() == 0);
  CHECK(state.throttles() == 20);
  CHECK(state.next(outcome::throttle, "code 200", 10min).what == action::throttle_wait);
  const decision d = state.next(outcome::throttle, "code 200", 10min + 1s);
  CHECK(d.what == action::give_up);
  CHECK(d.reason == "throttled for 10m1s, over the 10m limit: code 200");
  CHECK(state.throttles() == 22);
}

TEST_CASE("an expired token is refreshed once, refused twice gives up", "[attempt_state]") {
  backoff b{policy{}, 1};
  attempt_state state{policy{}, b};
  const decision first = state.next(outcome::token_expired, "code 100", 0ms);
  CHECK(first.what == action::refresh_token);
  CHECK(first.delay == 0ms);
  CHECK(state.refreshed());
  const decision second = state.next(outcome::token_expired, "code 100", 0ms);
  CHECK(second.what == action::give_up);
  CHECK(second.reason == "access token still refused after a refresh: code 100");
}

TEST_CASE("a refresh followed by success is done", "[attempt_state]") {
  backoff b{policy{}, 1};
  attempt_state state{policy{}, b};
  CHECK(state.next(outcome::token_expired, "code 100", 0ms).what == action::refresh_token);
  CHECK(state.next(outcome::transient, "HTTP 502", 0ms).what == action::retry);
  CHECK(state.next(outcome::success, "", 0ms).what == action::done);
  CHECK(state.attempts() == 3);
}

TEST_CASE("fatal answers give up at once, naming the cause", "[attempt_state]") {
  backoff b{policy{}, 1};
  SECTION("with a detail") {
    attempt_state state{policy{}, b};
    const decision d = state.next(outcome::fatal, "code 10: invalid signature (check app_secret)", 0ms);
    CHECK(d.what == action::give_up);
    CHECK(d.reason == "code 10: invalid signature (check app_secret)");
    CHECK(state.attempts() == 1);
  }
  SECTION("without one") {
    attempt_state state{policy{}, b};
    CHECK(state.next(outcome::fatal, "", 0ms).reason == "fatal error");
  }
}

TEST_CASE("mixed answers: only non-throttles count against the attempts", "[attempt_state]") {
  backoff b{policy{}, 5};
  attempt_state state{policy{}, b};
  const outcome sequence[] = {outcome::transient, outcome::throttle, outcome::throttle,
                              outcome::transient, outcome::throttle, outcome::transient,
                              outcome::transient, outcome::throttle, outcome::transient};
  for (const outcome o : sequence) {
    const decision d = state.next(o, describe(o), 1min);
    CHECK(d.what == (o == outcome::throttle ? action::throttle_wait : action::retry));
  }
  CHECK(state.attempts() == 5);
  CHECK(state.throttles() == 4);
  const decision d = state.next(outcome::transient, "code 150", 1min);
  CHECK(d.what == action::give_up);
  CHECK(d.reason == "gave up after 6 attempts: code 150");
}

TEST_CASE("a finished fetch refuses further answers", "[attempt_state]") {
  backoff b{policy{}, 1};
  attempt_state done{policy{}, b};
  done.next(outcome::success, "", 0ms);
  CHECK_THROWS_AS(done.next(outcome::transient, "x", 0ms), std::logic_error);
  attempt_state failed{policy{}, b};
  failed.next(outcome::fatal, "code 190", 0ms);
  CHECK_THROWS_AS(failed.next(outcome::success, "", 0ms), std::logic_error);
  attempt_state odd{policy{}, b};
  CHECK_THROWS_AS(odd.next(static_cast<outcome>(42), "", 0ms), std::logic_error);
  CHECK_THROWS_AS(attempt_state(policy{0, 1ms, 1ms, 0ms}, b), std::invalid_argument);
}

TEST_CASE("every outcome has a name", "[attempt_state]") {
  CHECK(describe(outcome::success) == "success");
  CHECK(describe(outcome::transient) == "transient error");
  CHECK(describe(outcome::throttle) == "throttled");
  CHECK(describe(outcome::token_expired) == "access token expired");
  CHECK(describe(outcome::fatal) == "fatal error");
  CHECK(describe(static_cast<outcome>(42)) == "unknown outcome 42");
}
