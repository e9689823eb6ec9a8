// Flow rows with defects, for clients' dead-letter handling: the row keeps its
// fields (so paging, windows and the truth's order stay as they are) and only
// its served JSON text is changed.
#include "ferry/sim/dataset.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace ferry::sim {
namespace {

struct defect {
  std::string kind;
  std::string field;
  std::optional<std::string> value;  // JSON text of the new value; nullopt removes the member
};

// One defect per kind; the values are ones no column type of the member takes.
const std::vector<defect>& defects() {
  static const std::vector<defect> all{
      {"wrong_type", "inout_type", "\"seven\""},
      {"huge_string", "remark", "\"" + std::string(100000, 'x') + "\""},
      {"invalid_date", "modified_time", "\"2026-02-30 25:61:00\""},
      {"missing_key", "sku_sn", std::nullopt},
      {"null_key", "io_id", "null"},
      {"out_of_range", "supplier_id", "99999999999999999999"},
      {"object_value", "cost_price", "{\"amount\":\"12.5\"}"},
      {"too_precise", "cost_amount", "1.23456"},
  };
  return all;
}

// Replaces (or removes) the member `name` of a flat JSON object rendered by
// render_flow_row. A value ends at the next `,"` or the closing brace: inside
// a string a quote is always escaped, so `,"` cannot occur there.
std::string change_member(const std::string& json, const std::string& name, const std::optional<std::string>& value) {
  const std::string label = "\"" + name + "\":";
  const auto at = json.find(label);
  if (at == std::string::npos) throw std::logic_error("flow row without member " + name);
  const auto value_start = at + label.size();
  auto value_end = json.find(",\"", value_start);
  if (value_end == std::string::npos) value_end = json.size() - 1;
  if (value) return json.substr(0, value_start) + *value + json.substr(value_end);
  // Removing: take the comma before the member, or the one after it for the first member.
  if (json[at - 1] == ',') return json.substr(0, at - 1) + json.substr(value_end);
  return json.substr(0, at) + json.substr(value_end + (value_end < json.size() - 1 ? 1 : 0));
}

}  // namespace

const std::vector<std::string>& bad_record_kinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> out;
    for (const auto& d : defects()) out.push_back(d.kind);
    return out;
  }();
  return kinds;
}

std::vector<bad_record> spoil_flow_rows(std::vector<flow_row>& rows, std::int64_t count) {
  std::vector<bad_record> spoiled;
  const auto n = static_cast<std::int64_t>(rows.size());
  count = std::min(count, n);
  for (std::int64_t i = 0; i < count; ++i) {
    // The middle of the i-th of `count` equal slices: spread over every window.
    auto& row = rows[static_cast<std::size_t>((2 * i + 1) * n / (2 * count))];
    const auto& d = defects()[static_cast<std::size_t>(i) % defects().size()];
    row.json = change_member(row.json, d.field, d.value);
    spoiled.push_back({d.kind, d.field, row.sku_sn, row.io_id, row.json});
  }
  return spoiled;
}

}  // namespace ferry::sim
