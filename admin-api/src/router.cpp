#include "router.hpp"

#include "log.hpp"
#include "problems.hpp"
#include "render.hpp"
#include "target.hpp"

#include "ferry/core/time_range.hpp"
#include "ferry/core/version.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <variant>

namespace ferry::admin::detail {
namespace {

using nlohmann::json;

response json_response(unsigned status, const json& body) { return {status, "application/json", dump(body), {}, std::nullopt}; }

response refused(refusal r) { return problem_response(problem_of(r.kind), std::move(r.message)); }

// The control's value rendered with `status`, or its refusal.
template <class T>
response from_result(result<T> r, unsigned status = 200) {
  if (auto* no = std::get_if<refusal>(&r)) return refused(std::move(*no));
  return json_response(status, to_json(std::get<T>(r)));
}

// A listing: {"<key>": [...]}.
template <class T>
response from_list(result<std::vector<T>> r, const char* key) {
  if (auto* no = std::get_if<refusal>(&r)) return refused(std::move(*no));
  json items = json::array();
  for (const auto& item : std::get<std::vector<T>>(r)) items.push_back(to_json(item));
  return json_response(200, {{key, std::move(items)}});
}

// `allow` as the Allow header lists it: HEAD wherever GET is.
response method_not_allowed(const request& req, std::string allow) {
  auto r = problem_response(problem::method_not_allowed, req.method + " is not allowed here; use " + allow);
  r.headers.emplace_back("Allow", std::move(allow));
  return r;
}

bool allowed(const request& req, std::initializer_list<std::string_view> methods) {
  return std::find(methods.begin(), methods.end(), req.method) != methods.end();
}

response bad_job_id() {
  return problem_response(problem::job_not_found, "job ids are 1 to 64 characters of a-z, 0-9 and _");
}

// Every query key must be one the route knows, given once.
std::optional<response> check_query(const target& t, std::initializer_list<std::string_view> keys) {
  for (std::size_t i = 0; i < t.query.size(); ++i) {
    const auto& key = t.query[i].first;
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      return problem_response(problem::invalid_query, "unknown query parameter \"" + key + "\"");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (t.query[j].first == key) {
        return problem_response(problem::invalid_query, "query parameter \"" + key + "\" given twice");
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> query_value(const target& t, std::string_view key) {
  for (const auto& [k, v] : t.query) {
    if (k == key) return v;
  }
  return std::nullopt;
}

bool is_json_media_type(std::string_view content_type) {
  auto media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  constexpr std::string_view json_type = "application/json";
  return media.size() == json_type.size() &&
         std::equal(media.begin(), media.end(), json_type.begin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

// The body as a JSON object, or the 415/400 that refuses it.
std::variant<json, response> json_object(const request& req) {
  if (!is_json_media_type(req.content_type)) {
    return problem_response(problem::unsupported_media_type, "the body must be sent as Content-Type: application/json");
  }
  auto body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return problem_response(problem::bad_json, "the body is not valid JSON");
  if (!body.is_object()) return problem_response(problem::invalid_body, "the body must be a JSON object");
  return body;
}

std::optional<response> check_keys(const json& body, std::initializer_list<std::string_view> keys) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      return problem_response(problem::invalid_body, "unknown key \"" + key + "\"");
    }
  }
  return std::nullopt;
}

std::optional<response> need_string(const json& body, const char* key) {
  if (!body.contains(key)) return problem_response(problem::invalid_body, std::string("\"") + key + "\" is required");
  if (!body[key].is_string()) {
    return problem_response(problem::invalid_body, std::string("\"") + key + "\" must be a string");
  }
  return std::nullopt;
}

std::string sha256(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest.data()), size);
}

}  // namespace

bool token_matches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) return false;
  }
  // Comparing digests keeps the time independent of where, and whether, the lengths differ.
  const auto given = sha256(authorization.substr(scheme.size()));
  const auto expected = sha256(token);
  return CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

asio::awaitable<response> router::handle(const request& req) {
  if (req.method != "HEAD") co_return co_await answer(req);
  // HEAD is GET without the body: the same status and headers, and the
  // Content-Length GET's body would have.
  request get = req;
  get.method = "GET";
  auto r = co_await answer(get);
  r.head_length = r.body.size();
  r.body.clear();
  co_return r;
}

asio::awaitable<response> router::answer(const request& req) {
  auto t = parse_target(req.target);
  if (!t) co_return problem_response(problem::bad_request, "the request target is not a valid path");
  try {
    co_return co_await dispatch(req, *t);
  } catch (const std::exception& e) {
    logger()->error("method={} path={} failed: {}", req.method, t->path, e.what());
  }
  co_return problem_response(problem::internal, "internal error; see ferryd's log");
}

asio::awaitable<response> router::dispatch(const request& req, const target& t) {
  const auto& s = t.segments;
  const bool single = s.size() == 1;
  if (single && (s[0] == "healthz" || s[0] == "readyz" || s[0] == "metrics")) {
    if (!allowed(req, {"GET"})) co_return method_not_allowed(req, "GET, HEAD");
    if (s[0] == "healthz") co_return response{200, "application/json", R"({"status":"ok"})", {}, std::nullopt};
    if (s[0] == "readyz") co_return co_await ready();
    if (options_.metrics_need_token && !token_matches(req.authorization, options_.token.reveal())) {
      auto r = problem_response(problem::unauthorized, "GET /metrics needs Authorization: Bearer <token>");
      r.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="ferry")");
      co_return r;
    }
    co_return metrics();
  }
  if (!s.empty() && s[0] == "api") co_return co_await api(req, t);
  if (s.size() == 2 && s[0] == "problems") {
    if (!allowed(req, {"GET"})) co_return method_not_allowed(req, "GET, HEAD");
    if (auto bad = check_query(t, {})) co_return *bad;
    co_return problem_page(s[1]);
  }
  if (is_page_route(t)) co_return page_response(req, t);
  co_return problem_response(problem::not_found, "no route " + t.path);
}

asio::awaitable<response> router::ready() {
  auto reason = co_await control_.not_ready_reason();
  if (reason) co_return problem_response(problem::not_ready, std::move(*reason));
  co_return response{200, "application/json", R"({"status":"ready"})", {}, std::nullopt};
}

response router::metrics() {
  return {200, "text/plain; version=0.0.4; charset=utf-8", control_.metrics_text(), {}, std::nullopt};
}

// Every /api route needs the token, unknown ones too: no probing without it.
asio::awaitable<response> router::api(const request& req, const target& t) {
  if (!token_matches(req.authorization, options_.token.reveal())) {
    const bool missing = req.authorization.empty();
    auto r = problem_response(problem::unauthorized,
                              missing ? "this route needs Authorization: Bearer <token>" : "the bearer token is wrong");
    r.headers.emplace_back("WWW-Authenticate",
                           missing ? R"(Bearer realm="ferry")" : R"(Bearer realm="ferry", error="invalid_token")");
    co_return r;
  }
  const auto& s = t.segments;
  if (s.size() >= 3 && s[1] == "v1" && s[2] == "jobs") co_return co_await job_route(req, t);
  if (s.size() == 3 && s[1] == "v1" && s[2] == "log-level") {
    if (!allowed(req, {"PUT"})) co_return method_not_allowed(req, "PUT");
    if (auto bad = check_query(t, {})) co_return *bad;
    co_return log_level(req);
  }
  if (s.size() == 3 && s[1] == "v1" && s[2] == "version") {
    if (!allowed(req, {"GET"})) co_return method_not_allowed(req, "GET, HEAD");
    if (auto bad = check_query(t, {})) co_return *bad;
    co_return version();
  }
  co_return problem_response(problem::not_found, "no route " + t.path);
}

response router::version() {
  const auto git = core::git_describe();
  return json_response(200, {{"version", core::version()},
                             {"git", git.empty() ? json(nullptr) : json(git)},
                             {"api", "v1"}});
}

asio::awaitable<response> router::job_route(const request& req, const target& t) {
  const auto& s = t.segments;  // api v1 jobs [id [runs|backfills|windows]]
  if (s.size() == 3) {
    if (!allowed(req, {"GET"})) co_return method_not_allowed(req, "GET, HEAD");
    if (auto bad = check_query(t, {})) co_return *bad;
    co_return from_list(result<std::vector<job_view>>{co_await control_.list_jobs()}, "jobs");
  }
  if (s.size() > 5 || (s.size() == 5 && s[4] != "runs" && s[4] != "backfills" && s[4] != "windows")) {
    co_return problem_response(problem::not_found, "no route " + t.path);
  }
  const auto& id = s[3];
  if (s.size() == 5 && s[4] == "runs") co_return co_await runs(req, t, id);
  if (s.size() == 5 && s[4] == "windows") {
    if (!allowed(req, {"GET"})) co_return method_not_allowed(req, "GET, HEAD");
    co_return co_await windows(t, id);
  }
  if (s.size() == 5) {
    if (!allowed(req, {"POST"})) co_return method_not_allowed(req, "POST");
    if (auto bad = check_query(t, {})) co_return *bad;
    co_return co_await backfills(req, id);
  }
  if (!allowed(req, {"GET", "PATCH"})) co_return method_not_allowed(req, "GET, HEAD, PATCH");
  if (!valid_job_id(id)) co_return bad_job_id();
  if (auto bad = check_query(t, {})) co_return *bad;
  if (req.method == "GET") co_return from_result(co_await control_.get_job(id));
  co_return co_await patch_job(req, id);
}

asio::awaitable<response> router::patch_job(const request& req, const std::string& id) {
  auto body = json_object(req);
  if (auto* refused = std::get_if<response>(&body)) co_return std::move(*refused);
  const auto& object = std::get<json>(body);
  if (auto bad = check_keys(object, {"paused"})) co_return *bad;
  if (!object.contains("paused")) co_return problem_response(problem::invalid_body, "\"paused\" is required");
  if (!object["paused"].is_boolean()) {
    co_return problem_response(problem::invalid_body, "\"paused\" must be true or false");
  }
  co_return from_result(co_await control_.set_paused(id, object["paused"].get<bool>()));
}

asio::awaitable<response> router::runs(const request& req, const target& t, const std::string& id) {
  if (!allowed(req, {"GET", "POST"})) co_return method_not_allowed(req, "GET, HEAD, POST");
  if (!valid_job_id(id)) co_return bad_job_id();
  if (req.method == "POST") {
    if (auto bad = check_query(t, {})) co_return *bad;
    // A trigger takes no parameters: no body, or an empty JSON object.
    if (!req.body.empty()) {
      auto body = json_object(req);
      if (auto* refused = std::get_if<response>(&body)) co_return std::move(*refused);
      if (auto bad = check_keys(std::get<json>(body), {})) co_return *bad;
    }
    co_return from_result(co_await control_.trigger(id), 202);
  }
  if (auto bad = check_query(t, {"limit"})) co_return *bad;
  run_query query;
  if (auto text = query_value(t, "limit")) {
    const auto* end = text->data() + text->size();
    // An integer (optionally signed) is of limit's type; one out of 1..1000 is not a limit.
    const auto* digits = text->data() + (text->starts_with('-') ? 1 : 0);
    auto [ptr, ec] = std::from_chars(text->data(), end, query.limit);
    const bool integer = digits != end && std::all_of(digits, end, [](char c) { return c >= '0' && c <= '9'; });
    if (!integer) co_return problem_response(problem::invalid_query, "\"limit\" must be an integer");
    if (ec != std::errc{} || ptr != end || query.limit < 1 || query.limit > 1000) {
      co_return problem_response(problem::invalid_limit, "\"limit\" must be from 1 to 1000");
    }
  }
  co_return from_list(co_await control_.list_runs(id, query), "runs");
}

asio::awaitable<response> router::backfills(const request& req, const std::string& id) {
  if (!valid_job_id(id)) co_return bad_job_id();
  auto body = json_object(req);
  if (auto* refused = std::get_if<response>(&body)) co_return std::move(*refused);
  const auto& object = std::get<json>(body);
  if (auto bad = check_keys(object, {"from", "to", "dry_run"})) co_return *bad;
  if (auto bad = need_string(object, "from")) co_return *bad;
  if (auto bad = need_string(object, "to")) co_return *bad;
  bool dry_run = false;
  if (object.contains("dry_run")) {
    if (!object["dry_run"].is_boolean()) {
      co_return problem_response(problem::invalid_body, "\"dry_run\" must be true or false");
    }
    dry_run = object["dry_run"].get<bool>();
  }
  std::string range_error;
  const auto range = core::parse_time_range(object["from"].get<std::string>(), object["to"].get<std::string>(),
                                            {"from", "to"}, range_error);
  if (!range) co_return problem_response(problem::invalid_range, std::move(range_error));
  auto receipt = co_await control_.backfill(id, {{range->start, range->end}, dry_run});
  co_return from_result(std::move(receipt), dry_run ? 200 : 202);
}

asio::awaitable<response> router::windows(const target& t, const std::string& id) {
  if (!valid_job_id(id)) co_return bad_job_id();
  if (auto bad = check_query(t, {"state"})) co_return *bad;
  window_query query;
  if (auto text = query_value(t, "state")) {
    query.state = core::parse_window_state(*text);
    if (!query.state) co_return problem_response(problem::invalid_state, "state must be complete, incomplete or failed");
  }
  co_return from_list(co_await control_.list_windows(id, query), "windows");
}

response router::log_level(const request& req) {
  auto body = json_object(req);
  if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
  const auto& object = std::get<json>(body);
  if (auto bad = check_keys(object, {"level"})) return *bad;
  if (auto bad = need_string(object, "level")) return *bad;
  const auto text = object["level"].get<std::string>();
  const auto level = parse_log_level(text);
  if (!level)
    return problem_response(problem::invalid_level, "level must be trace, debug, info, warn, error, critical or off");
  control_.set_log_level(*level);
  return json_response(200, {{"level", to_string(*level)}});
}

}  // namespace ferry::admin::detail

namespace ferry::admin {

asio::awaitable<response> answer(const server_options& options, control& c, const request& req) {
  detail::router routes{options, c};
  co_return co_await routes.handle(req);
}

}  // namespace ferry::admin
