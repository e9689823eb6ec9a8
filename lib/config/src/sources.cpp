#include "sections.hpp"

#include "ferry/http/url.hpp"

#include "ferry/core/time.hpp"

#include <array>
#include <charconv>

namespace ferry::config::detail {
namespace {

using std::chrono::milliseconds;

// The inline secret names are listed so that they are refused by name rather than as unknown.
constexpr std::array<std::string_view, 23> source_keys{
    "type", "base_url", "app_key", "app_secret", "app_secret_env", "app_secret_file", "access_token",
    "access_token_env", "access_token_file", "refresh_token", "refresh_token_env",
    "refresh_token_file", "app_kind", "mint_tokens", "token_expires_at", "rate_limits", "timeout",
    "connect_timeout", "max_in_flight", "max_response_bytes", "retry", "tls", "proxy"};
constexpr std::array<std::string_view, 1> source_types{"jushuitan"};
constexpr std::array<std::string_view, 2> app_kinds{"self_built", "isv"};
constexpr std::array<std::string_view, 2> rate_keys{"calls", "per"};
constexpr std::array<std::string_view, 4> retry_keys{"max_attempts", "base_delay", "max_delay",
                                                     "max_throttle_wait"};
constexpr std::array<std::string_view, 2> tls_keys{"ca_file", "verify"};

// Reads scheme://host[:port][/path] with the parser the client uses
// (http::parse_url), so that what the file check accepts the client can
// call; returns the URL without trailing slashes, or the parser's reason.
std::optional<std::string> normalized_url(std::string url, std::string& reason) {
  if (!http::parse_url(url, reason)) return std::nullopt;
  const auto path_start = std::min(url.find('/', url.find("://") + 3), url.size());
  while (url.size() > path_start && url.back() == '/') url.pop_back();
  return url;
}

std::vector<rate_limit> read_rate_limits(const json& value, const location& where, const load_context& ctx) {
  std::vector<rate_limit> limits;
  if (!value.is_array() || value.empty()) {
    ctx.diag.add(where, value.is_array() ? "empty" : "expected an array, got " + kind_name(value),
                 R"(at least one limit, e.g. [{"calls": 5, "per": "1s"}, {"calls": 100, "per": "1m"}])");
    return limits;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const object_reader r{value[i], where.element(i), ctx.diag, rate_keys};
    if (!r.is_object()) continue;
    const auto calls = r.integer("calls", 1, 100000);
    const auto per = r.duration("per", milliseconds{1});
    if (r.find("calls") == nullptr) r.report("calls", "required", "how many calls, e.g. 5");
    if (r.find("per") == nullptr) r.report("per", "required", "in how long, e.g. \"1s\"");
    if (calls && per) limits.push_back({static_cast<std::uint32_t>(*calls), *per});
  }
  return limits;
}

retry_config read_retry(const json& value, const location& where, const load_context& ctx) {
  const object_reader r{value, where, ctx.diag, retry_keys};
  retry_config retry;
  assign(retry.max_attempts, r.integer("max_attempts", 1, 100));
  assign(retry.base_delay, r.duration("base_delay", milliseconds{1}));
  assign(retry.max_delay, r.duration("max_delay", milliseconds{1}));
  assign(retry.max_throttle_wait, r.duration("max_throttle_wait", milliseconds{0}));
  if (retry.base_delay > retry.max_delay)
    r.report(r.find("max_delay") != nullptr ? "max_delay" : "base_delay",
             "max_delay is shorter than base_delay",
             "make max_delay at least " + core::format_duration(retry.base_delay));
  return retry;
}

source_tls read_tls(const json& value, const location& where, const load_context& ctx) {
  const object_reader r{value, where, ctx.diag, tls_keys};
  source_tls tls;
  tls.ca_file = r.ca_bundle("ca_file", ctx.base_dir);
  assign(tls.verify, r.boolean("verify"));
  return tls;
}

void read_identity(const object_reader& r, source_config& s, const load_context& ctx) {
  r.choice("type", source_types);
  if (r.find("type") == nullptr) r.report("type", "required", "the platform; only \"jushuitan\" for now");
  if (const auto url = r.string("base_url", "e.g. \"https://openapi.jushuitan.com\"")) {
    std::string reason;
    if (auto normal = normalized_url(*url, reason))
      s.base_url = std::move(*normal);
    else
      r.report("base_url", json(*url).dump() + ": " + reason, "e.g. \"https://openapi.jushuitan.com\"");
  }
  if (const auto key = r.string("app_key", "the application's key (not secret)")) {
    if (key->empty()) r.report("app_key", "empty", "the application's key from the open platform");
    s.app_key = *key;
  }
  if (auto v = read_secret(r, "app_secret", true, "the application's secret", ctx))
    s.app_secret = std::move(*v);
  if (const auto kind = r.choice("app_kind", app_kinds)) s.kind = *kind == 0 ? app_kind::self_built : app_kind::isv;
  assign(s.mint_tokens, r.boolean("mint_tokens"));
  if (s.mint_tokens && s.kind == app_kind::isv)
    r.report("mint_tokens", "a service-provider (isv) app cannot mint tokens (getInitToken is for self-built apps)",
             "remove mint_tokens, or set app_kind to \"self_built\" if the app is your own");
  s.token_expires_at = r.datetime("token_expires_at");
  // A self-built app that mints its own tokens needs none to start with.
  if (auto v = read_secret(r, "access_token", !s.mint_tokens, "the access token", ctx)) s.access_token = std::move(*v);
  s.refresh_token = read_secret(r, "refresh_token", false, "the refresh token", ctx);
}

// "http://host:port" (calls are tunnelled with CONNECT), or "" for direct
// calls whatever HTTPS_PROXY says; absent: the environment decides.
void read_proxy(const object_reader& r, source_config& s) {
  const auto text = r.string("proxy");
  if (!text) return;
  if (text->empty()) {
    s.proxy = std::string{};
    return;
  }
  std::string reason;
  const auto normal = normalized_url(*text, reason);
  const auto path = normal ? normal->find('/', normal->find("://") + 3) : std::string::npos;
  if (!normal) r.report("proxy", json(*text).dump() + ": " + reason, "e.g. \"http://10.0.0.5:3128\"");
  else if (normal->starts_with("https://"))
    r.report("proxy", json(*text).dump() + " is an https:// proxy",
             "give the proxy's http:// address: calls are tunnelled with CONNECT, so TLS still runs end to end");
  else if (path != std::string::npos)
    r.report("proxy", json(*text).dump() + " has a path", "give http://host:port");
  else
    s.proxy = *normal;
}

source_config read_source(const json& value, const location& where, const load_context& ctx) {
  const object_reader r{value, where, ctx.diag, source_keys};
  source_config s;
  if (!r.is_object()) return s;
  read_identity(r, s, ctx);
  if (const auto* limits = r.find("rate_limits"))
    s.rate_limits = read_rate_limits(*limits, r.at("rate_limits"), ctx);
  assign(s.timeout, r.duration("timeout", milliseconds{1}));
  assign(s.connect_timeout, r.duration("connect_timeout", milliseconds{1}));
  assign(s.max_in_flight, r.integer("max_in_flight", 1, 64));
  assign(s.max_response_bytes, r.integer("max_response_bytes", 1024, 1073741824));
  if (const auto* retry = r.find("retry")) s.retry = read_retry(*retry, r.at("retry"), ctx);
  if (const auto* tls = r.find("tls")) s.tls = read_tls(*tls, r.at("tls"), ctx);
  read_proxy(r, s);
  return s;
}

}  // namespace

std::vector<source_config> read_sources(const json& value, const location& where, const load_context& ctx) {
  std::vector<source_config> sources;
  if (!value.is_object() || value.empty()) {
    ctx.diag.add(where, value.is_object() ? "empty" : "expected an object, got " + kind_name(value),
                 R"(name each source, e.g. {"jst": {"type": "jushuitan", ...}})");
    return sources;
  }
  std::size_t index = 0;
  for (const auto& [name, body] : value.items()) {
    const auto at = where.member(name, index++);
    if (!is_name(name))
      ctx.diag.add(at, json(name).dump() + " is not a valid source name",
                   "lowercase letters, digits and '_', at most 64");
    auto source = read_source(body, at, ctx);
    source.name = name;
    sources.push_back(std::move(source));
  }
  return sources;
}

}  // namespace ferry::config::detail
