#include "ferry/json/exact.hpp"

#include "grammar.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace ferry::json {
namespace {

using nlohmann::json;

std::string_view double_text(double value, number_buffer& buffer) {
  auto* const first = buffer.data();
  const auto [end, ec] = std::to_chars(first, first + buffer.size() - 2, value);
  if (ec != std::errc{}) return {};
  std::string_view text{first, static_cast<std::size_t>(end - first)};
  // Like nlohmann, keep a double looking like one: 2.0 is "2.0", not "2".
  if (text.find_first_of(".e") == std::string_view::npos) {
    *end = '.';
    *(end + 1) = '0';
    text = {first, text.size() + 2};
  }
  return text;
}

}  // namespace

json exact_number(std::string_view text) {
  if (!detail::is_json_number(text)) throw std::invalid_argument("not a JSON number: '" + std::string{text} + "'");
  return json::binary(json::binary_t::container_type(text.begin(), text.end()), exact_number_subtype);
}

bool is_exact_number(const json& value) noexcept {
  if (!value.is_binary()) return false;
  const auto& bytes = value.get_binary();
  return bytes.has_subtype() && bytes.subtype() == exact_number_subtype;
}

std::optional<std::string_view> number_text(const json& value, number_buffer& buffer) {
  auto* const first = buffer.data();
  switch (value.type()) {
    case json::value_t::number_integer: {
      const auto end = std::to_chars(first, first + buffer.size(), value.get<json::number_integer_t>()).ptr;
      return std::string_view{first, static_cast<std::size_t>(end - first)};
    }
    case json::value_t::number_unsigned: {
      const auto end = std::to_chars(first, first + buffer.size(), value.get<json::number_unsigned_t>()).ptr;
      return std::string_view{first, static_cast<std::size_t>(end - first)};
    }
    case json::value_t::number_float: {
      const auto d = value.get<json::number_float_t>();
      if (!std::isfinite(d)) return std::nullopt;
      return double_text(d, buffer);
    }
    case json::value_t::binary: {
      if (!is_exact_number(value)) return std::nullopt;
      const auto& bytes = value.get_binary();
      return std::string_view{reinterpret_cast<const char*>(bytes.data()), bytes.size()};
    }
    default:
      return std::nullopt;
  }
}

std::optional<std::string> number_text(const json& value) {
  number_buffer buffer;
  const auto text = number_text(value, buffer);
  if (!text) return std::nullopt;
  return std::string{*text};
}

}  // namespace ferry::json
