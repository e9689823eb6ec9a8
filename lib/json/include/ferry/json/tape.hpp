#pragma once
// A JSON document parsed once into a flat, read-only tape of nodes, for the
// pages ferry maps: no allocation per value (one node array and one text
// buffer per document), strings already unescaped, numbers kept as their
// text (exact, as parse_exact keeps them). A tape accepts exactly the
// documents parse_exact accepts, refuses the rest with the same parse_error,
// and to_json(i) is the DOM parse_exact would have built for that value.
//
// Layout: a value is one node followed by its contents. An array's elements
// follow it, one after another; an object's members follow it as a key node
// (a string) and then the value. node::next is the index one past a value's
// contents, so the next element or member starts there.
//
// parse_tape uses simdjson On-Demand; parse_tape_reference builds the same
// tape from nlohmann's SAX parser (the one parse_exact uses), and is what
// parse_tape falls back to when simdjson refuses a document (for the error
// message), when the text holds control characters (whose rules simdjson
// does not check: pretty-printed text), or starts with a byte order mark. Tapes are immutable once built; moving one keeps the
// views into its text valid.
#include "ferry/json/exact.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace ferry::json {

enum class node_kind : std::uint8_t { null, boolean, integer, exact, string, array, object };

struct node {
  node_kind kind = node_kind::null;
  bool flag = false;       // boolean: its value; integer: negative (written with '-')
  std::uint32_t size = 0;  // array: its elements; object: its members
  std::uint32_t next = 0;  // one past the last node of this value
  // string: the unescaped text; integer: the decimal text ("-0" is "0");
  // exact: the number as written; others: empty.
  std::string_view text;
};

class tape {
 public:
  static constexpr std::uint32_t npos = ~std::uint32_t{0};

  tape() = default;
  tape(tape&&) noexcept = default;
  tape& operator=(tape&&) noexcept = default;

  const node& operator[](std::uint32_t i) const noexcept { return nodes_[i]; }
  std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(nodes_.size()); }
  bool empty() const noexcept { return nodes_.empty(); }

  // The value of member `key` of the object at `object` (the last one when a
  // key repeats, as parse_exact keeps it), or npos; npos for a non-object.
  std::uint32_t find(std::uint32_t object, std::string_view key) const noexcept;

  // The value at `i` as parse_exact would have built it.
  nlohmann::json to_json(std::uint32_t i) const;

  // Node-for-node equality (kinds, flags, sizes, links and texts).
  friend bool operator==(const tape& a, const tape& b) noexcept;

 private:
  friend class tape_builder;
  std::vector<node> nodes_;
  std::unique_ptr<char[]> text_;  // every node's text lives here
};

// Parses one JSON document as parse_exact does (the same documents, the
// same parse_error), into a tape. `readable`: how many bytes from
// text.data() may be read, when the caller knows (0 when not). The fast
// parser reads up to 64 bytes past a document's end, whatever they hold: a
// document with that room (an http::client body has it, see
// http::body_padding) is read where it lies, any other is first copied.
tape parse_tape(std::string_view text, std::size_t readable = 0);

// The fast road alone: nullopt where parse_tape would fall back (a document
// simdjson or the checks refuse, text with control bytes or a byte order
// mark, a scalar alone).
std::optional<tape> parse_tape_simd(std::string_view text, std::size_t readable = 0);

// The same from nlohmann's SAX events: slower, and the reference the fast
// parser is checked against.
tape parse_tape_reference(std::string_view text);

}  // namespace ferry::json
