#include "assets.hpp"

#include "problems.hpp"
#include "router.hpp"

#include <algorithm>

namespace ferry::admin::detail {
namespace {

// The page and its files come from ferryd only; its scripts may talk to
// ferryd only; nothing may frame it.
constexpr const char* content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace

const embedded_asset* find_asset(std::string_view name) {
  const auto all = embedded_assets();
  const auto it = std::find_if(all.begin(), all.end(), [&](const embedded_asset& a) { return a.name == name; });
  return it == all.end() ? nullptr : &*it;
}

bool is_page_route(const target& t) {
  return t.path == "/" || (t.segments.size() == 2 && t.segments[0] == "static");
}

response page_response(const request& req, const target& t) {
  const bool page = t.path == "/";
  const auto* asset = find_asset(page ? std::string_view{} : std::string_view{t.segments[1]});
  if (!asset || (!page && asset->name.empty())) return problem_response(problem::not_found, "no route " + t.path);
  if (req.method != "GET") {
    auto r = problem_response(problem::method_not_allowed, req.method + " is not allowed here; use GET, HEAD");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  // A file asked for by the version the page links is immutable; the page
  // itself, and any other version, is checked again on every load.
  const bool versioned = !page && std::any_of(t.query.begin(), t.query.end(), [&](const auto& q) {
    return q.first == "v" && q.second == asset->version;
  });
  response r{200, std::string(asset->content_type), std::string(asset->body), {}, std::nullopt};
  r.headers.emplace_back("Cache-Control", versioned ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("Content-Security-Policy", content_security_policy);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

}  // namespace ferry::admin::detail
