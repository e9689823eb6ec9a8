#pragma once
// The origin and base path a source talks to ("https://openapi.jushuitan.com",
// "http://127.0.0.1:9400/api"), split from the text in the config. Boost 1.74
// has no Boost.URL, so this is ferry's own small splitter: it accepts only
// what a base URL needs and names whatever else it finds. Pure; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::http {

struct url {
  std::string scheme;     // "http" or "https", lower case
  std::string host;       // lower-case name, IPv4 "127.0.0.1", or IPv6 "::1" (no brackets)
  std::uint16_t port = 0;  // explicit, or 80/443 from the scheme
  std::string base_path;  // "" or "/api": starts with '/', never ends with one

  bool tls() const { return scheme == "https"; }
  // True when host is an IPv4 or IPv6 literal (no DNS lookup, no SNI).
  bool host_is_ip() const;
  // The Host header: "example.com", "example.com:8443", "[::1]:9400" (port left
  // out when it is the scheme's default).
  std::string authority() const;
};

// Splits "scheme://host[:port][/path]". The scheme is http or https (any
// case); the host is a name, an IPv4 address, or an IPv6 address in
// brackets; the port is 1-65535. User info, a query or a fragment is an
// error, as is anything that is not a valid path character. On failure
// returns nullopt and sets `error` to a reason naming the offending part
// ("unsupported scheme 'ftp' (expected http or https)", "port 65536 is out
// of range (1-65535)").
std::optional<url> parse_url(std::string_view text, std::string& error);

// The request-target for `target` under base's path: "/api" + "/open/x".
// An empty target is the base path itself ("/" when there is none); a target
// that does not start with '/' or '?' gets a '/' in between.
std::string make_target(const url& base, std::string_view target);

}  // namespace ferry::http
