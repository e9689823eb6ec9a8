// Generation and rendering of unique-code flow rows.
#include "ferry/sim/dataset.hpp"
#include "ferry/sim/random.hpp"
#include "ferry/sim/text.hpp"
#include "vocabulary.hpp"

#include <algorithm>
#include <tuple>

namespace ferry::sim {
namespace {

constexpr std::uint64_t stream_flow = 0xf10e;
constexpr std::uint64_t stream_late = 0x1a7e;
constexpr std::uint64_t stream_drift = 0xd21f;
constexpr std::int64_t first_io_id = 1000001;
constexpr std::int64_t first_o_id = 20000001;

void append_optional_string(std::string& out, const std::optional<std::string>& text) {
  if (text) append_json_string(out, *text);
  else out.append("null");
}

std::optional<std::string> to_optional(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  return std::string{*text};
}

// sku_sn: "SN" and ten digits; serial * odd-and-not-5 constant + offset is a
// bijection modulo 10^10, so distinct serials give distinct codes.
std::string make_sku_sn(std::uint64_t seed, std::uint64_t serial) {
  constexpr std::uint64_t modulus = 10'000'000'000ULL;
  const std::uint64_t scrambled = ((serial % modulus) * 987654321ULL + splitmix64(seed) % modulus) % modulus;
  std::string digits = std::to_string(scrambled);
  return "SN" + std::string(10 - digits.size(), '0') + digits;
}

// The per-row values of a flow row (create_time must be set).
void fill_row_values(random_stream& r, flow_row& row, std::uint64_t seed, std::uint64_t serial) {
  const auto& item = r.pick(detail::products);
  const auto colour = r.below(detail::colours.size());
  const auto& size = r.pick(detail::sizes);
  row.sku_id = std::string{item.code} + "-" + std::to_string(100 + colour) + "-" + std::string{size.code};
  row.sku_sn = make_sku_sn(seed, serial);
  // Every 97th row costs nothing: "0.0000" is a value a client must keep.
  row.cost_price = serial % 97 == 0 ? 0 : r.between(item.min_cost, item.max_cost);
  row.cost_amount = (row.cost_price * 113 + 50) / 100;  // with 13% VAT
  row.remark = to_optional(r.pick(detail::remarks));
  row.modified_time = row.create_time + std::chrono::seconds{r.below(3600)};
}

// The per-document values shared by the rows of one io_id.
void fill_io_values(random_stream& r, flow_row& row, int inout_type, std::int64_t order_count) {
  row.inout_type = inout_type;
  const auto& supplier = r.pick(detail::suppliers);
  row.supplier_id = supplier.id;
  row.supplier_name = to_optional(supplier.name);
  row.wms_co_id = r.pick(detail::warehouses);
  const bool sales = inout_type == 3 || inout_type == 4;
  row.o_id = sales ? first_o_id + r.between(0, std::max<std::int64_t>(order_count, 1) - 1) : 0;
}

// Replaces the generation index kept in io_id by ids increasing in paging order.
void number_io_documents(std::vector<flow_row>& rows) {
  std::int64_t next_id = first_io_id - 1;
  std::int64_t previous_gen = -1;
  for (auto& row : rows) {
    if (row.io_id != previous_gen) {
      previous_gen = row.io_id;
      ++next_id;
    }
    row.io_id = next_id;
  }
}

}  // namespace

bool flow_before(const flow_row& a, const flow_row& b) {
  return std::tie(a.create_time, a.io_id, a.sku_sn) < std::tie(b.create_time, b.io_id, b.sku_sn);
}

// As the documented platform types them (jst-java's response class): io_id,
// inout_type and cost_amount numbers; o_id, sku_id, cost_price and
// supplier_id strings; no wms_co_id (a request filter only).
std::string render_flow_row(const flow_row& row) {
  std::string out;
  out.reserve(400);
  out.append("{\"io_id\":").append(std::to_string(row.io_id));
  out.append(",\"o_id\":\"").append(std::to_string(row.o_id)).append("\"");
  out.append(",\"inout_type\":").append(std::to_string(row.inout_type));
  out.append(",\"sku_id\":");
  append_json_string(out, row.sku_id);
  out.append(",\"sku_sn\":");
  append_json_string(out, row.sku_sn);
  out.append(",\"cost_price\":\"");
  append_decimal4(out, row.cost_price);
  out.append("\",\"cost_amount\":");
  append_decimal4(out, row.cost_amount);
  out.append(",\"remark\":");
  append_optional_string(out, row.remark);
  out.append(",\"create_time\":\"");
  append_beijing_datetime(out, row.create_time);
  out.append("\",\"modified_time\":\"");
  append_beijing_datetime(out, row.modified_time);
  out.append("\",\"supplier_id\":\"").append(std::to_string(row.supplier_id)).append("\"");
  out.append(",\"supplier_name\":");
  append_optional_string(out, row.supplier_name);
  out.push_back('}');
  return out;
}

std::vector<flow_row> generate_flow_rows(const data_options& options) {
  random_stream r(hash3(options.seed, stream_flow, 0));
  const std::int64_t span = std::max<std::int64_t>((options.to - options.from).count(), 1);
  std::vector<flow_row> rows;
  rows.reserve(static_cast<std::size_t>(std::max<std::int64_t>(options.records, 0)));
  for (std::int64_t gen = 0; std::ssize(rows) < options.records; ++gen) {
    flow_row io;
    io.io_id = gen;
    io.create_time = options.from + std::chrono::seconds{r.between(0, span - 1)};
    const int inout_type = gen < 18 ? static_cast<int>(gen + 1) : static_cast<int>(r.between(1, 18));
    fill_io_values(r, io, inout_type, options.orders);
    const auto size = std::min<std::int64_t>(r.between(1, 6), options.records - std::ssize(rows));
    for (std::int64_t i = 0; i < size; ++i) {
      flow_row row = io;
      const auto serial = static_cast<std::uint64_t>(rows.size());
      fill_row_values(r, row, options.seed, serial);
      if (to_unit(hash3(options.seed, stream_late, serial)) < options.late_fraction)
        row.visible_at = row.create_time + options.late_delay;
      rows.push_back(std::move(row));
    }
  }
  std::sort(rows.begin(), rows.end(), flow_before);
  number_io_documents(rows);
  for (auto& row : rows) row.json = render_flow_row(row);
  return rows;
}

flow_row make_drift_flow_row(std::uint64_t seed, std::uint64_t serial, std::int64_t io_id,
                             sys_seconds create_time) {
  random_stream r(hash3(seed, stream_drift, serial));
  flow_row row;
  row.create_time = create_time;
  fill_io_values(r, row, static_cast<int>(r.between(1, 18)), 1);
  row.io_id = io_id;
  fill_row_values(r, row, seed, serial);
  row.json = render_flow_row(row);
  return row;
}

}  // namespace ferry::sim
