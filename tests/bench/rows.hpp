#pragma once
// The rows jst-sim serves, held flat for the ceiling measurements: every
// cell's bytes in one arena, so loading a million rows costs no allocation
// per cell and the timed loops only point into memory. Not thread-safe.
#include "ferry/sink/table.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::bench {

struct flat_rows {
  std::size_t columns = 0;
  std::string arena;
  struct cell { std::uint64_t offset; std::uint32_t length; bool null; };
  std::vector<cell> cells;  // row-major
  std::size_t rows() const { return columns == 0 ? 0 : cells.size() / columns; }
  std::string_view at(std::size_t row, std::size_t column) const {
    const auto& c = cells[row * columns + column];
    return {arena.data() + c.offset, c.length};
  }
};

// The flow table as ferry's bench config maps it: columns named like the API's fields.
sink::table_spec flow_table();

// Reads jst-sim truth output (one JSON object per line) into the columns of `spec`.
flat_rows read_truth(const std::filesystem::path& ndjson, const sink::table_spec& spec);

// Writes `rows` as LOAD DATA's default text format (tab-separated, \N for NULL).
void write_tsv(const flat_rows& rows, const std::filesystem::path& file);

}  // namespace ferry::bench
