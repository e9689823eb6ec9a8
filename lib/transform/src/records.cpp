#include "ferry/transform/records.hpp"

#include "ferry/core/time.hpp"

#include <array>
#include <charconv>
#include <cstdlib>
#include <map>
#include <set>

namespace ferry::transform {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 11> logic_names{"eq",   "neq",     "gt",      "egt",     "lt",    "elt",
                                                       "like", "notlike", "between", "notnull", "isnull"};
constexpr std::string_view timestamp_prefix = "timestamp:";

// A JSON value as the text a test compares: strings as they are, numbers
// and booleans as their JSON text.
std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Digits with an optional sign and fraction ("-12.50"): what a test reads as a
// number; "1e3", "0x1F", "nan" and codes like "0E123" compare as text.
bool plain_number(const std::string& s) {
  std::size_t i = s.starts_with('-') ? 1 : 0;
  const auto digits = [&] {
    const auto from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  return i == s.size() && s.size() <= 64;
}

std::optional<long double> number_of(const json& v) {
  if (v.is_number()) return v.get<long double>();
  if (!v.is_string()) return std::nullopt;
  const auto s = v.get<std::string>();
  if (!plain_number(s)) return std::nullopt;
  return std::strtold(s.c_str(), nullptr);
}

// "timestamp:1704067200" -> 1704067200.
std::optional<long long> timestamp_of(const json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto s = v.get<std::string>();
  if (!s.starts_with(timestamp_prefix)) return std::nullopt;
  long long n = 0;
  const auto* first = s.data() + timestamp_prefix.size();
  const auto [ptr, ec] = std::from_chars(first, s.data() + s.size(), n);
  if (ec != std::errc{} || ptr != s.data() + s.size() || first == ptr) return std::nullopt;
  return n;
}

// -1, 0, 1; nullopt when the two cannot be ordered (a timestamp test
// against a value that is not a datetime).
std::optional<int> compare(const json& field, const json& test) {
  if (const auto ts = timestamp_of(test)) {
    std::optional<long long> seconds;
    if (field.is_number_integer()) seconds = field.get<long long>();
    else if (field.is_string())
      if (const auto t = core::parse_shanghai_datetime(field.get<std::string>()))
        seconds = t->time_since_epoch().count();
    if (!seconds) return std::nullopt;
    return *seconds < *ts ? -1 : (*seconds > *ts ? 1 : 0);
  }
  const auto a = number_of(field), b = number_of(test);
  if (a && b) return *a < *b ? -1 : (*a > *b ? 1 : 0);
  const auto x = text_of(field), y = text_of(test);
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool missing(const json* v) { return v == nullptr || v->is_null() || (v->is_string() && v->get_ref<const std::string&>().empty()); }

std::pair<json, json> bounds(const json& value) {
  if (value.is_array()) return {value[0], value[1]};
  const auto s = value.get<std::string>();
  const auto comma = s.find(',');
  return {json(s.substr(0, comma)), json(s.substr(comma + 1))};
}

bool test_value(const filter_test& t, const json* v) {
  switch (t.logic) {
    case filter_logic::isnull: return missing(v);
    case filter_logic::notnull: return !missing(v);
    default: break;
  }
  if (v == nullptr || v->is_null() || v->is_object() || v->is_array()) return false;
  if (t.logic == filter_logic::like || t.logic == filter_logic::notlike) {
    const bool contains = text_of(*v).find(text_of(t.value)) != std::string::npos;
    return t.logic == filter_logic::like ? contains : !contains;
  }
  if (t.logic == filter_logic::between) {
    const auto [low, high] = bounds(t.value);
    const auto a = compare(*v, low), b = compare(*v, high);
    return a && b && *a >= 0 && *b <= 0;
  }
  const auto c = compare(*v, t.value);
  if (!c) return false;
  switch (t.logic) {
    case filter_logic::eq: return *c == 0;
    case filter_logic::neq: return *c != 0;
    case filter_logic::gt: return *c > 0;
    case filter_logic::egt: return *c >= 0;
    case filter_logic::lt: return *c < 0;
    case filter_logic::elt: return *c <= 0;
    default: return false;
  }
}

// Follows "a.b.c" through objects; nullptr when a step is missing.
const json* follow(const json& from, std::string_view path) {
  const json* at = &from;
  while (true) {
    if (!at->is_object()) return nullptr;
    const auto dot = path.find('.');
    const auto it = at->find(std::string{path.substr(0, dot)});
    if (it == at->end()) return nullptr;
    at = &*it;
    if (dot == std::string_view::npos) return at;
    path.remove_prefix(dot + 1);
  }
}

// Where a test reads detail rows: the array key before the first dot, when
// the record holds an array there.
struct detail_path {
  std::string array;
  std::string rest;
};
std::optional<detail_path> detail_of(const json& record, const std::string& field) {
  const auto dot = field.find('.');
  if (dot == std::string::npos) return std::nullopt;
  const auto it = record.find(field.substr(0, dot));
  if (it == record.end() || !it->is_array()) return std::nullopt;
  return detail_path{field.substr(0, dot), field.substr(dot + 1)};
}

}  // namespace

std::optional<filter_logic> parse_filter_logic(std::string_view text) {
  for (std::size_t i = 0; i < logic_names.size(); ++i)
    if (logic_names[i] == text) return static_cast<filter_logic>(i);
  return std::nullopt;
}

std::string_view to_string(filter_logic logic) { return logic_names[static_cast<std::size_t>(logic)]; }

std::string_view filter_logics_hint() { return "eq, neq, gt, egt, lt, elt, like, notlike, between, notnull, isnull"; }

std::optional<std::string> check_filter_value(filter_logic logic, const json& value) {
  if (logic == filter_logic::isnull || logic == filter_logic::notnull) return std::nullopt;  // value unused
  if (logic == filter_logic::between) {
    const bool pair = (value.is_array() && value.size() == 2 && !value[0].is_structured() && !value[1].is_structured()) ||
                      (value.is_string() && value.get<std::string>().find(',') != std::string::npos);
    if (!pair) return "between takes two bounds: [low, high] or \"low,high\"";
    return std::nullopt;
  }
  if (!value.is_string() && !value.is_number()) return "expected a string or a number";
  if (value.is_string() && value.get<std::string>().starts_with(timestamp_prefix) && !timestamp_of(value))
    return "\"" + value.get<std::string>() + "\" is not timestamp:<Unix seconds>";
  return std::nullopt;
}

bool record_filter::keep(json& record) const {
  if (groups_.empty()) return true;
  for (const auto& group : groups_) {
    bool pass = true;
    // Per array: the elements every non-strict test of this group kept.
    std::map<std::string, std::set<std::size_t>> kept;
    for (const auto& t : group) {
      const auto detail = detail_of(record, t.field);
      if (!detail) {
        pass = test_value(t, follow(record, t.field));
      } else {
        const auto& elements = record[detail->array];
        std::set<std::size_t> passing;
        for (std::size_t i = 0; i < elements.size(); ++i)
          if (test_value(t, follow(elements[i], detail->rest))) passing.insert(i);
        if (elements.empty()) pass = test_value(t, nullptr);
        else if (t.strict) pass = passing.size() == elements.size();
        else {
          auto [it, fresh] = kept.try_emplace(detail->array, passing);
          if (!fresh) {
            std::set<std::size_t> both;
            for (auto i : it->second)
              if (passing.count(i)) both.insert(i);
            it->second = std::move(both);
          }
          pass = !it->second.empty();
        }
      }
      if (!pass) break;
    }
    if (!pass) continue;
    for (const auto& [array, keep_at] : kept) {
      auto& elements = record[array];
      if (keep_at.size() == elements.size()) continue;
      json left = json::array();
      for (auto i : keep_at) left.push_back(std::move(elements[i]));
      elements = std::move(left);
    }
    return true;
  }
  return false;
}

void flatten(const json& record, const std::vector<std::string>& arrays, std::vector<json>& out) {
  std::vector<json> current{record};
  for (const auto& name : arrays) {
    std::vector<json> next;
    for (auto& r : current) {
      const auto it = r.find(name);
      if (it == r.end() || !it->is_array() || it->empty()) {
        if (it != r.end() && (it->is_null() || it->is_array())) r.erase(name);
        next.push_back(std::move(r));
        continue;
      }
      const json elements = std::move(*it);
      r.erase(name);
      for (const auto& e : elements) {
        json flat = r;
        if (e.is_object())
          for (const auto& [key, value] : e.items()) flat[name + "_" + key] = value;
        else
          flat[name] = e;
        next.push_back(std::move(flat));
      }
    }
    current = std::move(next);
  }
  for (auto& r : current) out.push_back(std::move(r));
}

}  // namespace ferry::transform
