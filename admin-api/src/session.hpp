#pragma once
// One admin connection's life (session.cpp, the only Beast code besides
// server.cpp): optional TLS handshake, then keep-alive requests answered by
// the router, each bounded by the read or idle timeout, until the peer
// closes, a timeout fires, an error answer closes it, or stop() closes it.
// Everything here runs on the server's strand.
#include "ferry/core/asio.hpp"
#include "router.hpp"

#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <map>

namespace ferry::admin::detail {

// Live connections' sockets, so stop() can close them. Strand only.
class connection_set {
 public:
  std::uint64_t add(asio::ip::tcp::socket& socket);
  void remove(std::uint64_t id) { sockets_.erase(id); }
  void close_all();
  std::size_t size() const { return sockets_.size(); }

 private:
  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, asio::ip::tcp::socket*> sockets_;
};

// Serves one accepted connection; HTTPS when `tls` is not null.
asio::awaitable<void> serve(asio::ip::tcp::socket socket, asio::ssl::context* tls, const server_options& options,
                            router& routes, connection_set& connections);

}  // namespace ferry::admin::detail
