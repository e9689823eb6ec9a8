#include "ferry/source/jushuitan/envelope.hpp"

#include "ferry/json/exact.hpp"

#include <charconv>

namespace ferry::source::jushuitan {
namespace {

using nlohmann::json;

using ferry::json::node_kind;
using ferry::json::tape;

bool is_null(const tape& t, std::uint32_t i) { return i == tape::npos || t[i].kind == node_kind::null; }

template <class T>
std::optional<T> whole_number(std::string_view text) {
  T value{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc{} && ptr == text.data() + text.size()) return value;
  return std::nullopt;
}

// Paging fields arrive as numbers or as numeric strings.
std::optional<std::uint64_t> read_count(const tape& t, std::uint32_t holder, const char* name) {
  const auto i = t.find(holder, name);
  if (is_null(t, i)) return std::nullopt;
  // A negative integer's text starts with '-', which no count reads.
  if (t[i].kind == node_kind::integer || t[i].kind == node_kind::string) return whole_number<std::uint64_t>(t[i].text);
  return std::nullopt;
}

std::optional<bool> read_flag(const tape& t, std::uint32_t holder, const char* name) {
  const auto i = t.find(holder, name);
  if (is_null(t, i)) return std::nullopt;
  if (t[i].kind == node_kind::boolean) return t[i].flag;
  if (t[i].kind == node_kind::string) return t[i].text == "true";
  if (t[i].kind == node_kind::integer) return t[i].text != "0";
  return std::nullopt;
}

std::optional<long long> read_code(const tape& t) {
  const auto i = t.find(0, "code");
  if (i == tape::npos) {
    // Old endpoints answer with issuccess alone.
    const auto ok = read_flag(t, 0, "issuccess");
    if (ok) return *ok ? 0 : -1;
    return std::nullopt;
  }
  if (t[i].kind == node_kind::integer) {
    if (t[i].flag) return whole_number<long long>(t[i].text);
    // As nlohmann's get<long long>() reads an unsigned beyond its range.
    if (const auto v = whole_number<std::uint64_t>(t[i].text)) return static_cast<long long>(*v);
    return std::nullopt;
  }
  if (t[i].kind == node_kind::string) return whole_number<long long>(t[i].text);
  return std::nullopt;
}

bool has_paging(const tape& t, std::uint32_t holder) {
  for (const char* name : {"page_index", "data_count", "page_count", "has_next"})
    if (t.find(holder, name) != tape::npos) return true;
  return false;
}

void read_paging(const tape& t, std::uint32_t holder, page& p) {
  p.page_index = read_count(t, holder, "page_index");
  p.page_size = read_count(t, holder, "page_size");
  p.data_count = read_count(t, holder, "data_count");
  p.page_count = read_count(t, holder, "page_count");
  p.has_next = read_flag(t, holder, "has_next");
}

envelope take_list(const std::shared_ptr<const tape>& answer, std::uint32_t holder, std::string_view list_key, page p) {
  const auto& t = *answer;
  const auto list = t.find(holder, list_key);
  if (is_null(t, list)) {
    // An empty result often comes without its list.
    if (has_paging(t, holder)) return p;
    return malformed{"no \"" + std::string{list_key} + "\" list in the answer (is list_key right?)"};
  }
  if (t[list].kind != node_kind::array) return malformed{"\"" + std::string{list_key} + "\" is not an array"};
  p.rows.reserve(t[list].size);
  for (auto e = list + 1; e < t[list].next; e = t[e].next) p.rows.push_back(e);
  p.tape = answer;
  return p;
}

std::string request_id_in(const tape& t) {
  for (const char* name : {"requestId", "request_id"}) {
    const auto i = t.find(0, name);
    if (is_null(t, i)) continue;
    if (t[i].kind == node_kind::string) return std::string{t[i].text};
    return t.to_json(i).dump();
  }
  return {};
}

}  // namespace

// "requestId" in the documented answers, "request_id" in the SDK's models.
std::string request_id_of(const nlohmann::json& body) {
  for (const char* name : {"requestId", "request_id"}) {
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) continue;
    if (it->is_string()) return it->get<std::string>();
    return it->dump();
  }
  return {};
}

nlohmann::json page::record(std::size_t i) const { return tape ? tape->to_json(rows[i]) : records[i]; }

void page::to_dom() {
  if (!tape) return;
  records.clear();
  records.reserve(rows.size());
  for (const auto row : rows) records.push_back(tape->to_json(row));
  rows.clear();
  tape.reset();
}

envelope parse_envelope(std::string_view body, std::string_view list_key, std::size_t readable) {
  std::shared_ptr<const tape> answer;
  try {
    answer = std::make_shared<const tape>(ferry::json::parse_tape(body, readable));
  } catch (const ferry::json::parse_error& e) {
    return malformed{std::string{"not JSON: "} + e.what()};
  }
  const auto& t = *answer;
  if (t[0].kind != node_kind::object) return malformed{"the answer is not a JSON object"};
  const auto code = read_code(t);
  if (!code) return malformed{"the answer has no \"code\""};
  if (*code != 0) {
    const auto msg = t.find(0, "msg");
    return api_error{*code, msg != tape::npos && t[msg].kind == node_kind::string ? std::string{t[msg].text} : std::string{},
                     request_id_in(t)};
  }
  page p;
  p.request_id = request_id_in(t);
  const auto data = t.find(0, "data");
  if (data != tape::npos && t[data].kind == node_kind::array) return take_list(answer, 0, "data", std::move(p));
  if (data != tape::npos && t[data].kind == node_kind::object) {
    read_paging(t, data, p);
    return take_list(answer, data, list_key, std::move(p));
  }
  if (!is_null(t, data)) return malformed{"\"data\" is neither an object, an array nor null"};
  // No data at all: the top-level shape of older endpoints, or an empty page.
  if (t.find(0, list_key) != tape::npos || has_paging(t, 0)) {
    read_paging(t, 0, p);
    return take_list(answer, 0, list_key, std::move(p));
  }
  return p;
}

}  // namespace ferry::source::jushuitan
