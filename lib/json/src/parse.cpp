#include "ferry/json/exact.hpp"

#include <utility>
#include <vector>

namespace ferry::json {
namespace {

using nlohmann::json;

// Builds the DOM from nlohmann's SAX events, like its own DOM parser, but
// stores non-integer numbers as exact numbers and refuses deep nesting. The
// stack holds the open arrays and objects; a pointer to a container stays
// valid while it is open because its own parent is not modified meanwhile.
class dom_builder {
 public:
  explicit dom_builder(json& root) : root_(root) { stack_.reserve(32); }

  bool null() { return put(json{}); }
  bool boolean(bool v) { return put(json(v)); }
  bool number_integer(json::number_integer_t v) { return put(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return put(json(v)); }
  // nlohmann reports integers beyond uint64 here too, with their raw text.
  bool number_float(json::number_float_t, const json::string_t& raw) {
    return put(json::binary(json::binary_t::container_type(raw.begin(), raw.end()), exact_number_subtype));
  }
  bool string(json::string_t& v) { return put(json(std::move(v))); }
  // JSON text has no binary values; nlohmann's interface requires the event.
  bool binary(json::binary_t& v) { return put(json(std::move(v))); }
  bool start_object(std::size_t) { return open(json::value_t::object); }
  bool start_array(std::size_t) { return open(json::value_t::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& k) {
    member_ = &stack_.back()->get_ref<json::object_t&>()[std::move(k)];
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    error_position_ = position;
    error_reason_ = ex.what();
    return false;
  }

  bool depth_exceeded() const { return depth_exceeded_; }
  std::size_t error_position() const { return error_position_; }
  const std::string& error_reason() const { return error_reason_; }

 private:
  json* place(json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    if (stack_.back()->is_array()) {
      auto& array = stack_.back()->get_ref<json::array_t&>();
      array.push_back(std::move(v));
      return &array.back();
    }
    *member_ = std::move(v);
    return member_;
  }

  bool put(json&& v) {
    place(std::move(v));
    return true;
  }

  bool open(json::value_t type) {
    if (stack_.size() >= max_depth) {
      depth_exceeded_ = true;
      return false;
    }
    stack_.push_back(place(json(type)));
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  json& root_;
  std::vector<json*> stack_;
  json* member_ = nullptr;
  bool depth_exceeded_ = false;
  std::size_t error_position_ = 0;
  std::string error_reason_;
};

// nlohmann's messages start "[json.exception.parse_error.101] parse error at
// line 1, column 5: "; the position is reported separately, so drop both.
std::string plain_reason(std::string_view what) {
  if (const auto bracket = what.find("] "); what.starts_with("[json.exception.") && bracket != what.npos)
    what.remove_prefix(bracket + 2);
  if (what.starts_with("parse error at line "))
    if (const auto colon = what.find(": "); colon != what.npos) what.remove_prefix(colon + 2);
  return std::string{what};
}

// The SAX events carry no position, so when the depth limit stops the parse
// the offending bracket is found again by a scan that skips strings.
std::size_t depth_error_position(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i + 1;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return text.size();
}

std::string error_message(std::size_t position, const std::string& reason) {
  return "invalid JSON at byte " + std::to_string(position) + ": " + reason;
}

}  // namespace

parse_error::parse_error(std::size_t position, std::string reason)
    : std::runtime_error(error_message(position, reason)), position_(position), reason_(std::move(reason)) {}

json parse_exact(std::string_view text) {
  json root;
  dom_builder builder{root};
  const bool ok = json::sax_parse(text.data(), text.data() + text.size(), &builder);
  if (ok) return root;
  if (builder.depth_exceeded())
    throw parse_error(depth_error_position(text),
                      "nesting deeper than " + std::to_string(max_depth) + " arrays/objects");
  throw parse_error(builder.error_position(), plain_reason(builder.error_reason()));
}

}  // namespace ferry::json
