#include "target.hpp"

namespace ferry::admin::detail {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(plus_as_space && text[i] == '+' ? ' ' : text[i]);
    }
  }
  return out;
}

std::optional<target> parse_target(std::string_view raw) {
  if (raw.empty() || raw.front() != '/') return std::nullopt;
  target parsed;
  const auto question = raw.find('?');
  parsed.path = std::string(raw.substr(0, question));
  for (auto segment : split(std::string_view(parsed.path).substr(1), '/')) {
    auto decoded = percent_decode(segment, false);
    if (!decoded) return std::nullopt;
    parsed.segments.push_back(std::move(*decoded));
  }
  if (question == std::string_view::npos) return parsed;
  for (auto pair : split(raw.substr(question + 1), '&')) {
    if (pair.empty()) continue;
    const auto equals = pair.find('=');
    auto key = percent_decode(pair.substr(0, equals), true);
    auto value = percent_decode(equals == std::string_view::npos ? "" : pair.substr(equals + 1), true);
    if (!key || !value) return std::nullopt;
    parsed.query.emplace_back(std::move(*key), std::move(*value));
  }
  return parsed;
}

bool valid_job_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace ferry::admin::detail
