#include "ferry/source/jushuitan/signing.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace ferry::source::jushuitan {

std::string sign(const form_fields& fields, std::string_view app_secret, empty_fields empties) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(fields.size());
  for (const auto& field : fields) {
    if (field.first == "sign") continue;
    if (empties == empty_fields::skip && field.second.empty()) continue;
    sorted.push_back(&field);
  }
  // Byte order: std::string compares as unsigned char via char_traits<char>::compare.
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string text{app_secret};
  for (const auto* field : sorted) {
    text += field->first;
    text += field->second;
  }
  return md5_hex(text);
}

std::string md5_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr) != 1)
    throw std::runtime_error("OpenSSL EVP_Digest(MD5) failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(2 * length, '0');
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0x0f];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace ferry::source::jushuitan
