// HTTPS through an HTTP proxy, as deployments whose calls must leave from a
// whitelisted address make them: a real tinyproxy on loopback tunnels the
// connection with CONNECT, and TLS runs end to end inside the tunnel, so the
// certificate and its name are still checked against the platform's host,
// not the proxy's. The proxy comes from HTTPS_PROXY in the process's
// environment, as it does for ferryd.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "ferry/http/proxy.hpp"
#include "harness.hpp"
#include "support/tinyproxy.hpp"
#include "test_cert.hpp"
#include "test_server.hpp"

namespace {

using namespace ferry::http;
using namespace ferry::http::testing;
using ferry::asio::io_context;
using ferry::test_support::tinyproxy;

const tls_identity& localhost_identity() {
  static const tls_identity identity = make_self_signed("localhost", "DNS:localhost,IP:127.0.0.1");
  return identity;
}

// The proxy an HTTPS call to `base` takes from this process's environment.
url proxy_from_environment(const url& base) {
  std::string error;
  const auto proxy = proxy_for(base, std::nullopt, process_env(), error);
  INFO(error);
  REQUIRE(proxy);
  return *proxy;
}

}  // namespace

TEST_CASE("tls through a proxy: HTTPS_PROXY is tunnelled with CONNECT and TLS checks the platform's name") {
  tinyproxy proxy{"https"};
  test_server server(localhost_identity());
  reply echo;
  echo.echo = true;
  server.set_default(echo);
  const temp_file ca(localhost_identity().cert_pem);
  const url base = local_url(server.port(), "https", "localhost");
  ::setenv("HTTPS_PROXY", ("http://127.0.0.1:" + std::to_string(proxy.port())).c_str(), 1);
  const url via = proxy_from_environment(base);
  ::unsetenv("HTTPS_PROXY");
  CHECK(via.port == proxy.port());

  io_context context;
  client_options options;
  options.ca_file = ca.path();
  options.proxy = via;
  client c(context.get_executor(), options);
  for (int i = 0; i < 2; ++i) {
    const result r = send_one(context, c, base, post("/open/x", "secret=" + std::to_string(i)));
    INFO(r.detail);
    REQUIRE(r.ok());
    CHECK(r.res.body == "secret=" + std::to_string(i));
  }
  CHECK(c.connections_opened() == 1);  // one tunnel, kept alive
  INFO(proxy.log());
  CHECK(proxy.tunnels() == 1);
  CHECK_THAT(proxy.log(), Catch::Contains("CONNECT localhost:" + std::to_string(server.port())));
  CHECK_THAT(proxy.log(), !Catch::Contains("secret="));  // it relayed bytes it could not read
  CHECK(server.server_names() == std::vector<std::string>{"localhost"});  // SNI names the platform, not the proxy
  CHECK(server.requests().at(0).headers.at("host") == "localhost:" + std::to_string(server.port()));
}

TEST_CASE("tls through a proxy: a certificate the client does not trust is still refused inside the tunnel") {
  tinyproxy proxy{"https-untrusted"};
  test_server server(localhost_identity());
  io_context context;
  client_options options;  // the system's CAs only: the test certificate is self-signed
  options.proxy = local_url(proxy.port());
  client c(context.get_executor(), options);
  const result r = send_one(context, c, local_url(server.port(), "https", "localhost"), get("/"));
  CHECK(r.error == errc::certificate_rejected);
  CHECK(server.requests().empty());
  INFO(proxy.log());
  CHECK(proxy.tunnels() == 1);
}
