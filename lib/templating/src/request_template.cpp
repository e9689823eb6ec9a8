#include "ferry/templating/request_template.hpp"

#include "ferry/templating/suggest.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace ferry::templating {
namespace {

using ordered_json = nlohmann::ordered_json;

enum class field_type { as_written, integer, boolean };

struct type_spelling {
  std::string_view name;
  field_type type;
};
constexpr std::array<type_spelling, 16> type_spellings{{{"string", field_type::as_written},
                                                        {"text", field_type::as_written},
                                                        {"int", field_type::integer},
                                                        {"integer", field_type::integer},
                                                        {"long", field_type::integer},
                                                        {"number", field_type::integer},
                                                        {"float", field_type::as_written},
                                                        {"double", field_type::as_written},
                                                        {"decimal", field_type::as_written},
                                                        {"bool", field_type::boolean},
                                                        {"boolean", field_type::boolean},
                                                        {"datetime", field_type::as_written},
                                                        {"date", field_type::as_written},
                                                        {"timestamp", field_type::as_written},
                                                        {"array", field_type::as_written},
                                                        {"object", field_type::as_written}}};

constexpr std::array<std::string_view, 9> entry_keys{"field", "label", "type", "value", "describe",
                                                    "is_required", "id", "parent", "children"};

// Collects errors for one request with its path prefix.
struct error_sink {
  std::string_view prefix;
  std::vector<template_error>& errors;
  paging_entries* paging = nullptr;

  void add(std::string suffix, std::size_t entry, std::string message, std::string hint) {
    errors.push_back({std::string{prefix} + suffix, entry, std::move(message), std::move(hint)});
  }
};

bool is_plain_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

std::string member_suffix(std::string_view name) {
  if (is_plain_name(name)) return "." + std::string{name};
  return "[" + ordered_json(name).dump() + "]";
}

std::string kind_name(const ordered_json& v) {
  const std::string name = v.type_name();
  return (name == "array" || name == "object") ? "an " + name : "a " + name;
}

std::optional<field_type> parse_field_type(std::string_view text) {
  std::string lower;
  for (const char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& t : type_spellings)
    if (t.name == lower) return t.type;
  return std::nullopt;
}

std::optional<std::int64_t> whole_number(std::string_view text) {
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return n;
}

bool is_whole_timestamp(const compiled_value& v) {
  if (v.pieces().size() != 1) return false;
  const auto* p = std::get_if<placeholder>(&v.pieces().front());
  return p != nullptr && (p->format == time_format::timestamp || p->format == time_format::timestamp_ms);
}

// Compiles a string value and applies a QEasy type; nullopt after reporting an error.
std::optional<request_field> typed_field(std::string name, const std::string& text, field_type type,
                                         error_sink& sink, const std::string& where, std::size_t entry) {
  template_error error;
  auto compiled = compile(text, error);
  if (!compiled) {
    sink.add(where, entry, std::move(error.message), std::move(error.hint));
    return std::nullopt;
  }
  if (type == field_type::integer && !is_whole_timestamp(*compiled)) {
    const auto n = compiled->has_placeholders() ? std::nullopt : whole_number(text);
    if (!n) {
      sink.add(where, entry, "\"" + text + "\" is not a whole number",
               "a numeric type takes digits (\"12345\") or a {{...|timestamp}} template");
      return std::nullopt;
    }
    return request_field{std::move(name), ordered_json(*n)};
  }
  if (type == field_type::boolean) {
    if (text != "true" && text != "false") {
      sink.add(where, entry, "\"" + text + "\" is not a boolean", "a bool type takes \"true\" or \"false\"");
      return std::nullopt;
    }
    return request_field{std::move(name), ordered_json(text == "true")};
  }
  if (!compiled->has_placeholders()) return request_field{std::move(name), ordered_json(text)};
  return request_field{std::move(name), std::move(*compiled)};
}

bool check_name(std::string_view name, error_sink& sink, const std::string& where, std::size_t entry) {
  if (name.empty()) {
    sink.add(where, entry, "empty field name", "name the request parameter, e.g. \"create_time_start\"");
    return false;
  }
  if ((name == "page_index" || name == "page_size") && sink.paging == nullptr) {
    sink.add(where, entry, "\"" + std::string{name} + "\" is set by ferry for every page",
             "remove it; set the page size with the job's \"page_size\" key");
    return false;
  }
  return true;
}

std::optional<field_type> entry_type(const ordered_json& entry, error_sink& sink, const std::string& where,
                                     std::size_t index) {
  const auto it = entry.find("type");
  if (it == entry.end()) return field_type::as_written;
  const auto type = it->is_string() ? parse_field_type(it->get<std::string>()) : std::nullopt;
  if (!type) {
    const std::string shown = it->is_string() ? "\"" + it->get<std::string>() + "\"" : kind_name(*it);
    sink.add(where + ".type", index, shown + " is not a field type",
             "valid types: " + std::string{valid_field_types_hint()});
  }
  return type;
}

bool known_entry_keys(const ordered_json& entry, error_sink& sink, const std::string& where,
                      std::size_t index) {
  bool ok = true;
  for (const auto& [key, value] : entry.items()) {
    if (key == "children" && !value.is_null() && !(value.is_array() && value.empty())) {
      sink.add(where + ".children", index, "nested parameters are not supported",
               "write the parameter's whole value (an object or array) in \"value\"");
      ok = false;
      continue;
    }
    if (key == "parser") {
      sink.add(where + ".parser", index, "value parsers are not supported",
               "write the value as the platform takes it (e.g. an array as [\"a\",\"b\"]) and remove \"parser\"");
      ok = false;
      continue;
    }
    if (std::find(entry_keys.begin(), entry_keys.end(), key) != entry_keys.end()) continue;
    const auto near = closest_match(key, entry_keys);
    sink.add(where + member_suffix(key), index, "unknown key",
             near ? "did you mean \"" + *near + "\"?" : "known keys: " + join_names(entry_keys));
    ok = false;
  }
  return ok;
}

// A list entry: its name when valid (for the duplicate check) and its field
// unless the entry is left out or wrong.
struct parsed_entry {
  std::optional<std::string> name;
  std::optional<request_field> field;
};

parsed_entry list_entry(const ordered_json& entry, std::size_t index, error_sink& sink) {
  const std::string where = "[" + std::to_string(index) + "]";
  parsed_entry out;
  if (!entry.is_object()) {
    sink.add(where, index, "expected an object, got " + kind_name(entry),
             R"(a QEasy entry reads {"field": "create_time_start", "value": "{{LAST_SYNC_TIME|datetime}}"})");
    return out;
  }
  const bool keys_ok = known_entry_keys(entry, sink, where, index);
  const auto field = entry.find("field");
  if (field == entry.end() || !field->is_string()) {
    sink.add(where + ".field", index,
             field == entry.end() ? "required" : "expected a string, got " + kind_name(*field),
             "the request parameter's name, e.g. \"create_time_start\"");
  } else if (check_name(field->get<std::string>(), sink, where + ".field", index)) {
    out.name = field->get<std::string>();
  }
  const auto type = entry_type(entry, sink, where, index);
  const auto value = entry.find("value");
  if (out.name && sink.paging != nullptr && (*out.name == "page_index" || *out.name == "page_size")) {
    auto& slot = *out.name == "page_index" ? sink.paging->page_index : sink.paging->page_size;
    if (value == entry.end() || !(value->is_string() || value->is_number_integer()))
      sink.add(where + ".value", index, value == entry.end() ? "required" : "expected a string, got " + kind_name(*value),
               "the page size, e.g. \"1000\" or \"{{PAGINATION_PAGE_SIZE}}\"");
    else
      slot = paging_entries::entry{value->is_string() ? value->get<std::string>() : value->dump(), index};
    out.name.reset();  // not sent as written: ferry sets both for every page
    return out;
  }
  if (value == entry.end()) {
    sink.add(where + ".value", index, "required",
             "the parameter's value or a template, e.g. \"{{LAST_SYNC_TIME|datetime}}\"");
    return out;
  }
  const bool omitted = value->is_null() || (value->is_string() && value->get<std::string>().empty());
  if (!out.name || !type || !keys_ok || omitted) return out;
  if (!value->is_string()) {
    out.field = request_field{*out.name, *value};
    return out;
  }
  out.field = typed_field(*out.name, value->get<std::string>(), *type, sink, where + ".value", index);
  return out;
}

std::optional<request_field> object_entry(const std::string& name, const ordered_json& value,
                                          std::size_t index, error_sink& sink) {
  const std::string where = member_suffix(name);
  if (!check_name(name, sink, where, index)) return std::nullopt;
  if (!value.is_string()) return request_field{name, value};
  return typed_field(name, value.get<std::string>(), field_type::as_written, sink, where, index);
}

std::vector<request_field> list_fields(const ordered_json& request, error_sink& sink) {
  std::vector<request_field> fields;
  std::vector<std::pair<std::string, std::size_t>> seen;
  for (std::size_t i = 0; i < request.size(); ++i) {
    auto entry = list_entry(request[i], i, sink);
    if (!entry.name) continue;
    const auto first =
        std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == *entry.name; });
    if (first != seen.end()) {
      sink.add("[" + std::to_string(i) + "].field", i, "duplicate field \"" + *entry.name + "\"",
               "already set at " + std::string{sink.prefix} + "[" + std::to_string(first->second) + "]");
      continue;
    }
    seen.emplace_back(*entry.name, i);
    if (entry.field) fields.push_back(std::move(*entry.field));
  }
  return fields;
}

std::vector<request_field> object_fields(const ordered_json& request, error_sink& sink) {
  std::vector<request_field> fields;
  std::size_t index = 0;
  for (const auto& [name, value] : request.items()) {
    if (auto field = object_entry(name, value, index, sink)) fields.push_back(std::move(*field));
    ++index;
  }
  return fields;
}

}  // namespace

std::optional<request_template> request_template::from_json(const ordered_json& request,
                                                            std::string_view path,
                                                            std::vector<template_error>& errors,
                                                            paging_entries* paging) {
  error_sink sink{path, errors, paging};
  const std::size_t errors_before = errors.size();
  request_template out;
  if (request.is_array()) {
    out.fields_ = list_fields(request, sink);
  } else if (request.is_object()) {
    out.fields_ = object_fields(request, sink);
  } else {
    sink.add(
        "", 0, "expected an object or a QEasy list, got " + kind_name(request),
        R"(e.g. {"create_time_start": "{{LAST_SYNC_TIME|datetime}}"} or [{"field": "create_time_start", "value": "{{LAST_SYNC_TIME|datetime}}"}])");
  }
  if (errors.size() != errors_before) return std::nullopt;
  return out;
}

ordered_json request_template::render(const template_context& context) const {
  ordered_json biz = ordered_json::object();
  for (const auto& field : fields_) {
    if (const auto* compiled = std::get_if<compiled_value>(&field.value))
      biz[field.name] = ordered_json(templating::render(*compiled, context));
    else
      biz[field.name] = std::get<ordered_json>(field.value);
  }
  return biz;
}

bool request_template::has_window_fields() const {
  for (const auto& field : fields_) {
    const auto* compiled = std::get_if<compiled_value>(&field.value);
    if (compiled != nullptr && uses_window(*compiled)) return true;
  }
  return false;
}

std::vector<std::string> request_template::field_names() const {
  std::vector<std::string> names;
  for (const auto& field : fields_) names.push_back(field.name);
  return names;
}

std::string_view valid_field_types_hint() {
  return "string, text, int, integer, long, number, float, double, decimal, bool, boolean, "
         "datetime, date, timestamp, array, object";
}

}  // namespace ferry::templating
