// ferry::http::client when the network fails: names that do not resolve,
// ports nobody listens on, peers that never complete a connect, a handshake
// or a response.
#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

#include "harness.hpp"
#include "test_server.hpp"

namespace {

using namespace ferry::http;
using namespace ferry::http::testing;
using namespace std::chrono_literals;
using ferry::asio::io_context;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a server that never answers runs into request_timeout") {
  test_server server;
  reply silent;
  silent.what = reply::action::never_answer;
  server.set_default(silent);
  io_context context;
  client_options options;
  options.request_timeout = 300ms;
  client c(context.get_executor(), options);
  const auto start = std::chrono::steady_clock::now();
  const result r = send_one(context, c, local_url(server.port()), post("/slow", "a=1"));
  const double elapsed = seconds_since(start);
  CHECK(r.error == errc::request_timeout);
  CHECK(r.detail.find("300 ms") != std::string::npos);
  CHECK(elapsed >= 0.25);
  CHECK(elapsed < 5.0);
  CHECK(c.idle_connections() == 0);
}

TEST_CASE("connecting to a closed port fails quickly with connect_failed") {
  std::uint16_t port = 0;
  {
    io_context probe;
    ferry::asio::ip::tcp::acceptor acceptor(probe, {ferry::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }  // closed again: nothing listens there now
  io_context context;
  client c(context.get_executor(), {});
  const auto start = std::chrono::steady_clock::now();
  const result r = send_one(context, c, local_url(port), get("/"));
  CHECK(r.error == errc::connect_failed);
  CHECK(r.detail == "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
  CHECK(seconds_since(start) < 5.0);
  CHECK(c.connections_opened() == 0);
}

TEST_CASE("a host name that does not resolve is resolve_failed") {
  io_context context;
  client c(context.get_executor(), {});
  const result r = send_one(context, c, local_url(80, "http", "ferry-no-such-host.invalid"), get("/"));
  CHECK(r.error == errc::resolve_failed);
  CHECK(r.detail.find("resolve ferry-no-such-host.invalid: ") == 0);
}

TEST_CASE("a connect the listener never completes runs into connect_timeout") {
  using ferry::asio::ip::tcp;
  io_context context;
  // A listener whose accept queue is full drops further SYNs, so a connect hangs.
  tcp::acceptor full(context);
  full.open(tcp::v4());
  full.bind({ferry::asio::ip::make_address("127.0.0.1"), 0});
  full.listen(0);
  std::vector<tcp::socket> fillers;
  fillers.reserve(3);
  for (int i = 0; i < 3; ++i) {
    fillers.emplace_back(context).async_connect(full.local_endpoint(), [](const boost::system::error_code&) {});
  }
  ferry::asio::steady_timer settle(context, 100ms);
  settle.async_wait([&fillers](const boost::system::error_code&) {
    for (auto& socket : fillers) socket.close();
  });
  context.run();

  client_options options;
  options.connect_timeout = 300ms;
  client c(context.get_executor(), options);
  const auto start = std::chrono::steady_clock::now();
  const result r = send_one(context, c, local_url(full.local_endpoint().port()), get("/"));
  CHECK(r.error == errc::connect_timeout);
  CHECK(r.detail.find("no answer within 300 ms") != std::string::npos);
  CHECK(seconds_since(start) < 5.0);
}

TEST_CASE("a TLS peer that never answers the handshake runs into connect_timeout") {
  io_context context;
  // Listening but never accepting: the kernel completes TCP, nobody speaks TLS.
  ferry::asio::ip::tcp::acceptor silent(context, {ferry::asio::ip::make_address("127.0.0.1"), 0});
  client_options options;
  options.connect_timeout = 300ms;
  client c(context.get_executor(), options);
  const auto start = std::chrono::steady_clock::now();
  const result r = send_one(context, c, local_url(silent.local_endpoint().port(), "https", "localhost"), get("/"));
  CHECK(r.error == errc::connect_timeout);
  CHECK(r.detail.find("tls handshake with localhost:") == 0);
  CHECK(seconds_since(start) < 5.0);
}
