#include "ferry/json/exact.hpp"
#include "ferry/json/utf8.hpp"

namespace ferry::json {
namespace {

using nlohmann::json;

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

bool needs_escape(unsigned char c) noexcept { return c < 0x20U || c == '"' || c == '\\'; }

void write_escape(unsigned char c, std::string& out) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4U];
      out += hex[c & 0x0FU];
    }
  }
}

// Escapes as nlohmann's dump() does without ensure_ascii: quotes, backslashes
// and control characters; everything else, DEL included, is copied.
void write_string(std::string_view s, std::string& out) {
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  std::size_t pos = 0;
  while (pos < s.size()) {
    const auto c = static_cast<unsigned char>(s[pos]);
    if (c < 0x80U && !needs_escape(c)) {
      ++pos;
      continue;
    }
    const std::size_t length = c < 0x80U ? 0 : utf8_sequence_length(s, pos);
    if (length > 0) {
      pos += length;
      continue;
    }
    out.append(s.substr(run, pos - run));
    if (c < 0x80U) write_escape(c, out);
    else out += replacement_character;
    run = ++pos;
  }
  out.append(s.substr(run));
  out += '"';
}

void write(const json& value, std::string& out);

void write_object(const json& value, std::string& out) {
  out += '{';
  bool first = true;
  for (const auto& [key, member] : value.get_ref<const json::object_t&>()) {
    if (!first) out += ',';
    first = false;
    write_string(key, out);
    out += ':';
    write(member, out);
  }
  out += '}';
}

void write_array(const json& value, std::string& out) {
  out += '[';
  bool first = true;
  for (const auto& element : value.get_ref<const json::array_t&>()) {
    if (!first) out += ',';
    first = false;
    write(element, out);
  }
  out += ']';
}

void write(const json& value, std::string& out) {
  switch (value.type()) {
    case json::value_t::object: write_object(value, out); return;
    case json::value_t::array: write_array(value, out); return;
    case json::value_t::string: write_string(value.get_ref<const json::string_t&>(), out); return;
    case json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
    case json::value_t::binary: {
      number_buffer buffer;
      // Non-finite doubles are written as null, like nlohmann; binaries that
      // are not exact numbers keep nlohmann's {"bytes":[...],"subtype":n}.
      if (const auto text = number_text(value, buffer)) out.append(*text);
      else if (value.is_binary()) out += value.dump();
      else out += "null";
      return;
    }
    case json::value_t::null:
    case json::value_t::discarded: out += "null"; return;
  }
}

}  // namespace

void dump_exact(const json& value, std::string& out) { write(value, out); }

std::string dump_exact(const json& value) {
  std::string out;
  write(value, out);
  return out;
}

}  // namespace ferry::json
