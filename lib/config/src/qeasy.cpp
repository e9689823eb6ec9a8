// A job given as a QEasy (轻易云) pair: the source block and the target
// block as QEasy stores them, read key by key into ferry's own job. Every key
// is either used, accepted with what ferry makes of it (in the report that
// --check-config prints), or refused with what to write instead; none is
// dropped without a word. docs/qeasy.md is the user's side of this file.
#include "sections.hpp"

#include "ferry/config/endpoints.hpp"
#include "ferry/templating/suggest.hpp"
#include "ferry/transform/path.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace ferry::config::detail {
namespace {

constexpr std::array<std::string_view, 3> pair_keys{"source", "target", "version"};
constexpr std::array<std::string_view, 17> source_keys{
    "api",       "effect",     "type",           "method",    "number",           "id",
    "name",      "idCheck",    "pagination",     "request",   "otherRequest",     "condition",
    "beatFlat",  "omissionRemedy", "autoFillResponse", "response", "otherResponse"};
constexpr std::array<std::string_view, 10> target_keys{"api",     "effect",       "type",     "method",   "number",
                                                       "id",      "name",         "idCheck",  "request",  "otherRequest"};
constexpr std::array<std::string_view, 3> remedy_keys{"crontab", "adapter", "takeOverRequest"};
constexpr std::array<std::string_view, 9> descriptor_keys{"field", "label", "type", "value", "describe",
                                                          "is_required", "id", "parent", "children"};

// Keys QEasy has that ferry refuses, with what to do instead.
struct refusal {
  std::string_view key, message, hint;
};
constexpr std::array<refusal, 6> refused_keys{{
    {"condition_bk", "not used by ferry: no public QEasy material says what it does",
     "if it is a kept copy of \"condition\", remove it; if it should filter records, name it \"condition\""},
    {"buildModel", "not supported: no public QEasy material says what it does",
     "remove it; say in an issue what it did for your scheme"},
    {"_function", "QEasy's MySQL-flavoured expressions are not supported",
     "compute the value in a view or with a generated column in MySQL, and remove it"},
    {"_findCollection", "lookups in another scheme's stored data are not supported",
     "join the other table in MySQL (a view) instead, and remove it"},
    {"extend_sql_1", "detail statements (extend_sql_N) are not supported",
     "write the details with a second target table (ferry's \"explode\"), see docs/qeasy.md"},
    {"extend_params_1", "detail statements (extend_params_N) are not supported",
     "write the details with a second target table (ferry's \"explode\"), see docs/qeasy.md"},
}};

// The refusal for `key`: itself, or extend_sql_N / extend_params_N for any N.
const refusal* find_refusal(std::string_view key) {
  for (const auto& r : refused_keys)
    if (r.key == key || (r.key.starts_with("extend_") && key.starts_with(r.key.substr(0, r.key.size() - 1)))) return &r;
  return nullptr;
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// Reports the keys object_reader would call unknown, with QEasy's own words
// where ferry knows the key.
void check_keys(const json& block, const location& where, diagnostics& diag, key_list known) {
  if (!block.is_object()) {
    diag.add(where, "expected an object, got " + kind_name(block));
    return;
  }
  std::size_t index = 0;
  for (const auto& item : block.items()) {
    const std::string key = item.key();
    const auto at = where.member(key, index++);
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    if (const auto* refused = find_refusal(key)) {
      diag.add(at, std::string{refused->message}, std::string{refused->hint});
      continue;
    }
    const auto near = templating::closest_match(key, known);
    diag.add(at, "unknown QEasy key", near ? "did you mean " + json_quoted(*near) + "?"
                                           : "keys ferry reads here: " + templating::join_names(known));
  }
}

struct pair_reader {
  const load_context& ctx;
  job_config& job;
  qeasy_origin origin;

  void note(const location& at, std::string text) { origin.report.push_back(at.path + ": " + std::move(text)); }
  void error(const location& at, std::string message, std::string hint = {}) {
    ctx.diag.add(at, std::move(message), std::move(hint));
  }

  // A string member, or nullopt (reported when present and not a string, or required and absent).
  std::optional<std::string> text(const json& block, const location& where, std::string_view key, bool required = false) {
    const auto at = key_location(block, where, key);
    const auto it = block.find(key);
    if (it == block.end()) {
      if (required) error(at, "required");
      return std::nullopt;
    }
    if (!it->is_string()) {
      error(at, "expected a string, got " + kind_name(*it));
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  void read_role(const json& block, const location& where, bool source) {
    const auto effect = text(block, where, "effect");
    const auto type = text(block, where, "type");
    const std::string wanted = source ? "QUERY" : "EXECUTE";
    for (const auto& [key, value] : {std::pair{"effect", effect}, std::pair{"type", type}}) {
      if (!value) continue;
      const auto v = upper(*value);
      const bool ok = source ? v == "QUERY" : (v == "EXECUTE" || v == "WRITE");
      const auto at = key_location(block, where, key);
      if (!ok)
        error(at, json_quoted(*value) + " is not a " + (source ? "source" : "target") + " block's role",
              source ? "a source block reads \"QUERY\"" : "a target block reads \"EXECUTE\" (or \"WRITE\")");
      else
        note(at, json_quoted(*value) + ": a " + (source ? "query, read page by page" : "write into MySQL"));
    }
    if (effect && type && upper(*effect) != upper(*type))
      error(key_location(block, where, "type"), "\"effect\" and \"type\" disagree", "keep one of them");
  }

  // --- the source block ---

  void read_source_api(const json& block, const location& where) {
    const auto api = text(block, where, "api", true);
    if (!api) return;
    const auto at = key_location(block, where, "api");
    if (!api->starts_with("/") || api->find_first_of(" \t?#") != std::string::npos) {
      error(at, json_quoted(*api) + " is not an open-platform path",
            "ferry calls openapi.jushuitan.com by path, e.g. \"/open/refund/single/query\"; Qimen method names "
            "(jushuitan.*) are not supported");
      return;
    }
    job.api = *api;
    const auto* e = find_endpoint(*api);
    if (e != nullptr) job.list_key = std::string{e->list_key};
    note(at, json_quoted(*api) + ": the endpoint ferry calls" +
                 (e ? " (" + std::string{e->description} + ")" : std::string{" (not in ferry's table of endpoints: 6-day windows, pages up to 1000)"}));
  }

  void read_source_fields(const json& block, const location& where) {
    if (const auto method = text(block, where, "method")) {
      const auto at = key_location(block, where, "method");
      if (upper(*method) != "POST") error(at, json_quoted(*method) + " is not how the platform is called", "\"POST\"");
      else note(at, "\"POST\": every call is a signed form POST");
    }
    for (const auto key : {"number", "name", "id"}) {
      const auto value = text(block, where, key);
      if (!value) continue;
      const auto at = key_location(block, where, key);
      if (value->empty()) {
        error(at, "empty", "a field of the records, e.g. \"sku_sn\"");
        continue;
      }
      if (std::string_view{key} == "number") origin.number = *value;
      else if (std::string_view{key} == "name") origin.name = *value;
      else origin.id = *value;
    }
    if (!origin.number.empty())
      note(key_location(block, where, "number"), json_quoted(origin.number) + ": each dead letter names the record by it");
    if (!origin.name.empty())
      note(key_location(block, where, "name"), json_quoted(origin.name) + ": QEasy's display name; shown with the number");
    if (!origin.id.empty())
      note(key_location(block, where, "id"),
           json_quoted(origin.id) + ": the record's identity only where the table has no key of its own; "
           "the target table's PRIMARY or UNIQUE key decides");
    if (const auto it = block.find("idCheck"); it != block.end()) {
      const auto at = key_location(block, where, "idCheck");
      if (!it->is_boolean()) error(at, "expected true or false, got " + kind_name(*it));
      else
        note(at, it->dump() + ": ferry never skips a record because its id was seen before: a record the platform "
                               "changed is written again, and records that share an id are never collapsed");
    }
    if (const auto it = block.find("autoFillResponse"); it != block.end()) {
      const auto at = key_location(block, where, "autoFillResponse");
      if (!it->is_boolean()) error(at, "expected true or false, got " + kind_name(*it));
      else note(at, it->dump() + ": QEasy's editor fills its response-field list with it; ferry reads the fields the target names");
    }
    for (const auto key : {"response", "otherResponse"}) {
      const auto it = block.find(key);
      if (it == block.end()) continue;
      const auto at = key_location(block, where, key);
      if (!it->is_array() && !it->is_null()) error(at, "expected a list of fields, got " + kind_name(*it));
      else note(at, "a list of response fields for QEasy's editor; ferry reads the fields the target names");
    }
    if (const auto it = block.find("otherRequest"); it != block.end()) {
      const auto at = key_location(block, where, "otherRequest");
      if (!it->is_null() && !(it->is_structured() && it->empty()))
        error(at, "system parameters of a source are not supported",
              "put the platform's parameters in \"request\"; ferry sends only those");
      else note(at, "empty: nothing to send");
    }
  }

  // The page size: a page_size entry's digits, or the pagination block's
  // pageSize where the entry is {{PAGINATION_PAGE_SIZE}}, or the endpoint's cap.
  void read_paging(const json& block, const location& where, const templating::paging_entries& paging) {
    const auto* e = find_endpoint(job.api);
    const int cap = e ? e->max_page_size : unknown_endpoint_max_page_size;
    std::optional<std::int64_t> from_pagination;
    if (const auto it = block.find("pagination"); it != block.end()) {
      const auto at = key_location(block, where, "pagination");
      const object_reader r{*it, at, ctx.diag, std::array<std::string_view, 1>{"pageSize"}};
      from_pagination = r.integer("pageSize", 1, 1000000);
      if (from_pagination) note(r.at("pageSize"), std::to_string(*from_pagination) + ": the page size where page_size says {{PAGINATION_PAGE_SIZE}}");
    }
    const auto request_at = key_location(block, where, "request");
    if (paging.page_index) {
      const auto at = request_at.element(paging.page_index->index);
      const auto& v = paging.page_index->value;
      if (v != "1" && v != "{{PAGINATION_START_PAGE}}")
        error(at.member("value", 0), json_quoted(v) + ": ferry reads every window from page 1",
              "\"1\" or \"{{PAGINATION_START_PAGE}}\"");
      else
        note(at, "page_index: set by ferry for every page, from 1 until a short page");
    }
    std::optional<std::int64_t> size;
    std::string said = "the endpoint's cap";
    if (paging.page_size) {
      const auto at = request_at.element(paging.page_size->index);
      const auto& v = paging.page_size->value;
      if (v == "{{PAGINATION_PAGE_SIZE}}") {
        size = from_pagination;
        said = from_pagination ? "pagination.pageSize" : "the endpoint's cap (no pagination.pageSize)";
      } else if (!v.empty() && v.size() < 8 && std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }) &&
                 std::stoll(v) > 0) {
        size = std::stoll(v);
        said = "page_size";
      } else if (v.starts_with("{{PAGINATION_START_ROW")) {
        error(at.member("value", 0), json_quoted(v) + ": the platform pages by page_index, not by row offset",
              "\"{{PAGINATION_PAGE_SIZE}}\" or a number such as \"1000\"");
        return;
      } else {
        error(at.member("value", 0), json_quoted(v) + " is not a page size", "a number such as \"1000\" or \"{{PAGINATION_PAGE_SIZE}}\"");
        return;
      }
    } else if (from_pagination) {
      size = from_pagination;
      said = "pagination.pageSize";
    }
    job.page_size = static_cast<int>(std::min<std::int64_t>(size.value_or(cap), cap));
    const auto at = paging.page_size ? request_at.element(paging.page_size->index) : request_at;
    note(at, "pages of " + std::to_string(job.page_size) + " rows (from " + said +
                 (size && *size > cap ? ", " + std::to_string(*size) + " capped at the endpoint's documented " + std::to_string(cap) : std::string{}) +
                 ")");
  }

  void read_source_request(const json& block, const location& where) {
    const auto it = block.find("request");
    const auto at = key_location(block, where, "request");
    if (it == block.end()) {
      error(at, "required: no field takes the window",
            R"(add e.g. {"field":"create_time_start","value":"{{LAST_SYNC_TIME|datetime}}"})");
      return;
    }
    // Expressions are reported once, here, and left out of the template.
    json request = *it;
    if (check_values(request, at) && request.is_array())
      for (auto& entry : request)
        if (entry.is_object() && entry.contains("value") && expression(entry["value"])) entry["value"] = nullptr;
    std::vector<templating::template_error> errors;
    templating::paging_entries paging;
    auto compiled = templating::request_template::from_json(request, at.path, errors, &paging);
    for (auto& e : errors) {
      location loc{std::move(e.path), at.order};
      if (it->is_array() || it->is_object()) loc.order.push_back(e.entry);
      ctx.diag.add(loc, std::move(e.message), std::move(e.hint));
    }
    read_paging(block, where, paging);
    if (!compiled) return;
    if (!compiled->has_window_fields())
      error(at, "no field takes the window",
            R"(give one field {{LAST_SYNC_TIME|datetime}} and one {{CURRENT_TIME|datetime}})");
    job.request = std::move(*compiled);
    std::string fields;
    for (const auto& f : job.request.fields()) {
      const auto* c = std::get_if<templating::compiled_value>(&f.value);
      fields += (fields.empty() ? "" : ", ") + f.name + (c ? " = " + c->text() : " = " + std::get<nlohmann::ordered_json>(f.value).dump());
    }
    note(at, "sent with every page: " + fields +
                 " (LAST_SYNC_TIME is a window's start, CURRENT_TIME its end; windows follow the job's \"window\")");
  }

  static const refusal* expression(const json& value) {
    if (!value.is_string()) return nullptr;
    const auto& s = value.get_ref<const std::string&>();
    for (const auto& r : refused_keys)
      if (r.key.starts_with("_") && s.starts_with(std::string{r.key} + " ")) return &r;
    return nullptr;
  }

  // _function / _findCollection values in a list of descriptors; true when there were some.
  bool check_values(const json& list, const location& where) {
    bool found = false;
    if (!list.is_array()) return found;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& entry = list[i];
      if (!entry.is_object() || !entry.contains("value")) continue;
      if (const auto* r = expression(entry["value"])) {
        error(key_location(entry, where.element(i), "value"), std::string{r->message}, std::string{r->hint});
        found = true;
      }
    }
    return found;
  }

  void read_condition(const json& block, const location& where) {
    const auto it = block.find("condition");
    if (it == block.end()) return;
    const auto at = key_location(block, where, "condition");
    job.filter = read_filter(*it, at, ctx, "strictMode");
    if (!job.filter.empty())
      note(at, std::to_string(job.filter.size()) + " group(s), any of which keeps a record (tests within a group all "
               "pass); applied before mapping; records it drops are counted as skipped");
  }

  void read_beat_flat(const json& block, const location& where) {
    const auto it = block.find("beatFlat");
    if (it == block.end()) return;
    const auto at = key_location(block, where, "beatFlat");
    job.flatten = read_flatten(*it, at, ctx);
    for (const auto& a : job.flatten)
      note(at, "each element of " + json_quoted(a) + " becomes a record of its own, its keys named " + a +
                   "_<key>; the record's id is not suffixed (the target's key must tell the elements apart)");
  }

  void read_remedy(const json& block, const location& where) {
    const auto it = block.find("omissionRemedy");
    if (it == block.end()) return;
    const auto at = key_location(block, where, "omissionRemedy");
    const object_reader r{*it, at, ctx.diag, remedy_keys};
    if (!r.is_object()) return;
    catch_up_config c;
    if (const auto cron = r.string("crontab", "when the catch-up runs, e.g. \"2 */2 * * *\"")) {
      json schedule = json::object();
      schedule["cron"] = *cron;
      c.schedule = read_schedule(schedule, r.at("crontab"), ctx);
    }
    if (const auto adapter = r.find("adapter"); adapter != nullptr && !(adapter->is_string() && adapter->get<std::string>().empty()) && !adapter->is_null())
      r.report("adapter", "another adapter for the catch-up is not supported",
               "ferry re-reads with the job's own source and endpoint; remove \"adapter\"");
    const auto* take = r.find("takeOverRequest");
    if (take == nullptr) {
      r.report("takeOverRequest", "required", "the fields that replace the window's, e.g. {{DAYS_AGO_2|datetime}} and {{DAYS_AGO_1|datetime}}");
      return;
    }
    const auto take_at = r.at("takeOverRequest");
    if (!take->is_array()) {
      error(take_at, "expected a list of fields, got " + kind_name(*take));
      return;
    }
    std::optional<int> from, to;
    for (std::size_t i = 0; i < take->size(); ++i) {
      const auto entry_at = take_at.element(i);
      const auto& entry = (*take)[i];
      check_keys(entry, entry_at, ctx.diag, descriptor_keys);
      if (!entry.is_object()) continue;
      const auto field = text(entry, entry_at, "field", true);
      const auto value = text(entry, entry_at, "value", true);
      if (!field || !value) continue;
      const auto which = window_field(*field);
      if (!which) {
        error(key_location(entry, entry_at, "field"), json_quoted(*field) + " does not take the window",
              "a catch-up replaces only the window's fields (" + window_fields() + "); ferry re-reads the same "
              "request over an earlier range");
        continue;
      }
      templating::template_error e;
      const auto days = days_ago(*value, e);
      if (!days) {
        error(key_location(entry, entry_at, "value"), std::move(e.message), std::move(e.hint));
        continue;
      }
      (*which ? to : from) = *days;
    }
    if (!from || !to) {
      error(take_at, "needs both window fields", "replace " + window_fields() + " with {{DAYS_AGO_N|datetime}} values");
      return;
    }
    if (*from <= *to) {
      error(take_at, "the range is empty: DAYS_AGO_" + std::to_string(*from) + " is not before DAYS_AGO_" + std::to_string(*to),
            "the start counts back more days than the end, e.g. DAYS_AGO_2 .. DAYS_AGO_1");
      return;
    }
    c.from_days = *from;
    c.to_days = *to;
    job.catch_up = c;
    note(at, "a catch-up run on \"" + c.schedule.cron.value_or("") + "\" (" + c.schedule.tz + ") re-reads the " +
                 std::to_string(*from) + " to " + std::to_string(*to) +
                 " days before its start with the calls live runs leave over, without moving the watermark; rows it "
                 "finds that live runs missed are counted and logged");
  }

  // nullopt: not a window field; false: takes LAST_SYNC_TIME; true: CURRENT_TIME.
  std::optional<bool> window_field(const std::string& name) const {
    for (const auto& f : job.request.fields()) {
      if (f.name != name) continue;
      const auto* c = std::get_if<templating::compiled_value>(&f.value);
      if (c == nullptr) return std::nullopt;
      for (const auto& piece : c->pieces())
        if (const auto* p = std::get_if<templating::placeholder>(&piece)) {
          if (p->name == templating::time_name::last_sync_time) return false;
          if (p->name == templating::time_name::current_time) return true;
        }
    }
    return std::nullopt;
  }

  std::string window_fields() const {
    std::string out;
    for (const auto& f : job.request.fields())
      if (window_field(f.name)) out += (out.empty() ? "" : ", ") + f.name;
    return out.empty() ? "none" : out;
  }

  void read_source(const json& block, const location& where) {
    check_keys(block, where, ctx.diag, source_keys);
    if (!block.is_object()) return;
    read_source_api(block, where);
    read_role(block, where, true);
    read_source_fields(block, where);
    read_source_request(block, where);
    read_condition(block, where);
    read_beat_flat(block, where);
    read_remedy(block, where);
  }

  // --- the target block ---

  std::vector<std::pair<std::string, location>> read_columns(const json& list, const location& at, target_config& t) {
    std::vector<std::pair<std::string, location>> names;
    if (!list.is_array() || list.empty()) {
      error(at, list.is_array() ? "empty" : "expected a list of columns, got " + kind_name(list),
            R"(one entry per column of main_sql, in its order, e.g. {"field": "sku_sn", "value": "{{sku_sn}}"})");
      return names;
    }
    check_values(list, at);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto entry_at = at.element(i);
      const auto& entry = list[i];
      check_keys(entry, entry_at, ctx.diag, descriptor_keys);
      if (!entry.is_object()) continue;
      if (const auto children = entry.find("children"); children != entry.end() && !children->is_null() && !(children->is_array() && children->empty()))
        error(key_location(entry, entry_at, "children"), "nested columns are not supported",
              "one entry per column of main_sql");
      const auto field = text(entry, entry_at, "field", true);
      const auto value = text(entry, entry_at, "value", true);
      if (!field) continue;
      names.emplace_back(*field, key_location(entry, entry_at, "field"));
      if (!is_sql_identifier(*field)) {
        error(key_location(entry, entry_at, "field"), json_quoted(*field) + " is not a column name",
              "letters, digits and '_', not starting with a digit, at most 64");
        continue;
      }
      if (!value) continue;
      static const std::regex whole_field{R"(^\{\{\s*([^{}|\s]+)\s*\}\}$)"};
      std::smatch m;
      if (value->starts_with("_function ") || value->starts_with("_findCollection ")) continue;  // reported
      if (!std::regex_match(*value, m, whole_field)) {
        error(key_location(entry, entry_at, "value"), json_quoted(*value) + " is not a record field",
              "a target column takes one field of the record, e.g. \"{{sku_sn}}\"; for a constant, give the "
              "column a DEFAULT in MySQL and leave it out");
        continue;
      }
      std::string path = m[1];
      std::string why;
      if (!transform::json_path::compile(path, why)) {
        error(key_location(entry, entry_at, "value"), json_quoted(*value) + ": " + why, "e.g. \"{{sku_sn}}\"");
        continue;
      }
      const auto same = std::find_if(t.columns.begin(), t.columns.end(), [&](const column_config& c) { return c.name == *field; });
      if (same != t.columns.end()) {
        error(key_location(entry, entry_at, "field"), "duplicate column " + json_quoted(*field), "list each column once");
        continue;
      }
      column_config c;
      c.name = *field;
      c.path = path;
      t.columns.push_back(std::move(c));
    }
    return names;
  }

  // otherRequest as a list of descriptors or as an object.
  std::vector<std::pair<std::string, std::pair<const json*, location>>> other_request(const json& value, const location& at) {
    std::vector<std::pair<std::string, std::pair<const json*, location>>> out;
    if (value.is_object()) {
      std::size_t i = 0;
      for (const auto& [key, v] : value.items()) out.push_back({key, {&v, at.member(key, i++)}});
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        const auto& entry = value[i];
        const auto entry_at = at.element(i);
        check_keys(entry, entry_at, ctx.diag, descriptor_keys);
        if (!entry.is_object()) continue;
        const auto field = text(entry, entry_at, "field", true);
        const auto v = entry.find("value");
        if (!field) continue;
        if (v == entry.end()) {
          error(key_location(entry, entry_at, "value"), "required");
          continue;
        }
        out.push_back({*field, {&*v, key_location(entry, entry_at, "value")}});
      }
    } else {
      error(at, "expected a list of parameters, got " + kind_name(value), R"([{"field": "main_sql", "value": "INSERT INTO t (a, b) VALUES"}])");
    }
    return out;
  }

  struct statement {
    std::string verb, table;
    std::vector<std::string> columns;
  };

  // INSERT [IGNORE] INTO t (a, b) VALUES / REPLACE INTO t (a, b) VALUES.
  std::optional<statement> parse_main_sql(const std::string& sql, const location& at) {
    static const std::regex shape{
        R"(^\s*(INSERT\s+IGNORE\s+INTO|INSERT\s+INTO|REPLACE\s+INTO)\s+(`[^`]+`|[A-Za-z0-9_$]+)(\s*\.\s*(`[^`]+`|[A-Za-z0-9_$]+))?\s*\(([^()]*)\)\s*VALUES\s*$)",
        std::regex::icase};
    std::smatch m;
    if (!std::regex_match(sql, m, shape)) {
      std::string hint = "ferry reads \"INSERT INTO `table` (`col1`, `col2`, ...) VALUES\" (also INSERT IGNORE INTO "
                         "and REPLACE INTO), ending at VALUES as QEasy's batchexecute takes it";
      std::string why = "cannot be read";
      if (std::regex_search(sql, std::regex{R"(VALUES\s*\()", std::regex::icase})) why = "has value tuples after VALUES";
      else if (std::regex_search(sql, std::regex{R"(ON\s+DUPLICATE\s+KEY)", std::regex::icase}))
        why = "goes on after VALUES (ON DUPLICATE KEY UPDATE)", hint = "end it at VALUES: ferry writes its own exact upserts";
      else if (!std::regex_search(sql, std::regex{R"(^\s*(INSERT|REPLACE)\b)", std::regex::icase}))
        why = "is not an INSERT or REPLACE";
      else if (!std::regex_search(sql, std::regex{R"(\)\s*VALUES\s*$)", std::regex::icase}))
        why = "does not end with \"(columns) VALUES\"";
      error(at, "main_sql " + why, hint);
      return std::nullopt;
    }
    const auto unquote = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t\r\n"));
      s.erase(s.find_last_not_of(" \t\r\n") + 1);
      if (s.size() >= 2 && s.front() == '`' && s.back() == '`') s = s.substr(1, s.size() - 2);
      return s;
    };
    statement st;
    st.verb = upper(std::regex_replace(m[1].str(), std::regex{R"(\s+)"}, " "));
    if (m[3].matched) {
      error(at, "main_sql names the table with its database (" + m[2].str() + "." + m[4].str() + ")",
            "name the table alone: ferry writes into the database of \"mysql\"");
      return std::nullopt;
    }
    st.table = unquote(m[2]);
    const std::string list = m[5];
    std::size_t start = 0;
    while (start <= list.size()) {
      const auto comma = list.find(',', start);
      st.columns.push_back(unquote(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    for (const auto& c : st.columns)
      if (!is_sql_identifier(c)) {
        error(at, "main_sql column " + json_quoted(c) + " is not a column name",
              "letters, digits and '_', not starting with a digit, at most 64");
        return std::nullopt;
      }
    if (!is_sql_identifier(st.table)) {
      error(at, "main_sql table " + json_quoted(st.table) + " is not a table name", "letters, digits and '_'");
      return std::nullopt;
    }
    return st;
  }

  void read_target(const json& block, const location& where, const json* version) {
    check_keys(block, where, ctx.diag, target_keys);
    if (!block.is_object()) return;
    target_config t;
    t.from_table = true;
    if (const auto api = text(block, where, "api", true)) {
      const auto at = key_location(block, where, "api");
      if (*api == "execute")
        error(at, "\"execute\" targets (one statement per record, extend_sql_N) are not supported",
              "use \"batchexecute\" with main_sql \"INSERT INTO t (...) VALUES\"; details go to a second table");
      else if (*api != "batchexecute")
        error(at, json_quoted(*api) + " is not a MySQL target ferry writes",
              "ferry writes MySQL tables: \"batchexecute\" with main_sql \"INSERT INTO t (...) VALUES\"");
      else
        note(at, "\"batchexecute\": rows written in batches into an existing MySQL table");
    }
    read_role(block, where, false);
    for (const auto key : {"method", "number", "id", "name", "idCheck"})
      if (block.find(key) != block.end())
        note(key_location(block, where, key), "QEasy's own bookkeeping of the write; ferry keys rows by the table's key");
    std::vector<std::pair<std::string, location>> names;
    if (const auto it = block.find("request"); it != block.end())
      names = read_columns(*it, key_location(block, where, "request"), t);
    else
      error(key_location(block, where, "request"), "required", "one entry per column of main_sql, in its order");
    const auto it = block.find("otherRequest");
    const auto other_at = key_location(block, where, "otherRequest");
    if (it == block.end()) {
      error(other_at, "required", R"(main_sql and limit, e.g. [{"field": "main_sql", "value": "INSERT INTO t (a, b) VALUES"}])");
      return;
    }
    std::optional<statement> st;
    bool seen_sql = false;
    for (const auto& entry : other_request(*it, other_at)) {
      const std::string& name = entry.first;
      const json* v = entry.second.first;
      const location& at = entry.second.second;
      if (name == "main_sql") {
        seen_sql = true;
        if (!v->is_string()) error(at, "expected a string, got " + kind_name(*v));
        else st = parse_main_sql(v->get<std::string>(), at);
      } else if (name == "limit") {
        std::optional<long long> n;
        if (v->is_number_integer()) n = v->get<long long>();
        else if (v->is_string()) {
          const auto& digits = v->get_ref<const std::string&>();
          if (!digits.empty() && digits.size() < 7 &&
              std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
            n = std::stoll(digits);
        }
        if (!n || *n < 1 || *n > 100000) error(at, v->dump() + " is not a batch size", "rows per batch, e.g. \"1000\"");
        else {
          t.batch_rows = static_cast<std::size_t>(*n);
          note(at, std::to_string(*n) + ": rows per batch (each batch one statement, the window's last in its commit)");
        }
      } else {
        if (const auto* refused = find_refusal(name)) error(at, std::string{refused->message}, std::string{refused->hint});
        else error(at, json_quoted(name) + " is not a parameter of a batchexecute target", "main_sql and limit");
      }
    }
    if (!seen_sql) error(other_at, "main_sql is required", R"(e.g. {"field": "main_sql", "value": "INSERT INTO t (a, b) VALUES"})");
    if (!st) return;
    t.table = st->table;
    // The columns of main_sql and of request, one for one, in order.
    if (st->columns.size() != names.size()) {
      error(other_at, "main_sql names " + std::to_string(st->columns.size()) + " columns and request " +
                          std::to_string(names.size()),
            "one request entry per main_sql column, in the same order");
    } else {
      for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i].first != st->columns[i]) {
          error(names[i].second, "column " + std::to_string(i + 1) + " of main_sql is " + json_quoted(st->columns[i]) +
                                     ", here " + json_quoted(names[i].first),
                "list the columns in main_sql's order");
          break;
        }
    }
    std::string verb_note = "ferry writes table " + t.table + " with its own exact upserts keyed by the table's PRIMARY or UNIQUE key, "
                            "not by appending values to this text";
    if (st->verb == "INSERT IGNORE INTO") verb_note += "; unlike INSERT IGNORE, a row the platform changed is updated";
    else if (st->verb == "INSERT INTO") verb_note += "; unlike a plain INSERT, a row already there is updated, not an error";
    else verb_note += "; like REPLACE, the latest copy wins, but columns not listed keep their values";
    note(other_at, verb_note);
    // QEasy's id as the fallback key: the column that takes {{id}}.
    if (!origin.id.empty()) {
      const auto c = std::find_if(t.columns.begin(), t.columns.end(), [&](const column_config& col) { return col.path == origin.id; });
      if (c != t.columns.end()) t.key = {c->name};
    }
    if (version != nullptr) {
      const auto at = key_location(*pair_json, pair_where, "version");
      if (!version->is_string()) error(at, "expected a column name, got " + kind_name(*version));
      else if (!t.find_column(version->get<std::string>()))
        error(at, json_quoted(version->get<std::string>()) + " is not a column of the target", "a column of main_sql holding the record's modification time");
      else {
        t.version = version->get<std::string>();
        note(at, json_quoted(*t.version) + ": a row is only replaced by a copy at least as new");
      }
    }
    job.targets.push_back(std::move(t));
  }

  const json* pair_json = nullptr;
  location pair_where;
};

}  // namespace

std::vector<transform::filter_group> read_filter(const json& value, const location& where, const load_context& ctx,
                                                 std::string_view strict_key) {
  std::vector<transform::filter_group> groups;
  const std::array<std::string_view, 4> test_keys{"field", "logic", "value", strict_key};
  const auto example = R"([[{"field": "status", "logic": "eq", "value": "Sent"}]])";
  if (!value.is_array()) {
    ctx.diag.add(where, "expected a list of groups, got " + kind_name(value), example);
    return groups;
  }
  for (std::size_t g = 0; g < value.size(); ++g) {
    const auto group_at = where.element(g);
    const auto& group = value[g];
    if (!group.is_array() || group.empty()) {
      ctx.diag.add(group_at, group.is_array() ? "empty group" : "expected a list of tests, got " + kind_name(group),
                   "each group is a list of tests that must all pass, e.g. " + std::string{example});
      continue;
    }
    transform::filter_group tests;
    for (std::size_t i = 0; i < group.size(); ++i) {
      const object_reader r{group[i], group_at.element(i), ctx.diag, test_keys};
      if (!r.is_object()) continue;
      transform::filter_test t;
      const auto field = r.string("field", "the record field tested, e.g. \"status\" or \"items.name\"");
      const auto logic_text = r.string("logic", "the test, one of eq, neq, gt, egt, lt, elt, like, notlike, between, notnull, isnull");
      if (field) t.field = *field;
      if (field && field->empty()) r.report("field", "empty");
      if (logic_text) {
        if (const auto logic = transform::parse_filter_logic(*logic_text)) t.logic = *logic;
        else {
          r.report("logic", json_quoted(*logic_text) + " is not a test", "one of " + std::string{transform::filter_logics_hint()});
          continue;
        }
      }
      const auto* v = r.find("value");
      if (v != nullptr) t.value = nlohmann::json::parse(v->dump());
      const bool needs_value = t.logic != transform::filter_logic::isnull && t.logic != transform::filter_logic::notnull;
      if (needs_value && v == nullptr) r.report("value", "required", "what the field is compared with");
      else if (needs_value)
        if (const auto why = transform::check_filter_value(t.logic, t.value)) r.report("value", *why);
      assign(t.strict, r.boolean(strict_key));
      tests.push_back(std::move(t));
    }
    groups.push_back(std::move(tests));
  }
  return groups;
}

std::vector<std::string> read_flatten(const json& value, const location& where, const load_context& ctx) {
  std::vector<std::string> out;
  if (!value.is_array()) {
    ctx.diag.add(where, "expected a list of array fields, got " + kind_name(value), R"(e.g. ["items"])");
    return out;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string() || value[i].get<std::string>().empty()) {
      ctx.diag.add(where.element(i), "expected the name of an array field, got " + kind_name(value[i]), R"(e.g. "items")");
      continue;
    }
    const auto name = value[i].get<std::string>();
    if (std::find(out.begin(), out.end(), name) != out.end())
      ctx.diag.add(where.element(i), "duplicate " + json_quoted(name), "list each array once");
    else
      out.push_back(name);
  }
  return out;
}

void read_qeasy(const object_reader& r, job_config& job, const load_context& ctx) {
  const json& pair = *r.find("qeasy");
  const auto where = r.at("qeasy");
  const object_reader p{pair, where, ctx.diag, pair_keys};
  if (!p.is_object()) return;
  pair_reader reader{ctx, job, {}, &pair, where};
  if (const auto* source = p.find("source")) reader.read_source(*source, p.at("source"));
  else p.report("source", "required", "the QEasy source block, as QEasy shows it");
  if (const auto* target = p.find("target")) reader.read_target(*target, p.at("target"), p.find("version"));
  else p.report("target", "required", "the QEasy target block (a MySQL batchexecute)");
  job.qeasy = std::move(reader.origin);
}

}  // namespace ferry::config::detail
