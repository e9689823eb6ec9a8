#pragma once
// The admin API's JSON: every typed value the control answers with, and every
// refusal, rendered in one place. Times are Beijing wall time,
// "yyyy-MM-dd HH:mm:ss", as the platform and ferry's tables write them.
#include "ferry/admin/control.hpp"

#include <nlohmann/json.hpp>

namespace ferry::admin::detail {

nlohmann::json to_json(const job_view& job);
nlohmann::json to_json(const run_view& run);
nlohmann::json to_json(const window_view& window);
nlohmann::json to_json(const trigger_receipt& receipt);
nlohmann::json to_json(const backfill_receipt& receipt);

// The status and stable code of a refusal: {404, "job_not_found"}, ...
struct refusal_status {
  unsigned status;
  const char* code;
};
refusal_status status_of(refusal_kind kind);

// "trace" ... "off"; nullopt for anything else.
std::optional<log_level> parse_log_level(std::string_view text);

}  // namespace ferry::admin::detail
