#include "ferry/transform/mapper.hpp"

#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "cast_detail.hpp"
#include "ferry/transform/path.hpp"

namespace ferry::transform {
namespace detail {

struct compiled_column {
  json_path path;
  value default_sql;  // the default, already cast; nullopt when there is none
  bool required = false;
};

// The leading keys of a target's columns (json_path::leading_key), so that a
// record's members are read once for all of them instead of once per
// column: an open-addressing table from key to slot.
class key_index {
 public:
  static constexpr std::int32_t none = -1;

  // The slot of `key`, adding it when it is new.
  std::int32_t add(std::string_view key) {
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] == key) return static_cast<std::int32_t>(i);
    keys_.emplace_back(key);
    rebuild();
    return static_cast<std::int32_t>(keys_.size() - 1);
  }

  std::int32_t find(std::string_view key) const noexcept {
    for (auto at = hash(key) & mask_;; at = (at + 1) & mask_) {
      const auto slot = table_[at];
      if (slot == none || keys_[static_cast<std::size_t>(slot)] == key) return slot;
    }
  }

  std::size_t size() const noexcept { return keys_.size(); }

 private:
  // Length and three bytes tell most field names apart; a clash costs a probe.
  static std::size_t hash(std::string_view key) noexcept {
    std::size_t h = key.size();
    if (!key.empty()) {
      h = h * 257 + static_cast<unsigned char>(key.front());
      h = h * 257 + static_cast<unsigned char>(key[key.size() / 2]);
      h = h * 257 + static_cast<unsigned char>(key.back());
    }
    return (h * 0x9E3779B97F4A7C15ULL) >> 40;
  }

  void rebuild() {
    std::size_t size = 8;
    while (size < keys_.size() * 4) size *= 2;  // at most a quarter full: an absent key meets an empty slot soon
    mask_ = size - 1;
    table_.assign(size, none);
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      auto at = hash(keys_[i]) & mask_;
      while (table_[at] != none) at = (at + 1) & mask_;
      table_[at] = static_cast<std::int32_t>(i);
    }
  }

  std::vector<std::string> keys_;
  std::vector<std::int32_t> table_{std::vector<std::int32_t>(8, none)};
  std::size_t mask_ = 7;
};

struct compiled_target {
  std::optional<json_path> explode;
  std::vector<compiled_column> columns;
  key_index leading;                  // the columns' leading keys
  std::vector<std::int32_t> slot_of;  // per column: its slot in `leading`, or key_index::none
};

struct mapper_plan {
  std::vector<target_spec> targets;
  std::vector<compiled_target> compiled;
};

}  // namespace detail

namespace {

using nlohmann::json;

json_path compile_path(const target_spec& target, std::string_view what, std::string_view text) {
  std::string error;
  auto path = json_path::compile(text, error);
  if (!path) throw std::invalid_argument(target.table + "." + std::string{what} + ": " + error);
  return std::move(*path);
}

detail::compiled_column compile_column(const target_spec& target, const column_spec& column) {
  detail::compiled_column compiled{compile_path(target, column.name, column.path), std::nullopt, column.required};
  if (column.default_value) {
    auto cast = cast_value(*column.default_value, column.type);
    if (!cast.ok())
      throw std::invalid_argument(target.table + "." + column.name + ": default " + cast.error);
    compiled.default_sql = std::move(cast.sql);
  }
  return compiled;
}

// Where an error was read: the element index makes "items[2].qty" findable
// in the dead-letter record.
std::string error_path(const target_spec& target, const json_path& path, std::optional<std::size_t> element) {
  if (!element || path.from_record()) return path.text();
  auto where = *target.explode + "[" + std::to_string(*element) + "]";
  if (path.text() != "@") where += "." + path.text();
  return where;
}

std::string missing_reason(const json* found) {
  if (found == nullptr) return "required but missing";
  if (found->is_null()) return "required but null";
  return "required but " + detail::describe(*found) + " (empty)";
}

// Where records come from: a DOM (parse_exact), or a tape (a page as
// parsed). The mapping below is written once for both.
struct dom_source {
  using ref = const json*;
  static constexpr ref none = nullptr;

  ref find(const json_path& path, ref element, ref record) const { return path.find(*element, *record); }
  // A DOM's objects are maps: each column looks its key up on its own.
  void prepare(const detail::compiled_target&, ref) const {}
  ref column(const detail::compiled_target& target, std::size_t c, ref element, ref record) const {
    return target.columns[c].path.find(*element, *record);
  }
  bool is_null(ref r) const { return r->is_null(); }
  bool is_array(ref r) const { return r->is_array(); }
  std::size_t size(ref r) const { return r->size(); }
  ref element(ref array, ref previous, std::size_t i) const {
    (void)previous;
    return &(*array)[i];
  }
  // The cast into `out` (see tape_source::cast_into): the refusal, or empty.
  std::string cast_into(ref r, const sql_type& type, value& out) const {
    return detail::moved_into(cast_value(*r, type), out);
  }
  std::string describe(ref r) const { return detail::describe(*r); }
  std::string missing(ref r) const { return missing_reason(r); }
};

// Scalars of a tape reach the casts as nlohmann values held here and
// reused, so a string or an exact number costs no allocation once the
// buffers have grown.
struct tape_scratch {
  json string = json(json::value_t::string);
  json exact = ferry::json::exact_number("0");
  std::vector<std::uint32_t> found;  // per slot of a target's key_index: the value node, or npos
};

struct tape_source {
  using ref = std::uint32_t;
  static constexpr ref none = ferry::json::tape::npos;

  const ferry::json::tape& t;
  tape_scratch& scratch;

  ref find(const json_path& path, ref element, ref record) const { return path.find(t, element, record); }

  // One pass over the element's members finds every column's leading key
  // (the last member of a name wins, as tape::find has it).
  void prepare(const detail::compiled_target& target, ref element) const {
    scratch.found.assign(target.leading.size(), none);
    if (target.leading.size() == 0 || t[element].kind != ferry::json::node_kind::object) return;
    const auto end = t[element].next;
    for (auto k = element + 1; k < end; k = t[k + 1].next) {
      const auto slot = target.leading.find(t[k].text);
      if (slot != detail::key_index::none) scratch.found[static_cast<std::size_t>(slot)] = k + 1;
    }
  }
  ref column(const detail::compiled_target& target, std::size_t c, ref element, ref record) const {
    const auto slot = target.slot_of[c];
    const auto& path = target.columns[c].path;
    if (slot == detail::key_index::none) return path.find(t, element, record);
    return path.find_rest(t, scratch.found[static_cast<std::size_t>(slot)]);
  }

  bool is_null(ref r) const { return t[r].kind == ferry::json::node_kind::null; }
  bool is_array(ref r) const { return t[r].kind == ferry::json::node_kind::array; }
  std::size_t size(ref r) const { return t[r].size; }
  ref element(ref array, ref previous, std::size_t i) const { return i == 0 ? array + 1 : t[previous].next; }

  // The value of node r for a column of `type`, into `out`, the row's value
  // kept from the row before (its buffer reused); the refusal, or empty.
  std::string cast_into(ref r, const sql_type& type, value& out) const {
    const auto& n = t[r];
    switch (n.kind) {
      case ferry::json::node_kind::string:
        // Text, datetimes and the plain numbers of integer and decimal
        // columns straight from the tape's text, which the parser checked as
        // UTF-8; the rest through a reused JSON string.
        if (type.cast == cast_kind::text || type.cast == cast_kind::datetime || type.cast == cast_kind::integer ||
            type.cast == cast_kind::decimal)
          return cast_string_into(n.text, type, true, out);
        scratch.string.get_ref<json::string_t&>().assign(n.text);
        return detail::moved_into(cast_value(scratch.string, type), out);
      case ferry::json::node_kind::exact:
        if (type.cast == cast_kind::decimal) return cast_number_text_into(n.text, type, out);
        scratch.exact.get_binary().assign(n.text.begin(), n.text.end());
        return detail::moved_into(cast_value(scratch.exact, type), out);
      case ferry::json::node_kind::integer: return cast_integer_text_into(n.text, n.flag, type, out);
      default:
        // null and booleans are built without allocating;
        // objects and arrays are rare in a column.
        return detail::moved_into(cast_value(t.to_json(r), type), out);
    }
  }
  std::string describe(ref r) const { return detail::describe(t.to_json(r)); }
  std::string missing(ref r) const {
    if (r == none) return missing_reason(nullptr);
    const auto value = t.to_json(r);
    return missing_reason(&value);
  }
};

// Value vectors given back through mapper::recycle, for this thread's next rows.
constexpr std::size_t max_spare_rows = 4096;
thread_local std::vector<std::vector<value>> spare_values;

// Fills one row, or returns why it cannot be filled.
template <class Source>
std::optional<record_error> map_row(const Source& src, const target_spec& target,
                                    const detail::compiled_target& compiled, typename Source::ref element,
                                    typename Source::ref record, std::optional<std::size_t> index, row& out) {
  // A recycled row's values are overwritten in place: their strings keep
  // their buffers, so a row of the usual sizes allocates nothing (a NULL
  // gives its column's buffer up).
  if (out.values.capacity() == 0 && !spare_values.empty()) {
    out.values = std::move(spare_values.back());
    spare_values.pop_back();
  }
  out.values.resize(compiled.columns.size());
  src.prepare(compiled, element);
  for (std::size_t c = 0; c < compiled.columns.size(); ++c) {
    const auto& column = compiled.columns[c];
    const auto found = src.column(compiled, c, element, record);
    value& sql = out.values[c];
    if (found != Source::none && !src.is_null(found)) {
      auto error = src.cast_into(found, target.columns[c].type, sql);
      if (!error.empty())
        return record_error{target.table, target.columns[c].name, error_path(target, column.path, index),
                            std::move(error)};
    } else {
      sql.reset();
    }
    if (!sql) {
      // Missing, null, or "" read as NULL: the default stands in, and a
      // required column without one fails the record.
      if (column.default_sql) sql = column.default_sql;
      else if (column.required)
        return record_error{target.table, target.columns[c].name, error_path(target, column.path, index),
                            src.missing(found)};
    }
    out.bytes += sql ? sql->size() : 0;
  }
  return std::nullopt;
}

template <class Source>
std::optional<record_error> map_target(const Source& src, const target_spec& target,
                                       const detail::compiled_target& compiled, typename Source::ref record,
                                       std::vector<row>& out) {
  if (!compiled.explode) {
    out.emplace_back();
    return map_row(src, target, compiled, record, record, std::nullopt, out.back());
  }
  const auto elements = src.find(*compiled.explode, record, record);
  if (elements == Source::none || src.is_null(elements)) return std::nullopt;
  if (!src.is_array(elements))
    return record_error{target.table, {}, *target.explode,
                        src.describe(elements) + " cannot be exploded; explode needs an array"};
  const auto n = src.size(elements);
  out.reserve(out.size() + n);
  auto element = Source::none;
  for (std::size_t i = 0; i < n; ++i) {
    element = src.element(elements, element, i);
    out.emplace_back();
    if (auto error = map_row(src, target, compiled, element, record, i, out.back())) return error;
  }
  return std::nullopt;
}

template <class Source>
std::optional<record_error> map_all(const Source& src, const detail::mapper_plan& plan, typename Source::ref record,
                                    std::vector<std::vector<row>>& out) {
  const auto& targets = plan.targets;
  if (out.size() < targets.size()) out.resize(targets.size());
  std::vector<std::size_t> marks(targets.size());
  for (std::size_t t = 0; t < targets.size(); ++t) {
    marks[t] = out[t].size();
    if (auto error = map_target(src, targets[t], plan.compiled[t], record, out[t])) {
      // All or nothing: drop what this record added to earlier targets and this one.
      for (std::size_t done = 0; done <= t; ++done) out[done].resize(marks[done]);
      return error;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string record_error::to_string() const {
  std::string out = table;
  if (!column.empty()) out += "." + column;
  out += " (" + path + "): " + reason;
  return out;
}

mapper::mapper(std::vector<target_spec> targets) {
  auto plan = std::make_shared<detail::mapper_plan>();
  plan->compiled.reserve(targets.size());
  for (const auto& target : targets) {
    detail::compiled_target compiled;
    if (target.explode) compiled.explode = compile_path(target, "explode", *target.explode);
    compiled.columns.reserve(target.columns.size());
    for (const auto& column : target.columns) compiled.columns.push_back(compile_column(target, column));
    for (const auto& column : compiled.columns) {
      const auto key = column.path.leading_key();
      compiled.slot_of.push_back(key ? compiled.leading.add(*key) : detail::key_index::none);
    }
    plan->compiled.push_back(std::move(compiled));
  }
  plan->targets = std::move(targets);
  plan_ = std::move(plan);
}

std::optional<record_error> mapper::map(const json& record, std::vector<std::vector<row>>& out) const {
  return map_all(dom_source{}, *plan_, &record, out);
}

std::optional<record_error> mapper::map(const ferry::json::tape& t, std::uint32_t record,
                                        std::vector<std::vector<row>>& out) const {
  thread_local tape_scratch scratch;
  return map_all(tape_source{t, scratch}, *plan_, record, out);
}

const std::vector<target_spec>& mapper::targets() const noexcept { return plan_->targets; }

void mapper::recycle(std::vector<row>& rows) {
  for (auto& r : rows)
    if (r.values.capacity() > 0 && spare_values.size() < max_spare_rows) spare_values.push_back(std::move(r.values));
  rows.clear();
}

}  // namespace ferry::transform
