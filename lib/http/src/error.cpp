#include "ferry/http/error.hpp"

namespace ferry::http {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "ferry.http"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::resolve_failed: return "host name did not resolve";
      case errc::connect_failed: return "connect failed";
      case errc::connect_timeout: return "connect timed out";
      case errc::tls_handshake_failed: return "TLS handshake failed";
      case errc::certificate_rejected: return "server certificate rejected";
      case errc::request_timeout: return "request timed out";
      case errc::connection_closed: return "connection closed before the response was complete";
      case errc::body_too_large: return "response body too large";
      case errc::protocol_error: return "malformed HTTP response";
      case errc::invalid_request: return "invalid request";
    }
    return "unknown ferry.http error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& http_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), http_category()}; }

}  // namespace ferry::http
