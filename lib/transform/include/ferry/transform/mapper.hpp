#pragma once
// Maps one source record (a JSON object from a page, parsed with
// ferry::json::parse_exact) into SQL-ready rows for each of a job's targets:
// one row per record, or one per element of an exploded array. A record
// either maps completely or not at all; the first failure is returned as a
// record_error for the dead-letter table.
//
// A mapper is immutable after construction and safe to use from several
// threads at once; copies share the compiled plan.
#include "ferry/transform/cast.hpp"
#include "ferry/transform/sql_type.hpp"
#include "ferry/json/tape.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ferry::transform {

// A column of a target: where its value comes from and how it is cast.
struct column_spec {
  std::string name;  // target column (a validated identifier)
  std::string path;  // see json_path: "a.b", "items[0].sku_id", "$.o_id", "@"
  sql_type type;     // from parse_sql_type
  // Used when the path is missing, null, or an empty string that casts to
  // NULL; cast like any value when the mapper is built.
  std::optional<nlohmann::json> default_value;
  // Missing/null/NULL-casting and no default: the record fails (otherwise
  // the column is NULL).
  bool required = false;
};

struct target_spec {
  std::string table;
  // A path to an array in the record: one row per element, and the columns'
  // paths start at the element. Missing, null or empty: no rows.
  std::optional<std::string> explode;
  std::vector<column_spec> columns;
};

// One row for a target, values in the order of target_spec::columns.
struct row {
  std::vector<value> values;
  std::size_t bytes = 0;  // sum of the values' sizes (NULL counts 0), for batching by bytes
};

// Why a record could not be mapped.
struct record_error {
  std::string table;
  std::string column;  // empty when the explode path itself is wrong
  std::string path;    // where the value was read, with the element index: "items[2].qty"
  std::string reason;  // "\"abc\" is not an integer"

  // "bi_order_items.qty (items[2].qty): \"abc\" is not an integer"
  std::string to_string() const;
};

namespace detail {
struct mapper_plan;
}

class mapper {
 public:
  // Compiles every path and casts every default. Throws std::invalid_argument
  // naming the table, column and problem for a bad path or a default the
  // column cannot hold.
  explicit mapper(std::vector<target_spec> targets);

  // All or nothing: either appends every row of `record` for every target
  // to out[t] and returns nullopt, or appends nothing and returns the first
  // error. `out` is grown to targets().size() if it is smaller.
  std::optional<record_error> map(const nlohmann::json& record, std::vector<std::vector<row>>& out) const;

  // The same for the record at node `record` of a tape (a page as parsed),
  // with no DOM: the same rows and the same errors.
  std::optional<record_error> map(const ferry::json::tape& t, std::uint32_t record,
                                  std::vector<std::vector<row>>& out) const;

  const std::vector<target_spec>& targets() const noexcept;

  // Clears `rows` and keeps their value vectors, strings and all, for the
  // rows this thread maps next, which overwrite them in place (sink::batch
  // copies values, leaving them): once warm, a row allocates nothing but
  // for a value that was NULL in the row before (a NULL keeps no buffer).
  static void recycle(std::vector<row>& rows);

 private:
  std::shared_ptr<const detail::mapper_plan> plan_;
};

}  // namespace ferry::transform
