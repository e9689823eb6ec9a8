#include "ferry/http/url.hpp"

#include <catch2/catch.hpp>

namespace {

using ferry::http::make_target;
using ferry::http::parse_url;
using ferry::http::url;

url parse_ok(std::string_view text) {
  std::string error;
  auto parsed = parse_url(text, error);
  INFO(text << " -> " << error);
  REQUIRE(parsed.has_value());
  CHECK(error.empty());
  return *parsed;
}

std::string parse_error(std::string_view text) {
  std::string error;
  const auto parsed = parse_url(text, error);
  INFO(text);
  CHECK_FALSE(parsed.has_value());
  CHECK_FALSE(error.empty());
  return error;
}

}  // namespace

TEST_CASE("parse_url: scheme, host, explicit port and base path") {
  const url u = parse_ok("http://127.0.0.1:9400/api/v1");
  CHECK(u.scheme == "http");
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == 9400);
  CHECK(u.base_path == "/api/v1");
  CHECK_FALSE(u.tls());
  CHECK(u.host_is_ip());
}

TEST_CASE("parse_url: default ports come from the scheme") {
  const url plain = parse_ok("http://example.com");
  CHECK(plain.port == 80);
  CHECK(plain.base_path.empty());
  const url secure = parse_ok("https://openapi.jushuitan.com");
  CHECK(secure.port == 443);
  CHECK(secure.tls());
  CHECK(secure.host == "openapi.jushuitan.com");
  CHECK_FALSE(secure.host_is_ip());
}

TEST_CASE("parse_url: scheme and host are case-insensitive and lower-cased") {
  const url u = parse_ok("HTTPS://OpenAPI.Example.COM:8443/Path");
  CHECK(u.scheme == "https");
  CHECK(u.host == "openapi.example.com");
  CHECK(u.port == 8443);
  CHECK(u.base_path == "/Path");  // paths are case-sensitive
}

TEST_CASE("parse_url: trailing slashes are dropped from the base path") {
  CHECK(parse_ok("http://h/").base_path.empty());
  CHECK(parse_ok("http://h:1/api/").base_path == "/api");
  CHECK(parse_ok("http://h/api//").base_path == "/api");
  CHECK(parse_ok("http://h/a/b/c").base_path == "/a/b/c");
  CHECK(parse_ok("http://h///").base_path.empty());
}

TEST_CASE("parse_url: IPv6 literals in brackets") {
  const url u = parse_ok("http://[::1]:9400/x");
  CHECK(u.host == "::1");
  CHECK(u.port == 9400);
  CHECK(u.host_is_ip());
  CHECK(parse_ok("https://[2001:DB8::7]").host == "2001:db8::7");
  CHECK(parse_ok("https://[2001:db8::7]").port == 443);
}

TEST_CASE("parse_url: port edges") {
  CHECK(parse_ok("http://h:1").port == 1);
  CHECK(parse_ok("http://h:65535").port == 65535);
  CHECK(parse_ok("http://h:00080").port == 80);
  CHECK(parse_error("http://h:0") == "port 0 is out of range (1-65535)");
  CHECK(parse_error("http://h:65536") == "port 65536 is out of range (1-65535)");
  CHECK(parse_error("http://h:99999999999999999999") ==
        "port 99999999999999999999 is out of range (1-65535)");
  CHECK(parse_error("http://h:80x") == "port '80x' is not a number");
  CHECK(parse_error("http://h:-1") == "port '-1' is not a number");
  CHECK(parse_error("http://h:") == "port is empty");
  CHECK(parse_error("http://[::1]:") == "port is empty");
  CHECK(parse_error("http://[::1]:abc") == "port 'abc' is not a number");
}

TEST_CASE("parse_url: schemes other than http and https are refused") {
  CHECK(parse_error("ftp://h/") == "unsupported scheme 'ftp' (expected http or https)");
  CHECK(parse_error("ws://h") == "unsupported scheme 'ws' (expected http or https)");
  CHECK(parse_error("httpx://h") == "unsupported scheme 'httpx' (expected http or https)");
  CHECK(parse_error("127.0.0.1:9400").find("no scheme") != std::string::npos);
  CHECK(parse_error("://h").find("no scheme") != std::string::npos);
  CHECK(parse_error("").find("no scheme") != std::string::npos);
  CHECK(parse_error("http:/h").find("no scheme") != std::string::npos);
}

TEST_CASE("parse_url: user info, query and fragment are named") {
  CHECK(parse_error("http://user:pw@h/").find("user info") != std::string::npos);
  CHECK(parse_error("http://@h").find("user info") != std::string::npos);
  CHECK(parse_error("http://h/api?x=1").find("query") != std::string::npos);
  CHECK(parse_error("http://h?x").find("query") != std::string::npos);
  CHECK(parse_error("http://h/api#top").find("fragment") != std::string::npos);
  CHECK(parse_error("http://h#").find("fragment") != std::string::npos);
}

TEST_CASE("parse_url: empty and malformed hosts") {
  CHECK(parse_error("http://") == "host is empty");
  CHECK(parse_error("http:///api") == "host is empty");
  CHECK(parse_error("http://:80") == "host is empty");
  CHECK(parse_error("http://exa mple.com").find("not a valid name") != std::string::npos);
  CHECK(parse_error("http://a..b").find("not a valid name") != std::string::npos);
  CHECK(parse_error("http://.a").find("not a valid name") != std::string::npos);
  CHECK(parse_error("http://1.2.3") == "host '1.2.3' is not a valid IPv4 address");
  CHECK(parse_error("http://256.0.0.1") == "host '256.0.0.1' is not a valid IPv4 address");
  CHECK(parse_error("http://::1/").find("must be in brackets") != std::string::npos);
  CHECK(parse_error("http://[::1/").find("closing ']'") != std::string::npos);
  CHECK(parse_error("http://[::g]").find("not a valid IPv6") != std::string::npos);
  CHECK(parse_error("http://[127.0.0.1]").find("not a valid IPv6") != std::string::npos);
  CHECK(parse_error("http://[::1]x").find("after the IPv6 address") != std::string::npos);
}

TEST_CASE("parse_url: a trailing dot names the same host") {
  CHECK(parse_ok("http://example.com.:81").host == "example.com");
}

TEST_CASE("parse_url: path characters must be valid or percent-encoded") {
  CHECK(parse_ok("http://h/a%20b/c~d").base_path == "/a%20b/c~d");
  CHECK(parse_error("http://h/a b").find("percent-encoded") != std::string::npos);
  CHECK(parse_error("http://h/a%2").find("two hex digits") != std::string::npos);
  CHECK(parse_error("http://h/a%zz").find("two hex digits") != std::string::npos);
  CHECK(parse_error("http://h/\xe4\xb8\xad").find("percent-encoded") != std::string::npos);
}

TEST_CASE("url::authority leaves out the scheme's default port") {
  CHECK(parse_ok("http://h").authority() == "h");
  CHECK(parse_ok("http://h:80").authority() == "h");
  CHECK(parse_ok("https://h:443").authority() == "h");
  CHECK(parse_ok("http://h:443").authority() == "h:443");
  CHECK(parse_ok("https://h:80").authority() == "h:80");
  CHECK(parse_ok("http://127.0.0.1:9400").authority() == "127.0.0.1:9400");
  CHECK(parse_ok("http://[::1]:9400").authority() == "[::1]:9400");
  CHECK(parse_ok("https://[::1]").authority() == "[::1]");
}

TEST_CASE("make_target joins the base path and the request target") {
  const url bare = parse_ok("http://h");
  const url based = parse_ok("http://h/api/");
  CHECK(make_target(bare, "/open/orders") == "/open/orders");
  CHECK(make_target(based, "/open/orders") == "/api/open/orders");
  CHECK(make_target(based, "open/orders") == "/api/open/orders");
  CHECK(make_target(bare, "open") == "/open");
  CHECK(make_target(bare, "") == "/");
  CHECK(make_target(based, "") == "/api");
  CHECK(make_target(bare, "?a=1") == "/?a=1");
  CHECK(make_target(based, "?a=1") == "/api?a=1");
  CHECK(make_target(based, "/x?a=1&b=2") == "/api/x?a=1&b=2");
}
