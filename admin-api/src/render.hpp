#pragma once
// The admin API's JSON: every typed value the control answers with, and every
// refusal, rendered in one place. Times are RFC 3339 with Beijing's offset,
// "2026-01-31T23:59:59+08:00" (core::format_rfc3339).
#include "ferry/admin/control.hpp"
#include "problems.hpp"

#include <nlohmann/json.hpp>

namespace ferry::admin::detail {

// Compact JSON that never throws: a request's target may carry any bytes
// (Beast passes 0x80-0xFF through, %FF decodes to one), and an answer that
// quotes them must still be sent; invalid UTF-8 becomes U+FFFD.
std::string dump(const nlohmann::json& body);

nlohmann::json to_json(const job_view& job);
nlohmann::json to_json(const run_view& run);
nlohmann::json to_json(const window_view& window);
nlohmann::json to_json(const trigger_receipt& receipt);
nlohmann::json to_json(const backfill_receipt& receipt);

// The problem a refusal is answered with: job_not_found, ...
problem problem_of(refusal_kind kind);

// "trace" ... "off"; nullopt for anything else.
std::optional<log_level> parse_log_level(std::string_view text);

}  // namespace ferry::admin::detail
