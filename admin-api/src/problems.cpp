#include "problems.hpp"

#include "render.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace ferry::admin::detail {
namespace {

using nlohmann::json;

// 400: the request cannot be read into the types the route takes (syntax, a
// missing or unknown key, a JSON type, a query value that is not a number).
// 422: values of the right type that are out of range or inconsistent.
constexpr std::array<problem_type, 19> types{{
    {problem::bad_request, 400, "bad_request", "Malformed request",
     "The request line or target cannot be read (a bad % escape, a malformed HTTP message); the connection is "
     "closed."},
    {problem::bad_json, 400, "bad_json", "Body is not JSON", "The body is not valid JSON."},
    {problem::invalid_body, 400, "invalid_body", "Body does not fit the route",
     "The body is not a JSON object, or a key is missing or unknown, or a value has the wrong JSON type; the "
     "detail names the key."},
    {problem::invalid_query, 400, "invalid_query", "Query does not fit the route",
     "A query parameter is unknown or given twice, or its value is not of the parameter's type (limit=abc)."},
    {problem::unauthorized, 401, "unauthorized", "Token missing or wrong",
     "The route needs Authorization: Bearer <token>, and it was missing or wrong."},
    {problem::not_found, 404, "not_found", "No such route", "No route has this path."},
    {problem::job_not_found, 404, "job_not_found", "No such job",
     "No job has this id, or the id is not 1 to 64 characters of a-z, 0-9 and _."},
    {problem::method_not_allowed, 405, "method_not_allowed", "Method not allowed",
     "The route does not take this method; the Allow header lists the ones it takes."},
    {problem::run_already_queued, 409, "run_already_queued", "A run is already queued",
     "A run was triggered while the job already has one queued."},
    {problem::body_too_large, 413, "body_too_large", "Body too large",
     "The body is over the limit of 64 KiB; the connection is closed."},
    {problem::unsupported_media_type, 415, "unsupported_media_type", "Body is not sent as JSON",
     "A body was sent without Content-Type: application/json."},
    {problem::invalid_limit, 422, "invalid_limit", "Limit out of range", "The limit is not from 1 to 1000."},
    {problem::invalid_range, 422, "invalid_range", "Range refused",
     "A backfill's from or to is not a time, to is not after from, the range covers more windows than a backfill "
     "may, or the job reads by cursor and has no time range."},
    {problem::invalid_state, 422, "invalid_state", "Unknown window state",
     "The state is not complete, incomplete or failed."},
    {problem::invalid_level, 422, "invalid_level", "Unknown log level",
     "The level is not trace, debug, info, warn, error, critical or off."},
    {problem::headers_too_large, 431, "headers_too_large", "Headers too large",
     "The request's headers are over 16 KiB; the connection is closed."},
    {problem::internal, 500, "internal", "Internal error", "A bug in ferryd; its log says what."},
    {problem::not_ready, 503, "not_ready", "Not ready",
     "GET /readyz only: ferryd cannot serve its jobs yet (the detail says why)."},
    {problem::stopping, 503, "stopping", "Shutting down",
     "A trigger or backfill arrived while ferryd shuts down."},
}};

static_assert(types.size() == static_cast<std::size_t>(problem::stopping) + 1, "one type per problem");

std::string escape_html(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::span<const problem_type> problem_types() { return types; }

const problem_type& describe(problem p) {
  const auto& type = types.at(static_cast<std::size_t>(p));
  if (type.kind != p) throw std::logic_error("problem types out of order");
  return type;
}

const problem_type* find_problem(std::string_view code) {
  const auto it = std::find_if(types.begin(), types.end(), [&](const problem_type& t) { return t.code == code; });
  return it == types.end() ? nullptr : &*it;
}

std::string type_uri(const problem_type& type) { return "/problems/" + std::string{type.code}; }

response problem_response(problem p, std::string detail) {
  const auto& type = describe(p);
  const json body = {{"type", type_uri(type)},
                     {"title", type.title},
                     {"status", type.status},
                     {"detail", detail},
                     {"error", {{"code", type.code}, {"message", detail}}}};
  return {type.status, std::string{problem_media_type}, dump(body), {}, std::nullopt};
}

response problem_page(std::string_view code) {
  const auto* type = find_problem(code);
  if (type == nullptr) return problem_response(problem::not_found, "no problem type \"" + std::string{code} + "\"");
  std::string page = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>";
  page += escape_html(type->title);
  page += " - ferry</title></head><body><h1>";
  page += escape_html(type->title);
  page += "</h1>\n<p>HTTP ";
  page += std::to_string(type->status);
  page += ", code <code>";
  page += escape_html(type->code);
  page += "</code></p>\n<p>";
  page += escape_html(type->when);
  page += "</p>\n<p>See docs/admin-api.md, \"Errors\".</p></body></html>\n";
  response r{200, "text/html; charset=utf-8", std::move(page), {}, std::nullopt};
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Content-Security-Policy", "default-src 'none'");
  return r;
}

}  // namespace ferry::admin::detail
