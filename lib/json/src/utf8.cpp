#include "ferry/json/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace ferry::json {
namespace {

bool continuation(unsigned char c) noexcept { return (c & 0xC0U) == 0x80U; }

}  // namespace

std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) noexcept {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80U) return 1;
  // The second byte's allowed range depends on the lead byte: that is what
  // rules out overlong forms, UTF-16 surrogates and code points past U+10FFFF
  // (Unicode 15, table 3-7).
  std::size_t length = 0;
  unsigned char low = 0x80U, high = 0xBFU;
  if (lead >= 0xC2U && lead <= 0xDFU) {
    length = 2;
  } else if (lead >= 0xE0U && lead <= 0xEFU) {
    length = 3;
    if (lead == 0xE0U) low = 0xA0U;
    if (lead == 0xEDU) high = 0x9FU;
  } else if (lead >= 0xF0U && lead <= 0xF4U) {
    length = 4;
    if (lead == 0xF0U) low = 0x90U;
    if (lead == 0xF4U) high = 0x8FU;
  } else {
    return 0;
  }
  if (text.size() - pos < length) return 0;
  const auto second = static_cast<unsigned char>(text[pos + 1]);
  if (second < low || second > high) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (!continuation(static_cast<unsigned char>(text[pos + i]))) return 0;
  return length;
}

std::optional<std::size_t> utf8_length(std::string_view text, std::size_t* bad_offset) noexcept {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    // ASCII runs dominate ERP data; skip them eight bytes at a time.
    constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
    std::uint64_t word = 0;
    if (text.size() - pos >= sizeof word) {
      std::memcpy(&word, text.data() + pos, sizeof word);
      if ((word & high_bits) == 0) {
        pos += sizeof word;
        count += sizeof word;
        continue;
      }
    }
    if (static_cast<unsigned char>(text[pos]) < 0x80U) {
      ++pos;
      ++count;
      continue;
    }
    const auto length = utf8_sequence_length(text, pos);
    if (length == 0) {
      if (bad_offset != nullptr) *bad_offset = pos;
      return std::nullopt;
    }
    pos += length;
    ++count;
  }
  return count;
}

}  // namespace ferry::json
