#pragma once
// Request signing for the Jushuitan open platform.
//
// sign = lowercase hex MD5 of app_secret followed by key+value of every other
// form field, keys in byte order, the "sign" field itself left out. The exact
// bytes of each value are hashed (biz is the JSON string as sent, before URL
// encoding). Pure functions; thread-safe.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::source::jushuitan {

// Form fields in the order a caller built them; names may repeat only by mistake.
using form_fields = std::vector<std::pair<std::string, std::string>>;

// How fields with an empty value take part in the signature. ferry never sends
// empty fields; the simulator can be told either way (clients disagree).
enum class empty_fields { keep, skip };

// The sign of `fields` under `app_secret`.
std::string sign(const form_fields& fields, std::string_view app_secret,
                 empty_fields empties = empty_fields::keep);

// Lowercase hex MD5 of `bytes` (OpenSSL EVP).
std::string md5_hex(std::string_view bytes);

// Compares two strings in time independent of where they first differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace ferry::source::jushuitan
