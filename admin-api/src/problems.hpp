#pragma once
// Every error the admin API answers, as RFC 9457 problem details: one stable
// type per error, each with one status. The body is
//   {"type": "/problems/job_not_found", "title": "No such job", "status": 404,
//    "detail": "no job \"nope\"",
//    "error": {"code": "job_not_found", "message": "no job \"nope\""}}
// sent as application/problem+json; "error" is the shape clients read before
// problem details were added, kept beside them. Each type's URI is served by
// ferryd itself (GET /problems/<code>, no token): a page saying what it means.
// Immutable data; safe from any thread.
#include "ferry/admin/handler.hpp"

#include <span>
#include <string>
#include <string_view>

namespace ferry::admin::detail {

enum class problem {
  bad_request,
  bad_json,
  invalid_body,
  invalid_query,
  unauthorized,
  not_found,
  job_not_found,
  method_not_allowed,
  run_already_queued,
  body_too_large,
  unsupported_media_type,
  invalid_limit,
  invalid_range,
  invalid_state,
  invalid_level,
  headers_too_large,
  internal,
  not_ready,
  stopping,
};

struct problem_type {
  problem kind;
  unsigned status;
  std::string_view code;  // "job_not_found": the last segment of the type URI and error.code
  std::string_view title;
  std::string_view when;  // when ferryd answers it, one sentence
};

// Every type, in the order of the enum.
std::span<const problem_type> problem_types();
const problem_type& describe(problem p);
// The type whose code is `code`, or null.
const problem_type* find_problem(std::string_view code);

constexpr std::string_view problem_media_type = "application/problem+json";

// The problem's answer: its status, problem+json, `detail` as the detail and
// the error message.
response problem_response(problem p, std::string detail);

// The type's URI: "/problems/<code>".
std::string type_uri(const problem_type& type);

// GET /problems/<code>: the page a type's URI names (HTML), or 404.
response problem_page(std::string_view code);

}  // namespace ferry::admin::detail
