// ferry::http::client against responses that are big, oddly framed, cut
// short or not HTTP at all.
#include <catch2/catch.hpp>

#include <chrono>

#include "harness.hpp"
#include "test_server.hpp"

namespace {

using namespace ferry::http;
using namespace ferry::http::testing;
using namespace std::chrono_literals;
using ferry::asio::io_context;
using framing = reply::framing;

reply body_of(std::size_t size, framing how) {
  reply r;
  r.body = std::string(size, 'b');
  r.body_framing = how;
  return r;
}

reply raw(std::string bytes, bool close_after = false) {
  reply r;
  r.raw = std::move(bytes);
  r.close_after = close_after;
  return r;
}

const char* name_of(framing how) {
  switch (how) {
    case framing::content_length: return "content-length";
    case framing::chunked: return "chunked";
    case framing::until_close: return "until-close";
  }
  return "?";
}

}  // namespace

TEST_CASE("bodies over max_body_bytes are body_too_large whatever their framing") {
  for (const framing how : {framing::content_length, framing::chunked, framing::until_close}) {
    INFO(name_of(how));
    test_server server;
    server.script({body_of(1025, how), body_of(1024, how)});
    io_context context;
    client_options options;
    options.max_body_bytes = 1024;
    client c(context.get_executor(), options);
    const url base = local_url(server.port());

    const result over = send_one(context, c, base, get("/big"));
    CHECK(over.error == errc::body_too_large);
    CHECK(over.detail.find("over the limit of 1024 bytes") != std::string::npos);
    CHECK(c.idle_connections() == 0);
    const result at = send_one(context, c, base, get("/exact"));
    INFO(at.detail);
    REQUIRE(at.ok());
    CHECK(at.res.body == std::string(1024, 'b'));
  }
}

TEST_CASE("an announced Content-Length over the cap fails at the header, before any body") {
  test_server server;
  server.set_default(raw("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\nabc"));
  io_context context;
  client_options options;
  options.request_timeout = 3s;  // the body never comes: only the header check ends this early
  client c(context.get_executor(), options);
  const auto start = std::chrono::steady_clock::now();
  const result r = send_one(context, c, local_url(server.port()), get("/"));
  CHECK(r.error == errc::body_too_large);
  CHECK(std::chrono::steady_clock::now() - start < 2s);
}

TEST_CASE("chunked and close-delimited bodies arrive whole and only delimited ones keep the connection") {
  test_server server;
  server.script({body_of(5000, framing::chunked), body_of(5000, framing::until_close)});
  io_context context;
  client c(context.get_executor(), {});
  const url base = local_url(server.port());
  const result chunked = send_one(context, c, base, get("/chunked"));
  REQUIRE(chunked.ok());
  CHECK(chunked.res.body == std::string(5000, 'b'));
  CHECK(c.idle_connections() == 1);
  const result until_close = send_one(context, c, base, get("/eof"));
  REQUIRE(until_close.ok());
  CHECK(until_close.res.body == std::string(5000, 'b'));
  CHECK(c.idle_connections() == 0);
  CHECK(c.connections_opened() == 1);
}

// A page's parser reads up to 64 bytes past the body's end (json::parse_tape
// with the body's capacity): every body has that room, zero-filled,
// whatever its framing, and an empty body too.
TEST_CASE("response bodies have body_padding bytes of zeros past their end in every framing") {
  for (const framing how : {framing::content_length, framing::chunked, framing::until_close}) {
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{70000}}) {
      INFO(name_of(how) << ", " << size << " bytes");
      test_server server;
      server.script({body_of(size, how)});
      io_context context;
      client c(context.get_executor(), {});
      const result r = send_one(context, c, local_url(server.port()), get("/padded"));
      REQUIRE(r.ok());
      CHECK(r.res.body == std::string(size, 'b'));
      REQUIRE(r.res.body.capacity() >= size + body_padding);
      const std::string_view room{r.res.body.data() + size, body_padding};
      CHECK(room == std::string(body_padding, '\0'));
    }
  }
}

TEST_CASE("a response that is not HTTP is a protocol_error") {
  test_server server;
  server.set_default(raw("HELLO THERE\r\n\r\n"));
  io_context context;
  client c(context.get_executor(), {});
  const result r = send_one(context, c, local_url(server.port()), get("/"));
  CHECK(r.error == errc::protocol_error);
  CHECK(r.detail.find("response from 127.0.0.1:") == 0);
  CHECK(c.idle_connections() == 0);
}

TEST_CASE("a response header over 64 KiB is a protocol_error") {
  test_server server;
  server.set_default(raw("HTTP/1.1 200 OK\r\nX-Big: " + std::string(70 * 1024, 'h') + "\r\nContent-Length: 0\r\n\r\n"));
  io_context context;
  client c(context.get_executor(), {});
  const result r = send_one(context, c, local_url(server.port()), get("/"));
  CHECK(r.error == errc::protocol_error);
}

TEST_CASE("interim 100 Continue responses are skipped") {
  test_server server;
  server.script({raw("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")});
  io_context context;
  client c(context.get_executor(), {});
  const url base = local_url(server.port());
  const result r = send_one(context, c, base, post("/", "a=1"));
  INFO(r.detail);
  REQUIRE(r.ok());
  CHECK(r.res.status == 200);
  CHECK(r.res.body == "hi");
  REQUIRE(send_one(context, c, base, get("/")).ok());
  CHECK(c.connections_opened() == 1);
}

TEST_CASE("a HEAD response's Content-Length announces no body to wait for") {
  test_server server;
  server.script({raw("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")});
  io_context context;
  client_options options;
  options.request_timeout = 3s;
  client c(context.get_executor(), options);
  const url base = local_url(server.port());
  request head = get("/");
  head.method = "HEAD";
  const result r = send_one(context, c, base, head);
  INFO(r.detail);
  REQUIRE(r.ok());
  CHECK(r.res.body.empty());
  const result next = send_one(context, c, base, get("/"));
  REQUIRE(next.ok());
  CHECK(next.res.body == "ok");
  CHECK(c.connections_opened() == 1);
}

TEST_CASE("a response cut short is connection_closed and not retried, even when idempotent") {
  test_server server;
  server.script({reply{}, raw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true)});
  io_context context;
  client c(context.get_executor(), {});
  const url base = local_url(server.port());
  REQUIRE(send_one(context, c, base, get("/1")).ok());
  const result r = send_one(context, c, base, get("/2"));
  CHECK(r.error == errc::connection_closed);
  CHECK(r.detail.find("mid-response") != std::string::npos);
  CHECK(server.requests().size() == 2);  // bytes had arrived: the request was not sent again
  CHECK(c.connections_opened() == 1);
}
