#include "ferry/config/config.hpp"

#include <algorithm>
#include <ostream>

namespace ferry::config {


const column_config* target_config::find_column(std::string_view name) const {
  const auto it =
      std::find_if(columns.begin(), columns.end(), [&](const column_config& c) { return c.name == name; });
  return it == columns.end() ? nullptr : &*it;
}

transform::target_spec target_config::mapping() const {
  transform::target_spec spec{table, explode, columns};
  // A row without its key cannot be upserted (a PRIMARY KEY column is NOT
  // NULL): the record fails alone, as a dead letter, instead of its batch.
  for (auto& column : spec.columns)
    if (std::find(key.begin(), key.end(), column.name) != key.end() && !column.default_value) column.required = true;
  return spec;
}

const source_config* config::find_source(std::string_view name) const {
  const auto it =
      std::find_if(sources.begin(), sources.end(), [&](const source_config& s) { return s.name == name; });
  return it == sources.end() ? nullptr : &*it;
}

const job_config* config::find_job(std::string_view id) const {
  const auto it = std::find_if(jobs.begin(), jobs.end(), [&](const job_config& j) { return j.id == id; });
  return it == jobs.end() ? nullptr : &*it;
}

}  // namespace ferry::config
