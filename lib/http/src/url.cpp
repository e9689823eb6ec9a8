#include "ferry/http/url.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>

namespace ferry::http {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool is_ipv4(const std::string& text) {
  in_addr address{};
  return inet_pton(AF_INET, text.c_str(), &address) == 1;
}

bool is_ipv6(const std::string& text) {
  in6_addr address{};
  return inet_pton(AF_INET6, text.c_str(), &address) == 1;
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// RFC 3986 pchar minus '%' (checked apart), plus '/'.
bool is_path_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c)) != 0) return true;
  return std::string_view{"-._~!$&'()*+,;=:@/"}.find(c) != std::string_view::npos;
}

std::uint16_t default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

std::optional<std::string> check_scheme(std::string_view text, std::string& error) {
  std::string scheme = to_lower(text);
  if (scheme == "http" || scheme == "https") return scheme;
  error = "unsupported scheme '" + std::string(text) + "' (expected http or https)";
  return std::nullopt;
}

// A host name: letters, digits, '-' and '_' in non-empty dot-separated labels.
// All-numeric names must be valid IPv4 addresses, so "1.2.3" is not looked up.
std::optional<std::string> check_name(std::string_view text, std::string& error) {
  if (text.empty()) {
    error = "host is empty";
    return std::nullopt;
  }
  if (text.find(':') != std::string_view::npos) {
    error = "IPv6 address '" + std::string(text) + "' must be in brackets";
    return std::nullopt;
  }
  const bool allowed = std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
  if (!allowed || text.front() == '.' || text.find("..") != std::string_view::npos) {
    error = "host '" + std::string(text) + "' is not a valid name or address";
    return std::nullopt;
  }
  std::string host = to_lower(text);
  if (host.back() == '.') host.pop_back();  // "example.com." is the same origin
  const bool numeric = std::all_of(host.begin(), host.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '.';
  });
  if (numeric && !is_ipv4(host)) {
    error = "host '" + host + "' is not a valid IPv4 address";
    return std::nullopt;
  }
  return host;
}

std::optional<std::uint16_t> check_port(std::string_view text, std::string& error) {
  if (text.empty()) {
    error = "port is empty";
    return std::nullopt;
  }
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    error = "port '" + std::string(text) + "' is not a number";
    return std::nullopt;
  }
  unsigned long value = 0;
  for (char c : text) {
    value = value * 10 + static_cast<unsigned long>(c - '0');
    if (value > 65535) break;
  }
  if (value == 0 || value > 65535) {
    error = "port " + std::string(text) + " is out of range (1-65535)";
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

// Fills out.host from "[v6]" or "[v6]:port" and points port_text past the ':'.
bool split_bracketed(std::string_view authority, url& out, std::optional<std::string_view>& port_text,
                     std::string& error) {
  const auto close = authority.find(']');
  if (close == std::string_view::npos) {
    error = "IPv6 address is missing its closing ']'";
    return false;
  }
  out.host = to_lower(authority.substr(1, close - 1));
  if (!is_ipv6(out.host)) {
    error = "'" + out.host + "' is not a valid IPv6 address";
    return false;
  }
  const auto rest = authority.substr(close + 1);
  if (!rest.empty() && rest.front() != ':') {
    error = "unexpected '" + std::string(rest) + "' after the IPv6 address";
    return false;
  }
  if (!rest.empty()) port_text = rest.substr(1);
  return true;
}

// Fills host and port from "host", "host:port", "[v6]" or "[v6]:port".
bool split_authority(std::string_view authority, url& out, std::string& error) {
  if (authority.find('@') != std::string_view::npos) {
    error = "user info ('user@host') is not supported; credentials belong in secrets";
    return false;
  }
  std::optional<std::string_view> port_text;
  if (!authority.empty() && authority.front() == '[') {
    if (!split_bracketed(authority, out, port_text, error)) return false;
  } else {
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && authority.find(':') == colon) {
      port_text = authority.substr(colon + 1);
      authority = authority.substr(0, colon);
    }
    auto host = check_name(authority, error);
    if (!host) return false;
    out.host = std::move(*host);
  }
  if (!port_text) {
    out.port = default_port(out.scheme);
    return true;
  }
  const auto port = check_port(*port_text, error);
  if (port) out.port = *port;
  return port.has_value();
}

bool check_path(std::string_view path, std::string& error) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%') {
      if (i + 2 >= path.size() || !is_hex(path[i + 1]) || !is_hex(path[i + 2])) {
        error = "path '" + std::string(path) + "' has a '%' not followed by two hex digits";
        return false;
      }
      i += 2;
    } else if (!is_path_char(path[i])) {
      error = "path '" + std::string(path) + "' has a character that must be percent-encoded";
      return false;
    }
  }
  return true;
}

}  // namespace

bool url::host_is_ip() const { return is_ipv4(host) || is_ipv6(host); }

std::string url::authority() const {
  std::string out = is_ipv6(host) ? "[" + host + "]" : host;
  if (port != default_port(scheme)) out += ":" + std::to_string(port);
  return out;
}

std::optional<url> parse_url(std::string_view text, std::string& error) {
  const auto separator = text.find("://");
  if (separator == std::string_view::npos || separator == 0) {
    error = "'" + std::string(text) + "' has no scheme (expected http:// or https://)";
    return std::nullopt;
  }
  url out;
  auto scheme = check_scheme(text.substr(0, separator), error);
  if (!scheme) return std::nullopt;
  out.scheme = std::move(*scheme);
  const auto rest = text.substr(separator + 3);
  if (rest.find('#') != std::string_view::npos) {
    error = "a fragment ('#...') is not allowed in a base URL";
    return std::nullopt;
  }
  if (rest.find('?') != std::string_view::npos) {
    error = "a query ('?...') is not allowed in a base URL";
    return std::nullopt;
  }
  const auto slash = rest.find('/');
  if (!split_authority(rest.substr(0, slash), out, error)) return std::nullopt;
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (!check_path(path, error)) return std::nullopt;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.base_path = std::string(path);
  return out;
}

std::string make_target(const url& base, std::string_view target) {
  const std::string_view root = base.base_path.empty() ? std::string_view{"/"} : base.base_path;
  if (target.empty()) return std::string(root);
  if (target.front() == '?') return std::string(root) + std::string(target);
  if (target.front() == '/') return base.base_path + std::string(target);
  return base.base_path + "/" + std::string(target);
}

}  // namespace ferry::http
