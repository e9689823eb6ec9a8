#pragma once
// Which HTTP proxy, if any, a call to an origin goes through. Deployments
// send their calls from a fixed egress address (the platform refuses callers
// not on an app's IP whitelist, code 110), through a proxy named in the
// source's config or, as curl and most tools read them, by HTTPS_PROXY /
// HTTP_PROXY (and lower-case) with NO_PROXY exceptions. ferry tunnels every
// proxied call with CONNECT, so TLS runs end to end. Pure; thread-safe.
#include "ferry/http/url.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::http {

// Looks an environment variable up; nullopt when unset.
using env_lookup = std::function<std::optional<std::string>(const char* name)>;
env_lookup process_env();

// Whether NO_PROXY's list (comma or space separated: "*", host names, domain
// suffixes with or without a leading '.', IP literals, each with an optional
// ":port") exempts `origin`.
bool no_proxy_matches(std::string_view list, const url& origin);

// The proxy for `origin`: `configured` when set (a source's "proxy"),
// else the environment's (HTTPS_PROXY for https origins, HTTP_PROXY for
// http ones; NO_PROXY applies to the environment's only). Returns nullopt
// for a direct call. Sets `error` (and returns nullopt) when the proxy URL
// is not http://host[:port] (a path, or https:// proxies are not taken).
std::optional<url> proxy_for(const url& origin, const std::optional<std::string>& configured, const env_lookup& env,
                             std::string& error);

// Checks a proxy URL ("http://host:port"); nullopt and `error` when refused.
std::optional<url> parse_proxy_url(std::string_view text, std::string& error);

}  // namespace ferry::http
