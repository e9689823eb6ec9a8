// ferry::http::client over plain TCP against the in-process test server.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

#include "harness.hpp"
#include "test_server.hpp"

namespace {

using namespace ferry::http;
using namespace ferry::http::testing;
using namespace std::chrono_literals;
using ferry::asio::io_context;

reply echo() {
  reply r;
  r.echo = true;
  r.content_type = "application/json; charset=utf-8";
  return r;
}

reply hang_up() {
  reply r;
  r.what = reply::action::close_without_answer;
  return r;
}

}  // namespace

TEST_CASE("a POSTed form body arrives byte-exact and the answer comes back") {
  test_server server;
  server.set_default(echo());
  io_context context;
  client c(context.get_executor(), {});
  const std::string body = std::string("app_key=demo&biz=%7B%22a%22%3A1%7D&name=%E4%B8%AD+x&raw=\r\n\t") +
                           std::string(1, '\0') + "\xff end";
  request req = post("/open/orders/query?v=2", body);
  req.headers = {{"X-Trace", "42"}};
  const result r = send_one(context, c, local_url(server.port(), "http", "127.0.0.1", "/api/"), req);

  INFO(r.detail);
  REQUIRE(r.ok());
  CHECK(r.res.status == 200);
  CHECK(r.res.body == body);
  CHECK(r.res.content_type == "application/json; charset=utf-8");
  CHECK(std::find(r.res.headers.begin(), r.res.headers.end(), std::pair<std::string, std::string>{"Server", "ferry-test"}) !=
        r.res.headers.end());
  const auto seen = server.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].target == "/api/open/orders/query?v=2");
  CHECK(seen[0].body == body);
  CHECK(seen[0].headers.at("host") == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(seen[0].headers.at("user-agent") == default_user_agent());
  CHECK(seen[0].headers.at("content-type") == "application/x-www-form-urlencoded");
  CHECK(seen[0].headers.at("content-length") == std::to_string(body.size()));
  CHECK(seen[0].headers.at("accept-encoding") == "identity");
  CHECK(seen[0].headers.at("x-trace") == "42");
  CHECK(seen[0].headers.count("connection") == 0);  // HTTP/1.1 keeps alive by default
}

TEST_CASE("a GET without a body sends no Content-Length or Content-Type") {
  test_server server;
  io_context context;
  client c(context.get_executor(), {});
  const result r = send_one(context, c, local_url(server.port()), get("/q?a=1"));
  REQUIRE(r.ok());
  CHECK(r.res.body == "ok");
  const auto seen = server.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].target == "/q?a=1");
  CHECK(seen[0].headers.count("content-length") == 0);
  CHECK(seen[0].headers.count("content-type") == 0);
}

TEST_CASE("ten sequential requests reuse one keep-alive connection") {
  test_server server;
  server.set_default(echo());
  io_context context;
  client c(context.get_executor(), {});
  const url base = local_url(server.port());
  for (int i = 0; i < 10; ++i) {
    const result r = send_one(context, c, base, post("/n", "n=" + std::to_string(i)));
    REQUIRE(r.ok());
    CHECK(r.res.body == "n=" + std::to_string(i));
  }
  CHECK(c.connections_opened() == 1);
  CHECK(c.idle_connections() == 1);
  CHECK(server.connections_accepted() == 1);
  CHECK(server.requests().size() == 10);
}

TEST_CASE("idle connections are kept per origin") {
  test_server first;
  test_server second;
  reply tagged;
  tagged.body = "second";
  second.set_default(tagged);
  io_context context;
  client c(context.get_executor(), {});
  const url a = local_url(first.port());
  const url b = local_url(second.port());
  REQUIRE(send_one(context, c, a, get("/")).res.body == "ok");
  REQUIRE(send_one(context, c, b, get("/")).res.body == "second");
  CHECK(c.idle_connections() == 2);
  CHECK(send_one(context, c, a, get("/")).res.body == "ok");
  CHECK(send_one(context, c, b, get("/")).res.body == "second");
  CHECK(c.connections_opened() == 2);
  CHECK(first.requests().size() == 2);
  CHECK(second.requests().size() == 2);
}

TEST_CASE("four concurrent requests each take their own connection and all succeed") {
  test_server server;
  reply slow = echo();
  slow.delay = 150ms;  // long enough that all four are in flight together
  server.set_default(slow);
  io_context context;
  client_options options;
  options.max_idle_per_host = 3;
  client c(context.get_executor(), options);
  const url base = local_url(server.port());
  std::vector<request> requests;
  for (int i = 0; i < 4; ++i) requests.push_back(post("/c", "i=" + std::to_string(i)));

  const auto results = send_all(context, c, base, requests);
  for (std::size_t i = 0; i < results.size(); ++i) {
    INFO(i << ": " << results[i].detail);
    REQUIRE(results[i].ok());
    CHECK(results[i].res.body == "i=" + std::to_string(i));
  }
  CHECK(c.connections_opened() == 4);
  CHECK(server.connections_accepted() == 4);
  CHECK(c.idle_connections() == 3);  // the fourth is over max_idle_per_host and closed

  const result again = send_one(context, c, base, post("/c", "again"));
  REQUIRE(again.ok());
  CHECK(c.connections_opened() == 4);
}

TEST_CASE("a connection the server closed while idle is not used again") {
  test_server server;
  reply idle_timeout;
  idle_timeout.close_after = true;  // answers keep-alive, then hangs up
  server.set_default(idle_timeout);
  io_context context;
  client c(context.get_executor(), {});
  const url base = local_url(server.port());
  REQUIRE(send_one(context, c, base, get("/1")).ok());
  REQUIRE(server.wait_closed(1, 2s));
  CHECK(c.idle_connections() == 1);

  request once = post("/2", "charge=1");
  once.idempotent = false;  // safe: the dead connection is noticed before sending
  const result r = send_one(context, c, base, once);
  INFO(r.detail);
  REQUIRE(r.ok());
  CHECK(c.connections_opened() == 2);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("a reused connection that dies before answering is retried once when idempotent") {
  test_server server;
  server.script({reply{}, hang_up()});  // then the default: 200 ok
  io_context context;
  client c(context.get_executor(), {});
  const url base = local_url(server.port());
  REQUIRE(send_one(context, c, base, get("/1")).ok());
  const result r = send_one(context, c, base, post("/2", "x=1"));
  INFO(r.detail);
  REQUIRE(r.ok());
  CHECK(r.res.body == "ok");
  CHECK(c.connections_opened() == 2);
  const auto seen = server.requests();
  REQUIRE(seen.size() == 3);
  CHECK(seen[1].connection == 0);
  CHECK(seen[2].connection == 1);
  CHECK(seen[2].body == "x=1");
}

TEST_CASE("a non-idempotent request on a reused connection that dies is reported, not re-sent") {
  test_server server;
  server.script({reply{}, hang_up()});
  io_context context;
  client c(context.get_executor(), {});
  const url base = local_url(server.port());
  REQUIRE(send_one(context, c, base, get("/1")).ok());
  request once = post("/pay", "amount=1");
  once.idempotent = false;
  const result r = send_one(context, c, base, once);
  CHECK(r.error == errc::connection_closed);
  CHECK(r.detail.find("not idempotent") != std::string::npos);
  CHECK(server.requests().size() == 2);
  CHECK(c.connections_opened() == 1);
  CHECK(c.idle_connections() == 0);
}

TEST_CASE("a fresh connection closed without an answer is an error and not retried") {
  test_server server;
  server.set_default(hang_up());
  io_context context;
  client c(context.get_executor(), {});
  const result r = send_one(context, c, local_url(server.port()), post("/x", "a=1"));
  CHECK(r.error == errc::connection_closed);
  CHECK(r.detail.find("before any response") != std::string::npos);
  CHECK(server.requests().size() == 1);
  CHECK(c.idle_connections() == 0);
}

TEST_CASE("5xx and 429 statuses are responses, not errors") {
  test_server server;
  reply boom;
  boom.status = 500;
  boom.body = "boom";
  reply busy;
  busy.status = 429;
  server.script({boom, busy});
  io_context context;
  client c(context.get_executor(), {});
  const url base = local_url(server.port());
  const result first = send_one(context, c, base, get("/"));
  REQUIRE(first.ok());
  CHECK(first.res.status == 500);
  CHECK(first.res.body == "boom");
  const result second = send_one(context, c, base, get("/"));
  REQUIRE(second.ok());
  CHECK(second.res.status == 429);
  CHECK(c.connections_opened() == 1);  // an error status does not cost the connection
}

TEST_CASE("a Connection: close response is not kept for reuse") {
  test_server server;
  reply closing;
  closing.connection_close = true;
  server.set_default(closing);
  io_context context;
  client c(context.get_executor(), {});
  const url base = local_url(server.port());
  REQUIRE(send_one(context, c, base, get("/1")).ok());
  CHECK(c.idle_connections() == 0);
  REQUIRE(send_one(context, c, base, get("/2")).ok());
  CHECK(c.connections_opened() == 2);
  CHECK(server.connections_accepted() == 2);
}

TEST_CASE("close_idle drops parked connections") {
  test_server server;
  io_context context;
  client c(context.get_executor(), {});
  const url base = local_url(server.port());
  REQUIRE(send_one(context, c, base, get("/1")).ok());
  REQUIRE(c.idle_connections() == 1);
  c.close_idle();
  CHECK(c.idle_connections() == 0);
  CHECK(server.wait_closed(1, 2s));
  REQUIRE(send_one(context, c, base, get("/2")).ok());
  CHECK(c.connections_opened() == 2);
}

TEST_CASE("max_idle_per_host = 0 keeps no connection") {
  test_server server;
  io_context context;
  client_options options;
  options.max_idle_per_host = 0;
  client c(context.get_executor(), options);
  const url base = local_url(server.port());
  REQUIRE(send_one(context, c, base, get("/1")).ok());
  REQUIRE(send_one(context, c, base, get("/2")).ok());
  CHECK(c.idle_connections() == 0);
  CHECK(c.connections_opened() == 2);
}

TEST_CASE("requests that cannot be sent safely are refused before connecting") {
  test_server server;
  io_context context;
  client c(context.get_executor(), {});
  const url base = local_url(server.port());
  request injected = get("/");
  injected.headers = {{"X-A", "1\r\nX-Evil: 1"}};
  request framing = post("/", "a=1");
  framing.headers = {{"content-length", "999"}};
  request bad_method = get("/");
  bad_method.method = "GE T";
  request bad_target = get("/a b");
  request bad_name = get("/");
  bad_name.headers = {{"X A", "1"}};
  for (const request& req : {injected, framing, bad_method, bad_target, bad_name}) {
    const result r = send_one(context, c, base, req);
    INFO(req.method << " " << req.target);
    CHECK(r.error == errc::invalid_request);
    CHECK_FALSE(r.detail.empty());
  }
  CHECK(server.connections_accepted() == 0);
}

TEST_CASE("a client destroyed while a request is in flight lets it finish safely") {
  test_server server;
  reply slow;
  slow.delay = 100ms;
  server.set_default(slow);
  io_context context;
  result r;
  {
    client c(context.get_executor(), {});
    ferry::asio::co_spawn(context, c.send(local_url(server.port()), get("/")), [&r](std::exception_ptr error, result got) {
      if (error) std::rethrow_exception(error);
      r = std::move(got);
    });
  }
  context.run();
  INFO(r.detail);
  CHECK(r.ok());
  CHECK(r.res.body == "ok");
}
