#pragma once
// Jushuitan speaks naive Beijing wall-clock datetimes ("2026-01-31 23:59:59",
// Asia/Shanghai). ferry keeps instants as std::chrono::sys_seconds (UTC) and
// converts only at the edges, with these functions. Pure; thread-safe.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::core {

using sys_seconds = std::chrono::sys_seconds;

// Parses "yyyy-MM-dd HH:mm:ss" (or "yyyy-MM-dd", meaning midnight) as
// Asia/Shanghai wall time. Rejects anything else, including impossible dates
// such as "2026-02-30" or hours past 23; returns nullopt then.
std::optional<sys_seconds> parse_shanghai_datetime(std::string_view text);
// True exactly when parse_shanghai_datetime(text) has a value: the check
// alone, for text that is kept as it is.
bool is_shanghai_datetime(std::string_view text) noexcept;

// Formats an instant as Asia/Shanghai wall time, "yyyy-MM-dd HH:mm:ss".
std::string format_shanghai_datetime(sys_seconds t);

// Formats an instant as the Asia/Shanghai date "yyyy-MM-dd".
std::string format_shanghai_date(sys_seconds t);

// Parses a duration such as "30s", "5m", "2h", "30d", "250ms" or "1m30s".
// Returns nullopt for anything else (no sign, no fractions, no empty text).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The inverse of parse_duration for whole seconds: "90s" -> "1m30s".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace ferry::core
