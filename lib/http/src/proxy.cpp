#include "ferry/http/proxy.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace ferry::http {
namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::optional<std::string> first_set(const env_lookup& env, std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (auto value = env(name); value && !value->empty()) return value;
  return std::nullopt;
}

// One NO_PROXY entry against a host and port.
bool entry_matches(std::string entry, const url& origin) {
  if (entry == "*") return true;
  if (!entry.empty() && entry.front() == '[') {  // [::1]:port
    const auto close = entry.find(']');
    if (close == std::string::npos) return false;
    const auto rest = entry.substr(close + 1);
    if (!rest.empty() && rest != ":" + std::to_string(origin.port)) return false;
    entry = entry.substr(1, close - 1);
    return lower(entry) == origin.host;
  }
  if (const auto colon = entry.rfind(':'); colon != std::string::npos && entry.find(':') == colon) {
    if (entry.substr(colon + 1) != std::to_string(origin.port)) return false;
    entry = entry.substr(0, colon);
  }
  entry = lower(entry);
  if (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
  if (entry.empty()) return false;
  if (origin.host == entry) return true;
  // A domain covers its sub-domains: "example.com" matches "api.example.com".
  return !origin.host_is_ip() && origin.host.size() > entry.size() &&
         origin.host.compare(origin.host.size() - entry.size(), entry.size(), entry) == 0 &&
         origin.host[origin.host.size() - entry.size() - 1] == '.';
}

}  // namespace

env_lookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string{value};
  };
}

bool no_proxy_matches(std::string_view list, const url& origin) {
  std::string entry;
  for (std::size_t i = 0; i <= list.size(); ++i) {
    const char c = i < list.size() ? list[i] : ',';
    if (c == ',' || c == ' ' || c == '\t') {
      if (!entry.empty() && entry_matches(entry, origin)) return true;
      entry.clear();
    } else {
      entry.push_back(c);
    }
  }
  return false;
}

std::optional<url> parse_proxy_url(std::string_view text, std::string& error) {
  // A bare "host:port", as some environments set it, means http://.
  std::string full{text};
  if (full.find("://") == std::string::npos) full = "http://" + full;
  auto parsed = parse_url(full, error);
  if (!parsed) return std::nullopt;
  if (parsed->tls()) {
    error = "an https:// proxy is not supported: give the proxy's http:// address (calls are tunnelled with CONNECT, "
            "so TLS still runs end to end)";
    return std::nullopt;
  }
  if (!parsed->base_path.empty()) {
    error = "a proxy URL has no path: give http://host:port";
    return std::nullopt;
  }
  return parsed;
}

std::optional<url> proxy_for(const url& origin, const std::optional<std::string>& configured, const env_lookup& env,
                             std::string& error) {
  if (configured) {
    if (configured->empty()) return std::nullopt;  // "proxy": "" calls directly whatever the environment says
    return parse_proxy_url(*configured, error);
  }
  const auto value = origin.tls() ? first_set(env, {"HTTPS_PROXY", "https_proxy"})
                                  : first_set(env, {"HTTP_PROXY", "http_proxy"});
  if (!value) return std::nullopt;
  if (const auto exempt = first_set(env, {"NO_PROXY", "no_proxy"}); exempt && no_proxy_matches(*exempt, origin))
    return std::nullopt;
  auto parsed = parse_proxy_url(*value, error);
  if (!parsed) error = std::string{origin.tls() ? "HTTPS_PROXY" : "HTTP_PROXY"} + ": " + error;
  return parsed;
}

}  // namespace ferry::http
