#include "ferry/transform/path.hpp"

#include <charconv>

namespace ferry::transform {
namespace {

bool is_key_char(char c) noexcept { return c != '.' && c != '[' && c != ']'; }

std::optional<std::size_t> read_index(std::string_view digits) {
  std::size_t index = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return index;
}

}  // namespace

std::optional<std::string> json_path::read_segments(std::string_view rest, bool need_key) {
  while (!rest.empty() || need_key) {
    if (need_key) {
      std::size_t length = 0;
      while (length < rest.size() && is_key_char(rest[length])) ++length;
      if (length == 0) return "empty key";
      segments_.push_back({std::string{rest.substr(0, length)}, 0, false});
      rest.remove_prefix(length);
      need_key = false;
    } else if (rest.front() == '[') {
      const auto close = rest.find(']');
      if (close == std::string_view::npos) return "unclosed '['";
      const auto digits = rest.substr(1, close - 1);
      const auto index = read_index(digits);
      if (!index) return "index '" + std::string{digits} + "' is not a non-negative number";
      segments_.push_back({std::string{}, *index, true});
      rest.remove_prefix(close + 1);
    } else if (rest.front() == '.') {
      rest.remove_prefix(1);
      need_key = true;
    } else {
      return "unexpected '" + std::string(1, rest.front()) + "'";
    }
  }
  return std::nullopt;
}

std::optional<json_path> json_path::compile(std::string_view text, std::string& error) {
  if (text.empty()) {
    error = "empty path";
    return std::nullopt;
  }
  json_path path;
  path.text_ = std::string{text};
  if (text == "@") return path;
  std::string_view rest = text;
  if (rest.starts_with('$')) {
    path.from_record_ = true;
    rest.remove_prefix(1);
    if (rest.empty()) return path;
    if (rest.front() == '.') {
      rest.remove_prefix(1);
    } else if (rest.front() != '[') {
      error = "'$' must be followed by '.' or '[' in path '" + path.text_ + "'";
      return std::nullopt;
    }
  }
  // A key comes first, except right after "$" where "[n]" may index the record.
  const bool need_key = !path.from_record_ || !rest.starts_with('[');
  if (auto reason = path.read_segments(rest, need_key)) {
    error = *reason + " in path '" + path.text_ + "'";
    return std::nullopt;
  }
  return path;
}

const nlohmann::json* json_path::find(const nlohmann::json& element, const nlohmann::json& record) const {
  const nlohmann::json* node = from_record_ ? &record : &element;
  for (const auto& step : segments_) {
    if (step.is_index) {
      if (!node->is_array() || step.index >= node->size()) return nullptr;
      node = &(*node)[step.index];
    } else {
      if (!node->is_object()) return nullptr;
      const auto& members = node->get_ref<const nlohmann::json::object_t&>();
      const auto found = members.find(step.key);
      if (found == members.end()) return nullptr;
      node = &found->second;
    }
  }
  return node;
}

std::uint32_t json_path::find(const ferry::json::tape& t, std::uint32_t element, std::uint32_t record) const {
  return walk(t, from_record_ ? record : element, 0);
}

std::optional<std::string_view> json_path::leading_key() const noexcept {
  if (from_record_ || segments_.empty() || segments_.front().is_index) return std::nullopt;
  return std::string_view{segments_.front().key};
}

std::uint32_t json_path::find_rest(const ferry::json::tape& t, std::uint32_t at) const {
  if (at == ferry::json::tape::npos) return at;
  return walk(t, at, 1);
}

std::uint32_t json_path::walk(const ferry::json::tape& t, std::uint32_t at, std::size_t first) const {
  using ferry::json::node_kind;
  using ferry::json::tape;
  for (std::size_t s = first; s < segments_.size(); ++s) {
    const auto& step = segments_[s];
    if (step.is_index) {
      if (t[at].kind != node_kind::array || step.index >= t[at].size) return tape::npos;
      auto e = at + 1;
      for (std::size_t skipped = 0; skipped < step.index; ++skipped) e = t[e].next;
      at = e;
    } else {
      at = t.find(at, step.key);
      if (at == tape::npos) return tape::npos;
    }
  }
  return at;
}

}  // namespace ferry::transform
