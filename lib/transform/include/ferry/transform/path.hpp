#pragma once
// A column's source path, compiled once so that mapping a record is a few
// map lookups with no parsing: "sku_sn", "a.b", "items[0].sku_id". In an
// exploded target a path reads from the array element; "$.o_id" (or "$")
// reads from the whole record instead, and "@" is the element itself (for
// arrays of plain values). In other targets the element is the record.
// Keys are any characters but '.', '[' and ']'. Immutable; thread-safe.
#include "ferry/json/tape.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::transform {

class json_path {
 public:
  // Compiles `text`; on failure returns nullopt and sets `error` to a reason
  // such as "empty key after '.' in 'a..b'".
  static std::optional<json_path> compile(std::string_view text, std::string& error);

  // The value at this path, or nullptr when a key or index along the way is
  // missing or the value there is not an object/array (a missing
  // intermediate object counts as missing, not as an error). `element` is
  // where relative paths start; `record` is the whole record.
  const nlohmann::json* find(const nlohmann::json& element, const nlohmann::json& record) const;

  // The same in a tape (ferry/json/tape.hpp): the node at this path, or
  // tape::npos where the above gives nullptr.
  std::uint32_t find(const ferry::json::tape& t, std::uint32_t element, std::uint32_t record) const;

  // The first key of a path that starts with one and reads from the element
  // ("a.b" -> "a"), so that a mapper can find the first keys of all its
  // columns in one pass over the element's members; nullopt for "$...",
  // "@" and paths that start with an index.
  std::optional<std::string_view> leading_key() const noexcept;
  // The rest of such a path after its leading key, from `at`, the node the
  // leading key found: find(t, e, r) == find_rest(t, t.find(e, leading key)).
  std::uint32_t find_rest(const ferry::json::tape& t, std::uint32_t at) const;

  // True for "$..." paths, which read the whole record.
  bool from_record() const noexcept { return from_record_; }
  // The path as written.
  const std::string& text() const noexcept { return text_; }

 private:
  struct segment {
    std::string key;         // empty for an index
    std::size_t index = 0;   // for "[n]"
    bool is_index = false;
  };

  // Reads "key[1][2].key..." after any "$" prefix; returns the reason on failure.
  std::optional<std::string> read_segments(std::string_view rest, bool need_key);
  // Steps segments_[first..] from `at`.
  std::uint32_t walk(const ferry::json::tape& t, std::uint32_t at, std::size_t first) const;

  std::vector<segment> segments_;
  bool from_record_ = false;
  std::string text_;
};

}  // namespace ferry::transform
