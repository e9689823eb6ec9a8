#include "ferry/source/jushuitan/envelope.hpp"

#include "ferry/json/exact.hpp"

#include <charconv>

namespace ferry::source::jushuitan {
namespace {

using nlohmann::json;

// Paging fields arrive as numbers or as numeric strings.
std::optional<std::uint64_t> read_count(const json& holder, const char* name) {
  const auto it = holder.find(name);
  if (it == holder.end() || it->is_null()) return std::nullopt;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_number_integer() && it->get<long long>() >= 0) return static_cast<std::uint64_t>(it->get<long long>());
  if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc{} && ptr == text.data() + text.size()) return value;
  }
  return std::nullopt;
}

std::optional<bool> read_flag(const json& holder, const char* name) {
  const auto it = holder.find(name);
  if (it == holder.end() || it->is_null()) return std::nullopt;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) return it->get_ref<const std::string&>() == "true";
  if (it->is_number_integer()) return it->get<long long>() != 0;
  return std::nullopt;
}

std::optional<long long> read_code(const json& body) {
  const auto it = body.find("code");
  if (it == body.end()) {
    // Old endpoints answer with issuccess alone.
    const auto ok = read_flag(body, "issuccess");
    if (ok) return *ok ? 0 : -1;
    return std::nullopt;
  }
  if (it->is_number_integer()) return it->get<long long>();
  if (it->is_string()) {
    long long value = 0;
    const auto& text = it->get_ref<const std::string&>();
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc{} && ptr == text.data() + text.size()) return value;
  }
  return std::nullopt;
}

bool has_paging(const json& holder) {
  return holder.contains("page_index") || holder.contains("data_count") || holder.contains("page_count") ||
         holder.contains("has_next");
}

void read_paging(const json& holder, page& p) {
  p.page_index = read_count(holder, "page_index");
  p.page_size = read_count(holder, "page_size");
  p.data_count = read_count(holder, "data_count");
  p.page_count = read_count(holder, "page_count");
  p.has_next = read_flag(holder, "has_next");
}

envelope take_list(json& holder, std::string_view list_key, page p) {
  const auto it = holder.find(list_key);
  if (it == holder.end() || it->is_null()) {
    // An empty result often comes without its list.
    if (has_paging(holder)) return p;
    return malformed{"no \"" + std::string{list_key} + "\" list in the answer (is list_key right?)"};
  }
  if (!it->is_array()) return malformed{"\"" + std::string{list_key} + "\" is not an array"};
  p.records.reserve(it->size());
  for (auto& record : *it) p.records.push_back(std::move(record));
  return p;
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

envelope parse_envelope(std::string_view body, std::string_view list_key) {
  json doc;
  try {
    doc = ferry::json::parse_exact(body);
  } catch (const ferry::json::parse_error& e) {
    return malformed{std::string{"not JSON: "} + e.what()};
  }
  if (!doc.is_object()) return malformed{"the answer is not a JSON object"};
  const auto code = read_code(doc);
  if (!code) return malformed{"the answer has no \"code\""};
  if (*code != 0) {
    const auto msg = doc.find("msg");
    return api_error{*code, msg != doc.end() && msg->is_string() ? msg->get<std::string>() : std::string{},
                     request_id_of(doc)};
  }
  page p;
  p.request_id = request_id_of(doc);
  auto data = doc.find("data");
  if (data != doc.end() && data->is_array()) return take_list(doc, "data", p);
  if (data != doc.end() && data->is_object()) {
    read_paging(*data, p);
    return take_list(*data, list_key, std::move(p));
  }
  if (data != doc.end() && !data->is_null())
    return malformed{"\"data\" is neither an object, an array nor null"};
  // No data at all: the top-level shape of older endpoints, or an empty page.
  if (doc.contains(list_key) || has_paging(doc)) {
    read_paging(doc, p);
    return take_list(doc, list_key, std::move(p));
  }
  return p;
}

}  // namespace ferry::source::jushuitan
