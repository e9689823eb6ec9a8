// Fuzz target: the admin API's request handling (ferry::admin::answer, what
// the server runs for every request Beast has read) against an in-memory
// control. Input: "METHOD TARGET", then "Name: value" header lines, an empty
// line and the body, like an HTTP/1.1 request. Invariants: the handler never
// throws and never answers 500 (this control never fails); the status is one
// the API documents; every JSON answer parses and every error is an RFC 9457
// problem (type "/problems/<code>", title, the answer's status, detail) with
// {"error": {"code", "message"}} beside it; an /api route without the right
// bearer token gets 401 with WWW-Authenticate, and a 405 says Allow; HEAD
// answers with no body; the control is only called with valid job ids and
// limits.
#include "fuzz_check.hpp"

#include "memory_control.hpp"

#include "ferry/admin/handler.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>

namespace {

namespace admin = ferry::admin;
namespace asio = ferry::asio;
using ferry::fuzz::as_text;
using nlohmann::json;

constexpr std::string_view token = "fuzz-token";

std::string_view next_line(std::string_view& text) {
  const auto end = text.find('\n');
  auto line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The request, and whether GET /metrics needs the token (header "X-Fuzz-Metrics-Token: on").
admin::request parse(std::string_view text, bool& metrics_token) {
  admin::request req;
  const auto start = next_line(text);
  const auto space = start.find(' ');
  req.method = std::string{start.substr(0, space)};
  if (space != std::string_view::npos) req.target = std::string{start.substr(space + 1)};
  for (auto line = next_line(text); !line.empty(); line = next_line(text)) {
    const auto colon = line.find(':');
    const auto name = line.substr(0, colon);
    auto value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    while (value.starts_with(' ')) value.remove_prefix(1);
    if (same_name(name, "authorization")) req.authorization = std::string{value};
    if (same_name(name, "content-type")) req.content_type = std::string{value};
    if (same_name(name, "x-fuzz-metrics-token")) metrics_token = value == "on";
  }
  req.body = std::string{text};
  return req;
}

admin::response run(const admin::server_options& options, admin::control& c, const admin::request& req) {
  asio::io_context io;
  std::optional<admin::response> out;
  std::exception_ptr failure;
  asio::co_spawn(io, admin::answer(options, c, req), [&](std::exception_ptr e, admin::response r) {
    failure = e;
    out = std::move(r);
  });
  io.run();
  FUZZ_CHECK(!failure && out.has_value(), req.target);
  return std::move(*out);
}

bool has_header(const admin::response& res, std::string_view name) {
  return std::any_of(res.headers.begin(), res.headers.end(), [&](const auto& h) { return same_name(h.first, name); });
}

bool is_api_path(std::string_view target) {
  const auto path = target.substr(0, target.find('?'));
  return path == "/api" || path.starts_with("/api/");
}

bool has_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  return authorization.size() > scheme.size() && same_name(authorization.substr(0, scheme.size()), scheme) &&
         authorization.substr(scheme.size()) == token;
}

void check_json(const admin::response& res) {
  const auto body = json::parse(res.body, nullptr, false);
  FUZZ_CHECK(!body.is_discarded(), res.body);
  FUZZ_CHECK(res.status < 400, res.body);
}

void check_problem(const admin::request& req, const admin::response& res) {
  FUZZ_CHECK(res.status >= 400, res.body);
  const auto body = json::parse(res.body, nullptr, false);
  FUZZ_CHECK(body.is_object() && body.size() == 5 && body.contains("error"), res.body);
  const auto& error = body["error"];
  FUZZ_CHECK(error.is_object() && error.size() == 2, res.body);
  FUZZ_CHECK(error.contains("code") && error["code"].is_string(), res.body);
  FUZZ_CHECK(error.contains("message") && error["message"].is_string(), res.body);
  FUZZ_CHECK(body.contains("type") && body["type"] == "/problems/" + error["code"].get<std::string>(), res.body);
  FUZZ_CHECK(body.contains("title") && body["title"].is_string(), res.body);
  FUZZ_CHECK(body.contains("status") && body["status"] == res.status, res.body);
  FUZZ_CHECK(body.contains("detail") && body["detail"] == error["message"], res.body);
  if (res.status == 401) FUZZ_CHECK(has_header(res, "WWW-Authenticate"), req.target);
  if (res.status == 405) FUZZ_CHECK(has_header(res, "Allow"), req.target);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bool metrics_token = false;
  const auto req = parse(as_text(data, size), metrics_token);
  admin::server_options options;
  options.token = ferry::core::secret{std::string{token}};
  options.metrics_need_token = metrics_token;
  ferry::fuzz::memory_control control;
  auto res = run(options, control, req);
  if (req.method == "HEAD") {
    // HEAD is GET without the body: the same status, type and headers, GET's length. The checks
    // below then look at GET's answer, body and all.
    auto get = req;
    get.method = "GET";
    auto full = run(options, control, get);
    FUZZ_CHECK(res.body.empty() && res.head_length == full.body.size(), req.target);
    FUZZ_CHECK(res.status == full.status && res.content_type == full.content_type && res.headers == full.headers,
               req.target);
    res = std::move(full);
  } else {
    FUZZ_CHECK(!res.head_length, req.target);
  }
  constexpr std::array<unsigned, 10> statuses{200, 202, 400, 401, 404, 405, 409, 415, 422, 503};
  FUZZ_CHECK(std::find(statuses.begin(), statuses.end(), res.status) != statuses.end(),
             std::to_string(res.status) + " " + res.body);
  // Without the token an /api route answers 401, or 400 to a target that is not a path at all.
  if (is_api_path(req.target) && !has_token(req.authorization))
    FUZZ_CHECK(res.status == 401 || res.body.find("\"bad_request\"") != std::string::npos, res.body);
  if (res.content_type == "application/json") check_json(res);
  if (res.content_type == "application/problem+json") check_problem(req, res);
  if (res.status >= 400) FUZZ_CHECK(res.content_type == "application/problem+json", res.content_type);
  if (is_api_path(req.target)) {
    FUZZ_CHECK(res.content_type == "application/json" || res.content_type == "application/problem+json",
               res.content_type);
  }
  return 0;
}
