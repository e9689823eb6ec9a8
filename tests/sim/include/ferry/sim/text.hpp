#pragma once
// Text pieces of jst-sim's JSON: string escaping, 4-place decimals and Beijing
// datetimes, all appended to a caller's buffer. Pure functions; thread-safe.
#include "ferry/core/time.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::sim {

// Appends `utf8` as a JSON string literal (with quotes). Escapes '"', '\\' and
// every byte below 0x20; other bytes (UTF-8 sequences) are copied as they are.
void append_json_string(std::string& out, std::string_view utf8);

// Appends a decimal given in ten-thousandths with exactly four places:
// 123400 -> "12.3400", -5 -> "-0.0005". Integer arithmetic only.
void append_decimal4(std::string& out, std::int64_t ten_thousandths);
std::string decimal4(std::int64_t ten_thousandths);

// Appends t as Asia/Shanghai wall time "yyyy-MM-dd HH:mm:ss". A fast path for
// instants since 1992 (fixed UTC+8); older ones go through ferry::core.
void append_beijing_datetime(std::string& out, core::sys_seconds t);
std::string beijing_datetime(core::sys_seconds t);

}  // namespace ferry::sim
