#include "rows.hpp"

#include "ferry/json/exact.hpp"

#include <fstream>
#include <stdexcept>

namespace ferry::bench {

sink::table_spec flow_table() {
  return sink::table_spec{"bi_skusn_inout",
                          {{"sku_sn", "varchar(64)"},
                           {"io_id", "bigint"},
                           {"o_id", "bigint"},
                           {"inout_type", "tinyint"},
                           {"sku_id", "varchar(64)"},
                           {"cost_price", "decimal(18,4)"},
                           {"cost_amount", "decimal(18,4)"},
                           {"remark", "varchar(512)"},
                           {"create_time", "datetime"},
                           {"modified_time", "datetime"},
                           {"supplier_id", "bigint"},
                           {"supplier_name", "varchar(128)"}},
                          {"sku_sn", "io_id"},
                          std::string{"modified_time"},
                          {}};
}

flat_rows read_truth(const std::filesystem::path& ndjson, const sink::table_spec& spec) {
  std::ifstream in{ndjson};
  if (!in) throw std::runtime_error("cannot read " + ndjson.string());
  flat_rows out;
  out.columns = spec.columns.size();
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto record = json::parse_exact(line);
    for (const auto& column : spec.columns) {
      const auto it = record.find(column.name);
      if (it == record.end() || it->is_null()) {
        out.cells.push_back({out.arena.size(), 0, true});
        continue;
      }
      std::string text = it->is_string() ? it->get<std::string>() : json::number_text(*it).value_or(it->dump());
      out.cells.push_back({out.arena.size(), static_cast<std::uint32_t>(text.size()), false});
      out.arena += text;
    }
  }
  return out;
}

void write_tsv(const flat_rows& rows, const std::filesystem::path& file) {
  std::ofstream out{file, std::ios::binary};
  std::string line;
  for (std::size_t r = 0; r < rows.rows(); ++r) {
    line.clear();
    for (std::size_t c = 0; c < rows.columns; ++c) {
      if (c > 0) line += '\t';
      if (rows.cells[r * rows.columns + c].null) {
        line += "\\N";
        continue;
      }
      for (const char ch : rows.at(r, c)) {
        switch (ch) {
          case '\t': line += "\\t"; break;
          case '\n': line += "\\n"; break;
          case '\\': line += "\\\\"; break;
          case '\0': line += "\\0"; break;
          default: line += ch;
        }
      }
    }
    line += '\n';
    out << line;
  }
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace ferry::bench
