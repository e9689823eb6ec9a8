#pragma once
// The HTTP/1.1 front of jst-sim: accepts keep-alive connections on one
// io_context and hands every request to the engine.
//
// The server borrows the io_context and the engine, which must outlive it.
// All its work runs on the io_context's thread; run that context from one
// thread only (the engine is not thread-safe). Beast stays inside server.cpp.
#include "ferry/core/asio.hpp"
#include "ferry/sim/engine.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace ferry::sim {

class server {
 public:
  // Binds and listens at once; throws boost::system::system_error on failure.
  server(asio::io_context& context, engine& engine, const std::string& host, std::uint16_t port);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // The bound port (the chosen one when 0 was asked for).
  std::uint16_t port() const;

  // Starts accepting; sessions run until their client leaves or the context stops.
  void start();
  // Stops accepting new connections.
  void stop();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace ferry::sim
