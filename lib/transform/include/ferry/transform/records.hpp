#pragma once
// What a job does to each source record before mapping it: a filter that
// keeps the records a job wants (QEasy's `condition`: an OR of AND groups
// of tests), and flattening (QEasy's `beatFlat`: one record per element of
// an array, the element's keys named "<array>_<key>"). Both are compiled
// once from the config and are pure and thread-safe after that.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::transform {

enum class filter_logic { eq, neq, gt, egt, lt, elt, like, notlike, between, notnull, isnull };

// "eq" -> filter_logic::eq; nullopt for anything else.
std::optional<filter_logic> parse_filter_logic(std::string_view text);
std::string_view to_string(filter_logic logic);
std::string_view filter_logics_hint();  // "eq, neq, gt, ..."

// One test: `field` is a key of the record or "array.key" into the
// elements of an array (detail rows). `value` is a string or number (two
// for between: an array or "a,b"); datetimes compare as written or, as
// "timestamp:1704067200", as Unix seconds. `strict`: on a detail path,
// one failing element fails the record; otherwise failing elements are
// removed and the test passes while any element remains.
struct filter_test {
  std::string field;
  filter_logic logic = filter_logic::eq;
  nlohmann::json value;
  bool strict = false;
};

using filter_group = std::vector<filter_test>;  // all must pass

class record_filter {
 public:
  record_filter() = default;
  explicit record_filter(std::vector<filter_group> groups) : groups_(std::move(groups)) {}

  bool empty() const noexcept { return groups_.empty(); }
  // True when `record` is kept: the first group whose tests all pass decides,
  // and the detail elements its non-strict tests failed are removed from
  // the record. An empty filter keeps everything.
  bool keep(nlohmann::json& record) const;

  const std::vector<filter_group>& groups() const noexcept { return groups_; }

 private:
  std::vector<filter_group> groups_;
};

// A value's reason not to be a valid test value for `logic`, or nullopt.
std::optional<std::string> check_filter_value(filter_logic logic, const nlohmann::json& value);

// Flattens `record` over each array key in `arrays`, in order: one record per
// element, with the record's other fields and the element's keys as
// "<array>_<key>" (an element that is not an object becomes "<array>").
// A record whose array is missing, null or empty stays one record, without
// the array. Appends to `out`.
void flatten(const nlohmann::json& record, const std::vector<std::string>& arrays, std::vector<nlohmann::json>& out);

}  // namespace ferry::transform
