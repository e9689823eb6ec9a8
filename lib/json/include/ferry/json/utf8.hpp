#pragma once
// UTF-8 checks shared by the JSON writer and the column casts, which count
// characters as MySQL's utf8mb4 does (one per code point). Pure; thread-safe.
#include <cstddef>
#include <optional>
#include <string_view>

namespace ferry::json {

// The length in bytes of the well-formed UTF-8 sequence starting at
// text[pos], or 0 if the bytes there are not well-formed UTF-8 (a stray
// continuation byte, a truncated sequence, an overlong form, a surrogate, or
// a code point above U+10FFFF). Requires pos < text.size().
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) noexcept;

// The number of code points in `text`, or nullopt if it is not well-formed
// UTF-8; then `bad_offset`, if given, receives the 0-based offset of the
// first bad byte.
std::optional<std::size_t> utf8_length(std::string_view text, std::size_t* bad_offset = nullptr) noexcept;

}  // namespace ferry::json
