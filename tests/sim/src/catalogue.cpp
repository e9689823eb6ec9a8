// The catalogue endpoints: spec parsing, row generation, queries, drift, truth.
#include "ferry/sim/catalogue.hpp"

#include "ferry/sim/random.hpp"
#include "ferry/sim/text.hpp"
#include "vocabulary.hpp"

#include <algorithm>
#include <stdexcept>

namespace ferry::sim {

extern const char* const catalogue_json;  // catalogue_data.cpp, made by CMake from catalogue/endpoints.json

namespace {

using json = nlohmann::json;

std::string text_of(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::vector<std::string> strings_of(const json& j, const char* key) {
  std::vector<std::string> out;
  if (const auto it = j.find(key); it != j.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::vector<field_spec> fields_of(const json& j) {
  std::vector<field_spec> out;
  if (const auto it = j.find("fields"); it != j.end() && it->is_array())
    for (const auto& f : *it) out.push_back({text_of(f, "name"), text_of(f, "json"), text_of(f, "kind"), text_of(f, "element")});
  return out;
}

std::vector<child_spec> children_of(const json& j, const char* key) {
  std::vector<child_spec> out;
  if (const auto it = j.find(key); it != j.end() && it->is_array())
    for (const auto& c : *it) out.push_back({text_of(c, "name"), strings_of(c, "key"), fields_of(c), children_of(c, "children")});
  return out;
}

std::optional<std::int64_t> integer_of(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<std::int64_t>();
}

constexpr std::array<std::string_view, 6> statuses{"WaitConfirm", "Confirmed", "Delivering", "Finished", "Cancelled",
                                                   "Archive"};
constexpr std::array<std::string_view, 8> words{"春季新款", "Ａ仓 1号架", "含税价", "O'Brien & Co", "退货 \"加急\"",
                                                "备注\\反斜杠", "😀 表情", "普通"};

void append_money(std::string& out, std::int64_t cents) {
  out += std::to_string(cents / 100);
  out += '.';
  const auto c = cents % 100;
  out += static_cast<char>('0' + c / 10);
  out += static_cast<char>('0' + c % 10);
}

// One JSON token for a scalar field.
std::string scalar_token(const field_spec& f, random_stream& r, sys_seconds from, sys_seconds to) {
  const bool as_text = f.json == "string";
  std::string v;
  const auto span = std::max<std::int64_t>((to - from).count(), 1);
  if (f.kind == "datetime" || f.kind == "date") {
    const auto t = from - std::chrono::days{30} + std::chrono::seconds{r.between(0, span + 30 * 86400 - 1)};
    auto text = beijing_datetime(t);
    if (f.kind == "date") text = text.substr(0, 10);
    std::string out;
    append_json_string(out, text);
    return out;
  }
  if (f.kind == "money") append_money(v, r.between(0, 200000));
  else if (f.kind == "number") append_money(v, r.between(0, 5000));
  else if (f.kind == "quantity") v = std::to_string(r.between(0, 50));
  else if (f.kind == "int") v = std::to_string(r.between(0, 5));
  else if (f.kind == "id" || f.kind == "ts") v = std::to_string(r.between(10000, 99999999));
  else if (f.kind == "bool") v = r.chance(0.5) ? "true" : "false";
  else if (f.kind == "phone") v = "138" + std::to_string(r.between(10000000, 99999999));
  else if (f.kind == "url") v = "https://shop.example.com/item/" + std::to_string(r.between(1, 999999));
  else if (f.kind == "status") v = std::string{r.pick(statuses)};
  else {
    if (r.chance(0.1)) return "null";
    v = std::string{r.pick(words)};
    std::string out;
    append_json_string(out, v);
    return out;
  }
  if (!as_text) return v;
  std::string out;
  append_json_string(out, v);
  return out;
}

std::string key_token(const field_spec& f, std::int64_t value) {
  if (f.json != "string") return std::to_string(value);
  return "\"" + std::to_string(value) + "\"";
}

std::string datetime_token(sys_seconds t) {
  std::string out;
  append_json_string(out, beijing_datetime(t));
  return out;
}

std::uint64_t name_hash(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

// A nested object or array element: every field, children included.
std::string render_object(const child_spec& spec, random_stream& r, sys_seconds from, sys_seconds to,
                          std::int64_t& serial, const std::vector<std::pair<std::string, std::string>>& fixed) {
  std::string out = "{";
  for (std::size_t i = 0; i < spec.fields.size(); ++i) {
    const auto& f = spec.fields[i];
    if (i > 0) out += ',';
    append_json_string(out, f.name);
    out += ':';
    const auto fix = std::find_if(fixed.begin(), fixed.end(), [&](const auto& p) { return p.first == f.name; });
    if (fix != fixed.end()) {
      out += fix->second;
    } else if (std::find(spec.key.begin(), spec.key.end(), f.name) != spec.key.end()) {
      out += key_token(f, 900'000'000 + serial++);
    } else if (f.json == "array") {
      const auto child = std::find_if(spec.children.begin(), spec.children.end(),
                                      [&](const child_spec& c) { return c.name == f.name; });
      if (child == spec.children.end()) {
        out += f.element == "integer" ? "[1,2]" : "[\"a\",\"b\"]";
      } else {
        out += '[';
        const auto n = r.between(0, 2);
        for (std::int64_t k = 0; k < n; ++k) out += (k > 0 ? "," : "") + render_object(*child, r, from, to, serial, {});
        out += ']';
      }
    } else if (f.json == "object") {
      out += "{}";
    } else {
      out += scalar_token(f, r, from, to);
    }
  }
  return out + "}";
}

}  // namespace

bool endpoint_spec::has_page_field(std::string_view f) const {
  return std::find(page_fields.begin(), page_fields.end(), f) != page_fields.end();
}

endpoint_spec parse_endpoint_spec(const json& j) {
  endpoint_spec s;
  s.row = text_of(j, "row");
  s.name = text_of(j, "name");
  s.path = text_of(j, "path");
  s.title = text_of(j, "title");
  if (s.name.empty() || !s.path.starts_with("/")) throw std::runtime_error("catalogue: an entry without name or path");
  s.envelope = text_of(j, "envelope");
  if (s.envelope != "standard" && s.envelope != "bare" && s.envelope != "toplevel")
    throw std::runtime_error("catalogue " + s.name + ": envelope " + s.envelope);
  s.envelope_alternative = text_of(j, "envelope_alternative");
  s.list_key = text_of(j, "list_key");
  s.page_fields = strings_of(j, "page_fields");
  s.page_size_max = integer_of(j, "page_size_max").value_or(1000);
  s.page_size_default = integer_of(j, "page_size_default").value_or(std::min<std::int64_t>(30, s.page_size_max));
  s.page_index_max = integer_of(j, "page_index_max");
  if (const auto it = j.find("time_filter"); it != j.end() && it->is_object()) {
    endpoint_spec::time_filter f{text_of(*it, "begin"), text_of(*it, "end"), text_of(*it, "row_field"), std::nullopt};
    if (const auto days = it->find("max_span_days"); days != it->end() && days->is_number())
      f.max_span = std::chrono::seconds{static_cast<std::int64_t>(days->get<double>() * 86400)};
    s.filter = f;
  }
  if (const auto it = j.find("cursor"); it != j.end() && it->is_object())
    s.cursor = endpoint_spec::cursor_spec{text_of(*it, "request_field"), text_of(*it, "count_field"),
                                          it->value("rows_have_ts", false), it->value("alone", false)};
  s.key = strings_of(j, "key");
  if (const auto it = j.find("per_value"); it != j.end() && it->is_object()) s.per_value = text_of(*it, "request_field");
  s.fields = fields_of(j);
  s.children = children_of(j, "children");
  s.objects = children_of(j, "objects");
  if (s.fields.empty()) throw std::runtime_error("catalogue " + s.name + ": no fields");
  return s;
}

const std::vector<endpoint_spec>& catalogue() {
  static const std::vector<endpoint_spec> all = [] {
    std::vector<endpoint_spec> out;
    const auto doc = json::parse(catalogue_json);
    for (const auto& e : doc.at("endpoints")) out.push_back(parse_endpoint_spec(e));
    return out;
  }();
  return all;
}

const endpoint_spec* find_catalogue(std::string_view path) {
  for (const auto& e : catalogue())
    if (e.path == path) return &e;
  return nullptr;
}

parsed<catalogue_query> parse_catalogue_query(const endpoint_spec& spec, const json& biz) {
  catalogue_query q;
  if (auto error = read_paging(biz, {spec.page_size_max, spec.page_size_default, {}}, q.page_index, q.page_size);
      !error.empty())
    return {{}, error};
  if (spec.page_index_max && q.page_index > *spec.page_index_max)
    return {{}, "page_index 不能超过 " + std::to_string(*spec.page_index_max)};
  if (spec.cursor && biz.contains(spec.cursor->request_field)) {
    q.cursor = as_integer(biz[spec.cursor->request_field]);
    if (!q.cursor || *q.cursor < 0) return {{}, spec.cursor->request_field + " 必须是不小于 0 的整数"};
    if (!spec.cursor->count_field.empty() && biz.contains(spec.cursor->count_field)) {
      const auto flag = as_flag(biz[spec.cursor->count_field]);
      if (!flag) return {{}, spec.cursor->count_field + " 必须是 true 或 false"};
      q.get_total = *flag;
    }
  }
  if (!spec.per_value.empty() && biz.contains(spec.per_value)) {
    q.scope = as_integer(biz[spec.per_value]);
    if (!q.scope) return {{}, spec.per_value + " 必须是整数"};
  }
  if (spec.filter) {
    const auto& f = *spec.filter;
    const bool has_begin = biz.contains(f.begin), has_end = biz.contains(f.end);
    if (has_begin != has_end) return {{}, f.begin + " 和 " + f.end + " 必须同时提供"};
    if (has_begin) {
      if (q.cursor && spec.cursor && spec.cursor->alone)
        return {{}, "使用 " + spec.cursor->request_field + " 查询时只需要跟分页条件共用，其它条件都不传"};
      const auto start = biz[f.begin].is_string() ? core::parse_shanghai_datetime(biz[f.begin].get<std::string>()) : std::nullopt;
      const auto end = biz[f.end].is_string() ? core::parse_shanghai_datetime(biz[f.end].get<std::string>()) : std::nullopt;
      if (!start) return {{}, f.begin + " 不是 yyyy-MM-dd HH:mm:ss 格式的时间"};
      if (!end) return {{}, f.end + " 不是 yyyy-MM-dd HH:mm:ss 格式的时间"};
      q.window = time_window{*start, *end};
      if (q.window->end < q.window->start) return {{}, f.end + " 不能早于 " + f.begin};
      if (f.max_span && q.window->end - q.window->start > *f.max_span)
        return {{}, "时间跨度不能超过 " + std::to_string(f.max_span->count() / 86400) + " 天"};
    } else if (!q.cursor) {
      return {{}, f.begin + " 和 " + f.end + " 必填" +
                      (spec.cursor ? "（或提供 " + spec.cursor->request_field + "）" : std::string{})};
    }
  }
  return {std::move(q), {}};
}

catalogue_table::catalogue_table(const endpoint_spec& spec, const data_options& options, std::int64_t rows,
                                 ts_order order)
    : spec_(&spec), seed_(options.seed ^ name_hash(spec.name)), order_(order) {
  for (std::size_t i = 0; i < spec.fields.size(); ++i) {
    const auto& f = spec.fields[i];
    if (spec.filter && f.name == spec.filter->row_field) time_field_ = static_cast<int>(i);
    if (f.kind == "ts" || f.name == "ts") ts_field_ = static_cast<int>(i);
    if (f.name == "modified") version_field_ = static_cast<int>(i);
  }
  // A per-value query (inventory per warehouse): 0 ("值不传或为0查询所有仓的总库存")
  // and the first three warehouses of the warehouse query.
  const std::array<std::int64_t, 4> per_value{0, 10'000'001, 10'000'002, 10'000'003};
  const std::int64_t scopes = spec.per_value.empty() ? 1 : static_cast<std::int64_t>(per_value.size());
  const std::int64_t span = std::max<std::int64_t>((options.to - options.from).count(), 1);
  random_stream times(hash3(seed_, 0x7153, 0));
  std::vector<sys_seconds> stamps;
  for (std::int64_t i = 0; i < rows * scopes; ++i) stamps.push_back(options.from + std::chrono::seconds{times.between(0, span - 1)});
  std::sort(stamps.begin(), stamps.end());
  for (std::int64_t i = 0; i < rows * scopes; ++i) {
    row r;
    r.serial = i;
    r.time = stamps[static_cast<std::size_t>(i)];
    r.ts = next_ts_;
    next_ts_ += ts_step;
    r.scope = per_value[static_cast<std::size_t>(i % scopes)];
    random_stream values(hash3(seed_, 0x5eed, static_cast<std::uint64_t>(i)));
    for (std::size_t k = 0; k < spec.fields.size(); ++k) {
      const auto& f = spec.fields[k];
      const auto key_at = std::find(spec.key.begin(), spec.key.end(), f.name);
      if (static_cast<int>(k) == time_field_ || static_cast<int>(k) == version_field_) r.tokens.push_back(datetime_token(r.time));
      else if (static_cast<int>(k) == ts_field_) r.tokens.push_back(std::to_string(r.ts));
      else if (f.name == spec.per_value) r.tokens.push_back(key_token(f, r.scope));
      else if (key_at != spec.key.end())
        // Unique per row (and per value): 10000001 + the row's number, a million apart per key field.
        r.tokens.push_back(key_token(f, 10'000'001 + (key_at - spec.key.begin()) * 1'000'000 + i / scopes));
      else if (f.json == "array" || f.json == "object") r.tokens.emplace_back();  // filled by render
      else r.tokens.push_back(scalar_token(f, values, options.from, options.to));
    }
    r.key = r.tokens.empty() ? std::string{} : [&] {
      for (std::size_t k = 0; k < spec.fields.size(); ++k)
        if (!spec.key.empty() && spec.fields[k].name == spec.key.front()) return r.tokens[k];
      return std::to_string(i);
    }();
    for (const auto& child : spec.children) {
      std::vector<std::string> elements;
      const auto n = values.between(0, 3);
      for (std::int64_t k = 0; k < n; ++k) elements.push_back(render_object(child, values, options.from, options.to, next_child_, {}));
      r.children.push_back(std::move(elements));
    }
    render(r);
    rows_.push_back(std::move(r));
  }
}

void catalogue_table::render(row& r) const {
  const auto& spec = *spec_;
  random_stream objects(hash3(seed_, 0x0b1e, static_cast<std::uint64_t>(r.serial)));
  std::int64_t unused = 0;
  std::string out = "{";
  for (std::size_t k = 0; k < spec.fields.size(); ++k) {
    const auto& f = spec.fields[k];
    if (k > 0) out += ',';
    append_json_string(out, f.name);
    out += ':';
    if (!r.tokens[k].empty()) {
      out += r.tokens[k];
      continue;
    }
    const auto child = std::find_if(spec.children.begin(), spec.children.end(),
                                    [&](const child_spec& c) { return c.name == f.name; });
    if (f.json == "array" && child != spec.children.end()) {
      const auto& elements = r.children[static_cast<std::size_t>(child - spec.children.begin())];
      out += '[';
      for (std::size_t e = 0; e < elements.size(); ++e) out += (e > 0 ? "," : "") + elements[e];
      out += ']';
    } else if (f.json == "array") {
      out += f.element == "integer" ? "[1,2]" : "[\"a\",\"b\"]";
    } else {
      const auto object = std::find_if(spec.objects.begin(), spec.objects.end(),
                                       [&](const child_spec& c) { return c.name == f.name; });
      if (object == spec.objects.end()) out += "{}";
      else out += render_object(*object, objects, sys_seconds{}, sys_seconds{std::chrono::days{20000}}, unused, {});
    }
  }
  r.json = out + "}";
}

std::vector<std::size_t> catalogue_table::matching(const catalogue_query& q) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    const auto& r = rows_[i];
    if (q.window && (r.time < q.window->start || r.time > q.window->end)) continue;
    if (q.cursor && r.ts < *q.cursor) continue;
    if (!spec_->per_value.empty() && r.scope != q.scope.value_or(0)) continue;
    out.push_back(i);
  }
  // A window serves by its time (the rows' order), a cursor as --ts-order says, a list by its key.
  if (q.cursor && order_ == ts_order::ts)
    std::sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) { return rows_[a].ts < rows_[b].ts; });
  else if (q.cursor || !q.window)
    std::sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) { return rows_[a].serial < rows_[b].serial; });
  return out;
}

page_rows catalogue_table::query(const catalogue_query& q) const {
  const auto rows = matching(q);
  page_rows out;
  out.total = rows.size();
  out.counted = q.get_total;
  out.slice = slice_page(out.total, q.page_index, q.page_size);
  for (auto i = out.slice.begin; i < out.slice.end; ++i) out.rows.push_back(&rows_[rows[i]].json);
  return out;
}

void catalogue_table::bump(row& r, sys_seconds time, bool change_children) {
  r.time = std::max(r.time, time);
  r.ts = next_ts_;
  next_ts_ += ts_step;
  if (time_field_ >= 0) r.tokens[static_cast<std::size_t>(time_field_)] = datetime_token(r.time);
  if (version_field_ >= 0) r.tokens[static_cast<std::size_t>(version_field_)] = datetime_token(r.time);
  if (ts_field_ >= 0) r.tokens[static_cast<std::size_t>(ts_field_)] = std::to_string(r.ts);
  if (change_children)
    for (std::size_t c = 0; c < r.children.size(); ++c) {
      auto& elements = r.children[c];
      if (!elements.empty() && (next_child_ % 2 == 0)) {
        elements.pop_back();
        ++next_child_;
      } else {
        random_stream more(hash3(seed_, 0xc41d, static_cast<std::uint64_t>(next_child_)));
        elements.push_back(render_object(spec_->children[c], more, time - std::chrono::days{1}, time, next_child_, {}));
      }
    }
  render(r);
}

void catalogue_table::drift(const catalogue_query& q, std::int64_t count, sys_seconds now, bool change_children) {
  if (count <= 0 || (!q.window && !q.cursor)) return;
  for (std::int64_t i = 0; i < count; ++i) {
    row* pick = nullptr;
    if (q.cursor && i % 2 == 1) {
      // The newest row below the cursor: it enters the walk's rows.
      for (auto& r : rows_)
        if (r.ts < *q.cursor && (pick == nullptr || r.ts > pick->ts)) pick = &r;
    }
    if (pick == nullptr) {
      // The first row served that this call has not changed yet.
      for (const auto at : matching(q))
        if (rows_[at].ts < next_ts_ - ts_step * i) {
          pick = &rows_[at];
          break;
        }
    }
    if (pick == nullptr) return;
    bump(*pick, q.window ? q.window->end : now, change_children);
  }
  if (q.window) std::stable_sort(rows_.begin(), rows_.end(), [](const row& a, const row& b) { return a.time < b.time; });
}

std::string catalogue_table::truth(std::optional<time_window> window) const {
  std::string out;
  for (const auto& r : rows_) {
    if (window && spec_->filter && (r.time < window->start || r.time > window->end)) continue;
    if (!spec_->per_value.empty()) {
      // The value the row is served for, which the row itself does not carry.
      out += "{\"" + spec_->per_value + "\":" + std::to_string(r.scope) + ",";
      out.append(r.json, 1);
    } else {
      out += r.json;
    }
    out += '\n';
  }
  return out;
}

std::size_t catalogue_table::remove(const std::vector<std::string>& keys) {
  const auto before = rows_.size();
  std::erase_if(rows_, [&](const row& r) {
    return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return r.key == k || r.key == "\"" + k + "\""; });
  });
  return before - rows_.size();
}

}  // namespace ferry::sim
