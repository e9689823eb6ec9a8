// ferry::http::client over TLS: verification on by default, SNI, host names,
// CA files, and a handshake that cannot work. Certificates are made per run.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "harness.hpp"
#include "test_cert.hpp"
#include "test_server.hpp"

namespace {

using namespace ferry::http;
using namespace ferry::http::testing;
using ferry::asio::io_context;

// One certificate for localhost and 127.0.0.1, shared by the tests of a run.
const tls_identity& localhost_identity() {
  static const tls_identity identity = make_self_signed("localhost", "DNS:localhost,IP:127.0.0.1");
  return identity;
}

client_options trusting(const temp_file& ca) {
  client_options options;
  options.ca_file = ca.path();
  return options;
}

}  // namespace

TEST_CASE("tls: a self-signed certificate is rejected by default") {
  test_server server(localhost_identity());
  io_context context;
  client c(context.get_executor(), {});
  const result r = send_one(context, c, local_url(server.port(), "https", "localhost"), get("/"));
  CHECK(r.error == errc::certificate_rejected);
  CHECK(r.detail.find("certificate verify failed: self-signed certificate") != std::string::npos);
  REQUIRE(server.wait_closed(1, std::chrono::seconds{2}));
  CHECK(server.server_names() == std::vector<std::string>{"localhost"});
  CHECK(server.requests().empty());
  CHECK(c.connections_opened() == 0);
}

TEST_CASE("tls: trusted through ca_file, with SNI naming the host") {
  test_server server(localhost_identity());
  reply echo;
  echo.echo = true;
  server.set_default(echo);
  const temp_file ca(localhost_identity().cert_pem);
  io_context context;
  client c(context.get_executor(), trusting(ca));
  const url base = local_url(server.port(), "https", "localhost");
  for (int i = 0; i < 3; ++i) {
    const result r = send_one(context, c, base, post("/x", "secret=" + std::to_string(i)));
    INFO(r.detail);
    REQUIRE(r.ok());
    CHECK(r.res.body == "secret=" + std::to_string(i));
  }
  CHECK(c.connections_opened() == 1);  // keep-alive works over TLS too
  CHECK(server.server_names() == std::vector<std::string>{"localhost"});
  CHECK(server.requests().at(0).headers.at("host") == "localhost:" + std::to_string(server.port()));
}

// Clients share TLS contexts; a reload makes new clients while the old ones
// still live, and those must read a ca_file that changed in between.
TEST_CASE("tls: a client made after its ca_file changed trusts the new file while an older client lives on") {
  const tls_identity rotated = make_self_signed("localhost", "DNS:localhost,IP:127.0.0.1");
  reply echo;
  echo.echo = true;
  test_server old_server(localhost_identity());
  old_server.set_default(echo);
  test_server new_server(rotated);
  new_server.set_default(echo);
  const temp_file ca(localhost_identity().cert_pem);
  io_context context;
  client before(context.get_executor(), trusting(ca));
  const result first = send_one(context, before, local_url(old_server.port(), "https", "localhost"), get("/"));
  INFO(first.detail);
  REQUIRE(first.ok());
  std::ofstream{ca.path(), std::ios::trunc} << rotated.cert_pem << "\n";  // rotated in place
  client after(context.get_executor(), trusting(ca));
  const result r = send_one(context, after, local_url(new_server.port(), "https", "localhost"), get("/"));
  INFO(r.detail);
  CHECK(r.ok());
}

TEST_CASE("tls: an IP address is checked against the certificate's IP names and sent without SNI") {
  test_server server(localhost_identity());
  const temp_file ca(localhost_identity().cert_pem);
  io_context context;
  client c(context.get_executor(), trusting(ca));
  const result r = send_one(context, c, local_url(server.port(), "https", "127.0.0.1"), get("/"));
  INFO(r.detail);
  REQUIRE(r.ok());
  CHECK(server.server_names() == std::vector<std::string>{""});  // noted before the request was read
}

TEST_CASE("tls: a trusted certificate for another name is rejected by host name verification") {
  const tls_identity other = make_self_signed("other.example", "DNS:other.example");
  test_server server(other);
  const temp_file ca(other.cert_pem);
  io_context context;
  client c(context.get_executor(), trusting(ca));
  const result r = send_one(context, c, local_url(server.port(), "https", "localhost"), get("/"));
  CHECK(r.error == errc::certificate_rejected);
  CHECK(r.detail.find("hostname mismatch") != std::string::npos);
  REQUIRE(server.wait_closed(1, std::chrono::seconds{2}));  // the server notes SNI when its handshake ends
  CHECK(server.server_names() == std::vector<std::string>{"localhost"});
  CHECK(server.requests().empty());
}

TEST_CASE("tls: a certificate without the IP among its names is rejected for that IP") {
  const tls_identity named_only = make_self_signed("localhost", "DNS:localhost");
  test_server server(named_only);
  const temp_file ca(named_only.cert_pem);
  io_context context;
  client c(context.get_executor(), trusting(ca));
  const result r = send_one(context, c, local_url(server.port(), "https", "127.0.0.1"), get("/"));
  CHECK(r.error == errc::certificate_rejected);
  CHECK(r.detail.find("IP address mismatch") != std::string::npos);
}

TEST_CASE("tls: verify_peer = false accepts any certificate") {
  test_server server(localhost_identity());
  io_context context;
  client_options options;
  options.verify_peer = false;
  client c(context.get_executor(), options);
  const result r = send_one(context, c, local_url(server.port(), "https", "localhost"), get("/"));
  INFO(r.detail);
  REQUIRE(r.ok());
  CHECK(r.res.body == "ok");
}

TEST_CASE("tls: https to a plain HTTP server fails the handshake") {
  test_server server;  // no TLS
  io_context context;
  client c(context.get_executor(), {});
  const result r = send_one(context, c, local_url(server.port(), "https", "localhost"), get("/"));
  CHECK(r.error == errc::tls_handshake_failed);
  CHECK(r.detail.find("tls handshake with localhost:" + std::to_string(server.port())) == 0);
}

TEST_CASE("tls: a ca_file that cannot be loaded is a start-up error") {
  io_context context;
  client_options options;
  options.ca_file = "/nonexistent/ferry-ca.pem";
  CHECK_THROWS_AS(client(context.get_executor(), options), std::runtime_error);
  const temp_file garbage("not a certificate\n");
  options.ca_file = garbage.path();
  CHECK_THROWS_AS(client(context.get_executor(), options), std::runtime_error);
}
