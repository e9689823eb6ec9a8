#pragma once
// application/x-www-form-urlencoded, as the Jushuitan open platform takes it.
// Pure functions; thread-safe.
#include "ferry/source/jushuitan/signing.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ferry::source::jushuitan {

// "a=1&b=x+y": unreserved bytes as they are, space as '+', the rest %XX.
std::string encode_form(const form_fields& fields);

// Percent-encodes one value (RFC 3986 unreserved bytes kept, space as '+').
std::string encode_form_component(std::string_view text);

// Parses a form body. Returns nullopt when a %-escape is malformed or a pair
// has no '='; "+" decodes to a space. Empty pairs ("a=1&&b=2") are skipped.
std::optional<form_fields> parse_form(std::string_view body);

// The value of `name` in `fields`, or nullptr.
const std::string* find_field(const form_fields& fields, std::string_view name);

}  // namespace ferry::source::jushuitan
