#pragma once
// The Beast side of detail::connection and detail::tls_settings. Included by
// connect.cpp and exchange.cpp only: each Beast translation unit is slow to build.
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>
#include <string>

#include "connection.hpp"

namespace ferry::http::detail {

namespace beast = boost::beast;

struct tls_settings::impl {
  asio::ssl::context context{asio::ssl::context::tls_client};
  bool verify_peer = true;
};

struct connection::impl {
  std::optional<beast::tcp_stream> plain;  // exactly one of plain and secure is engaged
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;  // bytes read past the last parsed response
  std::string origin;         // origin_of(url)

  beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
};

}  // namespace ferry::http::detail
