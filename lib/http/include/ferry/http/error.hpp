#pragma once
// The transport failures of ferry's HTTP client, as std::error_code values in
// the category "ferry.http". Every HTTP status is a response, never one of
// these: the caller decides what 429 or 5xx mean. Thread-safe.
#include <string>
#include <system_error>

namespace ferry::http {

enum class errc {
  resolve_failed = 1,    // the host name did not resolve
  connect_failed,        // refused, unreachable, ...
  connect_timeout,       // TCP connect plus TLS handshake took longer than connect_timeout
  tls_handshake_failed,  // TLS failed for a reason other than the peer's certificate
  certificate_rejected,  // chain not trusted, expired, or not issued for the host
  request_timeout,       // writing the request plus reading the response took longer than request_timeout
  connection_closed,     // the peer closed or reset the connection before the response was complete
  body_too_large,        // the response body is over max_body_bytes
  protocol_error,        // the response is not valid HTTP/1.1 (or its header is over 64 KiB)
  invalid_request,       // the request itself cannot be sent (bad method, header, target); never sent
};

const std::error_category& http_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

}  // namespace ferry::http

template <>
struct std::is_error_code_enum<ferry::http::errc> : std::true_type {};
