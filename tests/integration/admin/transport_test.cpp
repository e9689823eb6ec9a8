// The admin server's transport: keep-alive, body limit, read and idle
// timeouts, many concurrent clients, max_sessions, stop() and TLS.
#include "harness.hpp"
#include "test_cert.hpp"

#include <catch2/catch.hpp>

#include <thread>

namespace {

using namespace ferry::admin::testing;
using namespace std::chrono_literals;

std::string get_request(const std::string& target, const char* extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + test_token + "\r\n" + extra +
         "\r\n";
}

unsigned status_of(const std::string& response) {
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
  return static_cast<unsigned>(std::stoul(response.substr(9, 3)));
}

}  // namespace

TEST_CASE("keep-alive serves many requests on one connection") {
  admin_fixture server;
  admin_client client(server.port());
  for (int i = 0; i < 20; ++i) REQUIRE(client.get("/api/v1/jobs").res.status == 200);
  CHECK(client.connections_opened() == 1);
}

TEST_CASE("a body over the limit is 413 body_too_large and one at the limit is read") {
  auto options = test_options();
  options.body_limit = 1024;
  admin_fixture server(options);
  admin_client client(server.port());
  const std::string huge = R"({"paused":true,"pad":")" + std::string(100 * 1024, 'x') + "\"}";
  auto refused = client.send("PATCH", "/api/v1/jobs/skusn", huge, "application/json");
  REQUIRE(refused.ok());
  CHECK(refused.res.status == 413);
  CHECK(error_code_of(refused.res) == "body_too_large");
  CHECK(server.control.calls == 0);

  std::string at_limit = R"({"paused":true})";
  at_limit += std::string(1024 - at_limit.size(), ' ');
  auto accepted = client.send("PATCH", "/api/v1/jobs/skusn", at_limit, "application/json");
  CHECK(accepted.res.status == 200);
  CHECK(server.control.last_call() == "set_paused skusn true");
}

TEST_CASE("a chunked body over the limit is 413 too") {
  auto options = test_options();
  options.body_limit = 1024;
  admin_fixture server(options);
  raw_connection peer(server.port());
  peer.send("PUT /api/v1/log-level HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + test_token +
            "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
            std::string(0x800, ' ') + "\r\n0\r\n\r\n");
  auto response = peer.receive(3s, whole_response);
  CHECK(status_of(response) == 413);
  CHECK(peer.wait_closed(3s).has_value());
}

TEST_CASE("a slow client is dropped after read_timeout (1 s)") {
  admin_fixture server;
  SECTION("a request that stops half-way") {
    raw_connection peer(server.port());
    peer.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    auto closed_after = peer.wait_closed(5s);
    REQUIRE(closed_after.has_value());
    CHECK(*closed_after >= 800ms);
    CHECK(*closed_after < 2500ms);
  }
  SECTION("a connection that never sends a byte") {
    raw_connection peer(server.port());
    auto closed_after = peer.wait_closed(5s);
    REQUIRE(closed_after.has_value());
    CHECK(*closed_after < 2500ms);
  }
  SECTION("a request trickled one byte every 300 ms") {
    raw_connection peer(server.port());
    const std::string request = get_request("/healthz");
    const auto start = std::chrono::steady_clock::now();
    bool closed = false;
    for (std::size_t i = 0; i < request.size() && !closed; ++i) {
      try {
        peer.send(request.substr(i, 1));
      } catch (const std::runtime_error&) {
        closed = true;
        break;
      }
      closed = peer.wait_closed(300ms).has_value();
    }
    CHECK(closed);
    CHECK(std::chrono::steady_clock::now() - start < 2500ms);
  }
}

TEST_CASE("an idle keep-alive connection is closed after idle_timeout (2 s), not read_timeout") {
  admin_fixture server;
  raw_connection peer(server.port());
  peer.send(get_request("/healthz"));
  REQUIRE(status_of(peer.receive(3s, whole_response)) == 200);
  auto closed_after = peer.wait_closed(6s);
  REQUIRE(closed_after.has_value());
  CHECK(*closed_after >= 1500ms);
  CHECK(*closed_after < 4000ms);
}

TEST_CASE("HTTP/1.0 and Connection close are answered, then closed") {
  admin_fixture server;
  for (const std::string& request : {std::string("GET /healthz HTTP/1.0\r\n\r\n"),
                                    std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")}) {
    raw_connection peer(server.port());
    peer.send(request);
    CHECK(status_of(peer.receive(3s, whole_response)) == 200);
    auto closed_after = peer.wait_closed(3s);
    REQUIRE(closed_after.has_value());
    CHECK(*closed_after < 500ms);
  }
}

TEST_CASE("a malformed request is 400 bad_request and closed") {
  admin_fixture server;
  raw_connection peer(server.port());
  peer.send("NOT-HTTP\r\n\r\n");
  auto response = peer.receive(3s, whole_response);
  CHECK(status_of(response) == 400);
  CHECK(response.find("bad_request") != std::string::npos);
  CHECK(peer.wait_closed(3s).has_value());
}

TEST_CASE("300 concurrent keep-alive clients are all answered, concurrently") {
  admin_fixture server;
  constexpr int clients = 300;
  std::vector<std::unique_ptr<raw_connection>> peers;
  for (int i = 0; i < clients; ++i) peers.push_back(std::make_unique<raw_connection>(server.port()));
  const auto start = std::chrono::steady_clock::now();
  // Two rounds on the same connections; "slow" takes 100 ms per request, so
  // 600 requests answered one after another would take a minute.
  for (int round = 0; round < 2; ++round) {
    for (auto& peer : peers) peer->send(get_request("/api/v1/jobs/slow"));
    int answered = 0;
    for (auto& peer : peers) {
      const auto response = peer->receive(10s, whole_response);
      if (status_of(response) == 200 && response.find(R"("id":"slow")") != std::string::npos) ++answered;
    }
    CHECK(answered == clients);
  }
  CHECK(std::chrono::steady_clock::now() - start < 8s);
  CHECK(server.control.calls == 2 * clients);
}

TEST_CASE("connections beyond max_sessions are closed at once and room frees up when one ends") {
  auto options = test_options();
  options.max_sessions = 2;
  options.read_timeout = 5s;
  admin_fixture server(options);
  auto first = std::make_unique<raw_connection>(server.port());
  raw_connection second(server.port());
  for (auto* peer : {first.get(), &second}) {
    peer->send(get_request("/healthz"));
    REQUIRE(status_of(peer->receive(3s, whole_response)) == 200);
  }
  raw_connection third(server.port());
  auto closed_after = third.wait_closed(2s);
  REQUIRE(closed_after.has_value());
  CHECK(*closed_after < 1s);

  first.reset();
  std::this_thread::sleep_for(200ms);  // the server sees the close and ends that session
  raw_connection fourth(server.port());
  fourth.send(get_request("/healthz"));
  CHECK(status_of(fourth.receive(3s, whole_response)) == 200);
}

TEST_CASE("stop() closes live connections and the listener") {
  admin_fixture server;
  raw_connection peer(server.port());
  peer.send(get_request("/healthz"));
  REQUIRE(status_of(peer.receive(3s, whole_response)) == 200);
  const auto port = server.port();
  server.stop_server();
  auto closed_after = peer.wait_closed(2s);
  REQUIRE(closed_after.has_value());
  CHECK(*closed_after < 1s);
  CHECK_THROWS(raw_connection(port));
}

TEST_CASE("TLS serves HTTPS with a certificate, keep-alive, and no plain HTTP") {
  const auto identity = ferry::http::testing::make_self_signed("localhost", "DNS:localhost,IP:127.0.0.1");
  ferry::http::testing::temp_file cert(identity.cert_pem), key(identity.key_pem);
  auto options = test_options();
  options.tls_cert_file = cert.path();
  options.tls_key_file = key.path();
  admin_fixture server(options);

  admin_client client(server.port(), true, cert.path());
  auto health = client.send("GET", "/healthz", "", "", std::nullopt);
  REQUIRE(health.ok());
  CHECK(health.res.status == 200);
  CHECK(client.send("GET", "/api/v1/jobs", "", "", std::nullopt).res.status == 401);
  CHECK(client.get("/api/v1/jobs/skusn").res.status == 200);
  CHECK(client.send("PATCH", "/api/v1/jobs/skusn", R"({"paused":true})", "application/json").res.status == 200);
  CHECK(client.connections_opened() == 1);

  admin_client untrusting(server.port(), true);
  CHECK_FALSE(untrusting.get("/healthz").ok());  // not signed by a CA it knows

  raw_connection plain(server.port());
  plain.send(get_request("/healthz"));
  CHECK(status_of(plain.receive(3s, whole_response)) == 0);
}

TEST_CASE("start-up refuses what cannot work") {
  ferry::asio::io_context io;
  ferry::admin::testing::fake_control control;
  auto options = test_options();
  options.token = ferry::core::secret{};
  CHECK_THROWS_AS(ferry::admin::server(io.get_executor(), options, control), std::invalid_argument);

  options = test_options();
  options.tls_cert_file = "/nonexistent/cert.pem";
  CHECK_THROWS_AS(ferry::admin::server(io.get_executor(), options, control), std::invalid_argument);
  options.tls_key_file = "/nonexistent/key.pem";
  ferry::admin::server missing_files(io.get_executor(), options, control);
  CHECK_THROWS_WITH(missing_files.start(), Catch::Contains("/nonexistent/cert.pem"));

  options = test_options();
  options.address = "not-an-address";
  ferry::admin::server bad_address(io.get_executor(), options, control);
  CHECK_THROWS(bad_address.start());

  options = test_options();
  admin_fixture taken;
  options.port = taken.port();
  ferry::admin::server port_in_use(io.get_executor(), options, control);
  CHECK_THROWS(port_in_use.start());
}
