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

// Formats an instant as RFC 3339 in Asia/Shanghai's offset at that instant:
// "2026-01-31T23:59:59+08:00" (+09:00 in the summers of 1986-1991). The
// admin API shows every time this way.
std::string format_rfc3339(sys_seconds t);

// Parses an instant as an operator may write it: Asia/Shanghai wall time as
// parse_shanghai_datetime reads it ("2026-01-31 23:59:59", "2026-01-31"), or
// RFC 3339 with its offset ("2026-01-31T23:59:59+08:00",
// "2026-01-31T15:59:59Z"; T and Z in either case; -00:00 is UTC). No
// fractions of a second (ferry's instants are whole seconds) and no leap
// second; nullopt for anything else.
std::optional<sys_seconds> parse_instant(std::string_view text);

// Formats an instant as the Asia/Shanghai date "yyyy-MM-dd".
std::string format_shanghai_date(sys_seconds t);

// Parses a duration such as "30s", "5m", "2h", "30d", "250ms" or "1m30s".
// Returns nullopt for anything else (no sign, no fractions, no empty text).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The inverse of parse_duration for whole seconds: "90s" -> "1m30s".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace ferry::core
