#include "ferry/json/tape.hpp"

#include "grammar.hpp"

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

namespace ferry::json {

// Appends nodes and their text; the text buffer is sized once from the
// document (no value's text is longer than its JSON form), so views into it
// stay valid while the tape grows.
class tape_builder {
 public:
  explicit tape_builder(std::size_t document_bytes)
      : text_(new char[document_bytes + 1]), capacity_(document_bytes + 1) {
    // A page's records take about one node per 11 bytes (a flow record: 27
    // nodes in some 300 bytes); room for one per 8 spares the copies of a
    // growing array, which cost more than the parse.
    nodes_.reserve(document_bytes / 8 + 4);
  }

  std::uint32_t open(node_kind kind) {
    nodes_.push_back({kind, false, 0, 0, {}});
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  void close(std::uint32_t at, std::uint32_t size) {
    nodes_[at].size = size;
    nodes_[at].next = static_cast<std::uint32_t>(nodes_.size());
  }

  // False when the text would not fit: only possible for a text this
  // builder did not read from the document, which is a bug.
  bool scalar(node_kind kind, bool flag, std::string_view text) {
    if (text.size() > capacity_ - used_) return false;
    // (Null, true and false have no text, and an empty view may hold a null
    // pointer, which memcpy must not get even for 0 bytes.)
    if (!text.empty()) std::memcpy(text_.get() + used_, text.data(), text.size());
    const std::string_view kept{text_.get() + used_, text.size()};
    used_ += text.size();
    const auto at = static_cast<std::uint32_t>(nodes_.size());
    nodes_.push_back({kind, flag, 0, at + 1, kept});
    return true;
  }

  tape finish() {
    tape t;
    t.nodes_ = std::move(nodes_);
    t.text_ = std::move(text_);
    return t;
  }

 private:
  std::vector<node> nodes_;
  std::unique_ptr<char[]> text_;
  std::size_t capacity_;
  std::size_t used_ = 0;
};

namespace {

using nlohmann::json;

// ---- the reference: nlohmann's SAX events ---------------------------------

class sax_tape {
 public:
  explicit sax_tape(tape_builder& b) : b_(b) { open_.reserve(32); }

  bool null() { return value(node_kind::null, false, {}); }
  bool boolean(bool v) { return value(node_kind::boolean, v, {}); }
  // nlohmann reports integers written with '-' here, the others below.
  bool number_integer(json::number_integer_t v) { return integer(v, true); }
  bool number_unsigned(json::number_unsigned_t v) { return integer(v, false); }
  bool number_float(json::number_float_t, const json::string_t& raw) { return value(node_kind::exact, false, raw); }
  bool string(json::string_t& v) { return value(node_kind::string, false, v); }
  bool binary(json::binary_t&) { return false; }  // JSON text has none
  bool start_object(std::size_t) { return start(node_kind::object); }
  bool start_array(std::size_t) { return start(node_kind::array); }
  bool end_object() { return end(); }
  bool end_array() { return end(); }
  bool key(json::string_t& k) {
    ++open_.back().size;
    return b_.scalar(node_kind::string, false, k);
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  struct container {
    std::uint32_t at;
    std::uint32_t size;
    bool is_array;
  };

  void count() {
    if (!open_.empty() && open_.back().is_array) ++open_.back().size;
  }

  bool value(node_kind kind, bool flag, std::string_view text) {
    count();
    return b_.scalar(kind, flag, text);
  }

  template <class T>
  bool integer(T v, bool negative) {
    std::array<char, 24> buffer{};
    const auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v).ptr;
    return value(node_kind::integer, negative, {buffer.data(), static_cast<std::size_t>(end - buffer.data())});
  }

  bool start(node_kind kind) {
    if (open_.size() >= max_depth) return false;
    count();
    open_.push_back({b_.open(kind), 0, kind == node_kind::array});
    return true;
  }

  bool end() {
    b_.close(open_.back().at, open_.back().size);
    open_.pop_back();
    return true;
  }

  tape_builder& b_;
  std::vector<container> open_;
};

// ---- the fast parser: simdjson On-Demand ----------------------------------

namespace od = simdjson::ondemand;

// True when any byte is below 0x20: 64 at a time with SSE2 (every x86-64
// has it), then eight at a time.
bool has_control_byte(std::string_view text) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i below = _mm_set1_epi8(0x1F);
  // A byte is below 0x20 when the unsigned minimum of it and 0x1F is itself.
  const auto control = [&](std::size_t at) {
    const auto bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at));
    return _mm_cmpeq_epi8(_mm_min_epu8(bytes, below), bytes);
  };
  for (; i + 64 <= text.size(); i += 64) {
    const auto any = _mm_or_si128(_mm_or_si128(control(i), control(i + 16)), _mm_or_si128(control(i + 32), control(i + 48)));
    if (_mm_movemask_epi8(any) != 0) return true;
  }
#endif
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    if (((w - ones * 0x20) & ~w & highs) != 0) return true;
  }
  for (; i < text.size(); ++i)
    if (static_cast<unsigned char>(text[i]) < 0x20) return true;
  return false;
}

std::string_view trimmed(std::string_view token) noexcept {
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

// A number as parse_exact keeps it: an integer when it fits int64 (written
// with '-') or uint64, else its exact text; false when it is not a JSON
// number or a double cannot hold its magnitude (nlohmann refuses those).
bool add_number(tape_builder& b, std::string_view text) {
  if (!detail::is_json_number(text)) return false;
  const bool negative = text.front() == '-';
  // (A loop, not find_first_of: that calls memchr once per character.)
  bool point = false, exponent = false;
  for (const char c : text) {
    point |= c == '.';
    exponent |= c == 'e' || c == 'E';
  }
  if (!point && !exponent) {
    if (negative) {
      std::int64_t v = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc{}) return b.scalar(node_kind::integer, true, v == 0 ? std::string_view{"0"} : text);
    } else {
      std::uint64_t v = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc{}) return b.scalar(node_kind::integer, false, text);
    }
  }
  // Without an exponent, fewer than 300 digits are always finite.
  if (exponent || text.size() >= 300) {
    const std::string copy{text};
    if (!std::isfinite(std::strtod(copy.c_str(), nullptr))) return false;
  }
  return b.scalar(node_kind::exact, false, text);
}

simdjson::error_code walk(od::value value, std::size_t depth, tape_builder& b);

simdjson::error_code walk_array(od::array array, std::size_t depth, tape_builder& b) {
  if (depth >= max_depth) return simdjson::DEPTH_ERROR;
  const auto at = b.open(node_kind::array);
  std::uint32_t n = 0;
  for (auto element : array) {
    od::value v;
    if (auto e = std::move(element).get(v)) return e;
    if (auto e = walk(v, depth + 1, b)) return e;
    ++n;
  }
  b.close(at, n);
  return simdjson::SUCCESS;
}

simdjson::error_code walk_object(od::object object, std::size_t depth, tape_builder& b) {
  if (depth >= max_depth) return simdjson::DEPTH_ERROR;
  const auto at = b.open(node_kind::object);
  std::uint32_t n = 0;
  for (auto member : object) {
    od::field f;
    if (auto e = std::move(member).get(f)) return e;
    std::string_view key;
    if (auto e = f.unescaped_key().get(key)) return e;
    if (!b.scalar(node_kind::string, false, key)) return simdjson::CAPACITY;
    if (auto e = walk(f.value(), depth + 1, b)) return e;
    ++n;
  }
  b.close(at, n);
  return simdjson::SUCCESS;
}

simdjson::error_code walk(od::value value, std::size_t depth, tape_builder& b) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  switch (type) {
    case od::json_type::array: {
      od::array a;
      if (auto e = value.get_array().get(a)) return e;
      return walk_array(a, depth, b);
    }
    case od::json_type::object: {
      od::object o;
      if (auto e = value.get_object().get(o)) return e;
      return walk_object(o, depth, b);
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto e = value.get_string().get(s)) return e;
      return b.scalar(node_kind::string, false, s) ? simdjson::SUCCESS : simdjson::CAPACITY;
    }
    case od::json_type::number:
      return add_number(b, trimmed(value.raw_json_token())) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
    case od::json_type::boolean: {
      const auto token = trimmed(value.raw_json_token());
      if (token != "true" && token != "false") return simdjson::T_ATOM_ERROR;
      return b.scalar(node_kind::boolean, token == "true", {}) ? simdjson::SUCCESS : simdjson::CAPACITY;
    }
    case od::json_type::null: {
      if (trimmed(value.raw_json_token()) != "null") return simdjson::N_ATOM_ERROR;
      return b.scalar(node_kind::null, false, {}) ? simdjson::SUCCESS : simdjson::CAPACITY;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

// Objects and arrays at the top (every page); false for anything simdjson
// or this walk refuses, and for scalar documents, which the reference reads.
bool fast_parse(std::string_view text, std::size_t readable, tape_builder& b) {
  thread_local od::parser parser;
  const bool in_place = readable >= text.size() + simdjson::SIMDJSON_PADDING;
  simdjson::padded_string copy;
  if (!in_place) copy = simdjson::padded_string{text};
  const simdjson::padded_string_view view =
      in_place ? simdjson::padded_string_view{text.data(), text.size(), readable} : simdjson::padded_string_view{copy};
  od::document doc;
  if (parser.iterate(view).get(doc)) return false;
  od::json_type type;
  if (doc.type().get(type)) return false;
  simdjson::error_code e = simdjson::INCORRECT_TYPE;
  if (type == od::json_type::object) {
    od::object o;
    e = doc.get_object().get(o);
    if (!e) e = walk_object(o, 0, b);
  } else if (type == od::json_type::array) {
    od::array a;
    e = doc.get_array().get(a);
    if (!e) e = walk_array(a, 0, b);
  }
  // Nothing may follow the document.
  return !e && doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

}  // namespace

std::uint32_t tape::find(std::uint32_t object, std::string_view key) const noexcept {
  if (object >= nodes_.size() || nodes_[object].kind != node_kind::object) return npos;
  std::uint32_t found = npos;
  const auto end = nodes_[object].next;
  // Most keys differ from the one sought in length or in their first byte.
  const char first = key.empty() ? '\0' : key.front();
  for (std::uint32_t k = object + 1; k < end; k = nodes_[k + 1].next) {
    const auto& name = nodes_[k].text;
    if (name.size() == key.size() && (key.empty() || (name.front() == first && name == key))) found = k + 1;
  }
  return found;
}

json tape::to_json(std::uint32_t i) const {
  const auto& n = nodes_[i];
  switch (n.kind) {
    case node_kind::null: return json{};
    case node_kind::boolean: return json(n.flag);
    case node_kind::integer: {
      if (n.flag) {
        json::number_integer_t v = 0;
        std::from_chars(n.text.data(), n.text.data() + n.text.size(), v);
        return json(v);
      }
      json::number_unsigned_t v = 0;
      std::from_chars(n.text.data(), n.text.data() + n.text.size(), v);
      return json(v);
    }
    case node_kind::exact: return exact_number(n.text);
    case node_kind::string: return json(std::string{n.text});
    case node_kind::array: {
      auto out = json::array();
      out.get_ref<json::array_t&>().reserve(n.size);
      for (std::uint32_t e = i + 1; e < n.next; e = nodes_[e].next) out.push_back(to_json(e));
      return out;
    }
    case node_kind::object: {
      auto out = json::object();
      for (std::uint32_t k = i + 1; k < n.next; k = nodes_[k + 1].next) out[std::string{nodes_[k].text}] = to_json(k + 1);
      return out;
    }
  }
  return json{};
}

bool operator==(const tape& a, const tape& b) noexcept {
  if (a.nodes_.size() != b.nodes_.size()) return false;
  for (std::size_t i = 0; i < a.nodes_.size(); ++i) {
    const auto& x = a.nodes_[i];
    const auto& y = b.nodes_[i];
    if (x.kind != y.kind || x.flag != y.flag || x.size != y.size || x.next != y.next || x.text != y.text) return false;
  }
  return true;
}

tape parse_tape_reference(std::string_view text) {
  tape_builder b{text.size()};
  sax_tape events{b};
  if (json::sax_parse(text.data(), text.data() + text.size(), &events)) return b.finish();
  // Refused: parse_exact says where and why, in the very words it uses.
  (void)parse_exact(text);
  throw parse_error(text.size() + 1, "the document could not be read");  // not reached: parse_exact refused it too
}

std::optional<tape> parse_tape_simd(std::string_view text, std::size_t readable) {
  if (has_control_byte(text)) return std::nullopt;
  tape_builder b{text.size()};
  if (!fast_parse(text, readable, b)) return std::nullopt;
  return b.finish();
}

tape parse_tape(std::string_view text, std::size_t readable) {
  if (auto fast = parse_tape_simd(text, readable)) return std::move(*fast);
  return parse_tape_reference(text);
}

}  // namespace ferry::json
