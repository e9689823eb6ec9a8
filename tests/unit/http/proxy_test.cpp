#include "ferry/http/proxy.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace ferry::http;

namespace {

url parsed(const char* text) {
  std::string error;
  auto u = parse_url(text, error);
  REQUIRE(u);
  return *u;
}

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("NO_PROXY entries: *, hosts, domain suffixes, IPs and ports", "[http][proxy]") {
  const auto api = parsed("https://openapi.jushuitan.com");
  CHECK(no_proxy_matches("*", api));
  CHECK(no_proxy_matches("jushuitan.com", api));
  CHECK(no_proxy_matches(".jushuitan.com", api));
  CHECK(no_proxy_matches("localhost, openapi.jushuitan.com", api));
  CHECK(no_proxy_matches("openapi.jushuitan.com:443", api));
  CHECK_FALSE(no_proxy_matches("openapi.jushuitan.com:8443", api));
  CHECK_FALSE(no_proxy_matches("tan.com", api));  // not a domain boundary
  CHECK_FALSE(no_proxy_matches("", api));
  const auto local = parsed("http://127.0.0.1:9400");
  CHECK(no_proxy_matches("127.0.0.1", local));
  CHECK_FALSE(no_proxy_matches("0.0.1", local));
  CHECK(no_proxy_matches("[::1]:9400", parsed("http://[::1]:9400")));
}

TEST_CASE("the proxy comes from the source, else from HTTPS_PROXY or HTTP_PROXY unless NO_PROXY", "[http][proxy]") {
  const auto api = parsed("https://openapi.jushuitan.com");
  const auto sim = parsed("http://127.0.0.1:9400");
  std::string error;
  const auto env = env_of({{"HTTPS_PROXY", "http://10.0.0.5:3128"}, {"http_proxy", "10.0.0.6:8080"},
                           {"NO_PROXY", "localhost,127.0.0.1"}});
  auto p = proxy_for(api, std::nullopt, env, error);
  REQUIRE(p);
  CHECK(p->host == "10.0.0.5");
  CHECK(p->port == 3128);
  CHECK_FALSE(proxy_for(sim, std::nullopt, env, error));  // NO_PROXY
  const auto other_sim = parsed("http://192.0.2.1:9400");
  p = proxy_for(other_sim, std::nullopt, env, error);
  REQUIRE(p);
  CHECK(p->port == 8080);  // a bare host:port is http://
  // The source's own setting wins, NO_PROXY or not; "" means direct.
  p = proxy_for(sim, std::string{"http://127.0.0.1:8888"}, env, error);
  REQUIRE(p);
  CHECK(p->port == 8888);
  CHECK_FALSE(proxy_for(api, std::string{}, env, error));
  CHECK(error.empty());
  CHECK_FALSE(proxy_for(api, std::nullopt, env_of({}), error));
}

TEST_CASE("a proxy URL with https:// or a path is refused with the reason", "[http][proxy]") {
  std::string error;
  CHECK_FALSE(parse_proxy_url("https://10.0.0.5:3128", error));
  CHECK_THAT(error, Catch::Contains("CONNECT"));
  CHECK_FALSE(parse_proxy_url("http://10.0.0.5:3128/x", error));
  CHECK_THAT(error, Catch::Contains("path"));
  error.clear();
  CHECK_FALSE(proxy_for(parsed("https://openapi.jushuitan.com"), std::nullopt,
                        env_of({{"https_proxy", "ftp://x"}}), error));
  CHECK_THAT(error, Catch::StartsWith("HTTPS_PROXY: "));
}
