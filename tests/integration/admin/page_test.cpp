// The status page (GET /) and its files (GET /static/...), served from the
// binary without a token, with a CSP that forbids anything not from ferryd.
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <regex>

namespace {

using namespace ferry::admin::testing;

// The /static/... URLs the page links, with their ?v=.
std::vector<std::string> linked_assets(const std::string& html) {
  static const std::regex link{R"re((?:href|src)="(/static/[^"]+)")re"};
  std::vector<std::string> out;
  for (std::sregex_iterator it{html.begin(), html.end(), link}, end; it != end; ++it) out.push_back((*it)[1]);
  return out;
}

void check_csp(const ferry::http::response& res) {
  const auto csp = header(res, "Content-Security-Policy");
  CHECK(csp.find("default-src 'none'") != std::string::npos);
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("connect-src 'self'") != std::string::npos);
  CHECK(csp.find("http") == std::string::npos);  // no external origin is allowed anywhere
  CHECK(header(res, "X-Content-Type-Options") == "nosniff");
}

}  // namespace

TEST_CASE("GET / is the status page: HTML, no token needed, a CSP, revalidated on every load") {
  admin_fixture server;
  admin_client client(server.port());
  for (const std::optional<std::string>& token : {std::optional<std::string>{}, std::optional{test_token},
                                                  std::optional<std::string>{"wrong"}}) {
    auto r = client.send("GET", "/", "", "", token);
    REQUIRE(r.ok());
    CHECK(r.res.status == 200);
    CHECK(r.res.content_type == "text/html; charset=utf-8");
    CHECK(r.res.body.rfind("<!doctype html>", 0) == 0);
    CHECK(r.res.body.find("<script src=\"/static/status.js?v=") != std::string::npos);
    CHECK(header(r.res, "Cache-Control") == "no-cache");
    check_csp(r.res);
  }
  CHECK(server.control.calls == 0);
}

TEST_CASE("the page's CSS and JS are served with their types, cached for good at the linked version") {
  admin_fixture server;
  admin_client client(server.port());
  const auto page = client.send("GET", "/", "", "", std::nullopt);
  const auto assets = linked_assets(page.res.body);
  REQUIRE(assets.size() == 2);
  for (const auto& url : assets) {
    INFO(url);
    auto r = client.send("GET", url, "", "", std::nullopt);
    CHECK(r.res.status == 200);
    const bool js = url.find(".js?") != std::string::npos;
    CHECK(r.res.content_type == (js ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8"));
    CHECK(r.res.body.size() > 500);
    CHECK(r.res.body.find('\0') == std::string::npos);
    CHECK(header(r.res, "Cache-Control") == "public, max-age=31536000, immutable");
    check_csp(r.res);
    // Another version (an old page after an upgrade) is not cached for good.
    const auto path = url.substr(0, url.find('?'));
    auto other = client.send("GET", path + "?v=0000", "", "", std::nullopt);
    CHECK(other.res.status == 200);
    CHECK(header(other.res, "Cache-Control") == "no-cache");
    CHECK(client.send("GET", path, "", "", std::nullopt).res.body == r.res.body);
  }
}

TEST_CASE("the page refers to nothing outside ferryd") {
  admin_fixture server;
  admin_client client(server.port());
  for (const char* target : {"/", "/static/status.js", "/static/status.css"}) {
    INFO(target);
    const auto body = client.send("GET", target, "", "", std::nullopt).res.body;
    CHECK(body.find("http://") == std::string::npos);
    CHECK(body.find("https://") == std::string::npos);
    CHECK(body.find("//cdn") == std::string::npos);
  }
}

TEST_CASE("unknown static paths are 404 and only GET and HEAD are allowed on the page") {
  admin_fixture server;
  admin_client client(server.port());
  for (const char* target : {"/static/nope.js", "/static/", "/static", "/static/status.js/x", "/index.html",
                             "/static/%2e%2e%2fstatus.js", "/static/STATUS.JS", "/static/.."}) {
    INFO(target);
    auto r = client.send("GET", target, "", "", std::nullopt);
    CHECK(r.res.status == 404);
    CHECK(error_code_of(r.res) == "not_found");
  }
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    INFO(method);
    auto r = client.send(method, "/", "", "", std::nullopt);
    CHECK(r.res.status == 405);
    CHECK(header(r.res, "Allow") == "GET, HEAD");
    CHECK(client.send(method, "/static/status.js", "", "", std::nullopt).res.status == 405);
  }
  CHECK(server.control.calls == 0);
}
