#pragma once
// Splitting a request target ("/api/v1/jobs/a%5Fb/runs?limit=5") into decoded
// path segments and query parameters. Pure; no Beast (Boost 1.74 has no URL
// library).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::admin::detail {

struct target {
  std::string path;                   // as sent, without the query (for logs)
  std::vector<std::string> segments;  // "/a/b%20c" -> {"a", "b c"}
  std::vector<std::pair<std::string, std::string>> query;  // in order, '+' as space
};

// nullopt when the target is not an origin-form path ("/...") or holds a bad
// percent escape.
std::optional<target> parse_target(std::string_view raw);

// "%41b+c" -> "Ab c" in a query (plus_as_space) or "Ab+c" in a path.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space);

// ids of jobs: [a-z0-9_]{1,64}.
bool valid_job_id(std::string_view id);

}  // namespace ferry::admin::detail
