// Generation and rendering of unique-code flow rows.
#include "ferry/sim/dataset.hpp"
#include "ferry/sim/random.hpp"
#include "ferry/sim/text.hpp"
#include "vocabulary.hpp"

#include <algorithm>
#include <array>
#include <optional>
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

namespace {

// A unique code's life: where the unit is, so that the next movement of it
// is one a warehouse could make.
enum class unit_state { in_stock, sold, in_transit, issued, gone };

struct unit {
  std::uint64_t serial = 0;  // gives the code, its SKU and its cost
  flow_row values;           // sku_id, sku_sn, cost_price, cost_amount
};

// What each movement (inout_type 1..18) needs the unit to be, and leaves it:
// purchase-in, opening stock, other-in and processing-in bring new units;
// a sale takes one from stock and a sales return brings it back; a transfer
// out is followed by a transfer in; stock counts, differences, settlements
// and invoices leave a unit where it is.
struct movement {
  std::optional<unit_state> from;  // nullopt: a new unit
  unit_state to;
  int weight;
};
constexpr std::array<movement, 18> movements{{
    {std::nullopt, unit_state::in_stock, 20},           // 1 采购入库
    {unit_state::in_stock, unit_state::gone, 3},        // 2 采购退货
    {unit_state::in_stock, unit_state::sold, 25},       // 3 销售出仓
    {unit_state::sold, unit_state::in_stock, 7},        // 4 销售退货
    {unit_state::in_stock, unit_state::in_transit, 8},  // 5 调拨出
    {unit_state::in_transit, unit_state::in_stock, 8},  // 6 调拨入
    {unit_state::in_stock, unit_state::in_stock, 3},    // 7 盘点
    {unit_state::in_stock, unit_state::in_stock, 2},    // 8 差异
    {unit_state::sold, unit_state::sold, 2},            // 9 结算
    {unit_state::in_stock, unit_state::issued, 4},      // 10 领用出仓
    {unit_state::issued, unit_state::in_stock, 3},      // 11 领用退仓
    {std::nullopt, unit_state::in_stock, 2},            // 12 期初
    {unit_state::in_stock, unit_state::gone, 2},        // 13 其它出库
    {std::nullopt, unit_state::in_stock, 4},            // 14 其它进仓
    {unit_state::sold, unit_state::sold, 2},            // 15 发票
    {unit_state::in_stock, unit_state::gone, 2},        // 16 加工出仓
    {std::nullopt, unit_state::in_stock, 3},            // 17 加工进仓
    {unit_state::in_stock, unit_state::gone, 2},        // 18 其它退货
}};

int pick_movement(random_stream& r) {
  int total = 0;
  for (const auto& m : movements) total += m.weight;
  auto at = static_cast<int>(r.below(static_cast<std::uint64_t>(total)));
  for (std::size_t i = 0; i < movements.size(); ++i) {
    if (at < movements[i].weight) return static_cast<int>(i) + 1;
    at -= movements[i].weight;
  }
  return 1;
}

}  // namespace

// Unique codes live a life: each is received once (purchase-in, opening
// stock, other-in, processing-in) and then moves as a warehouse moves it,
// sold and returned, transferred out and in, issued and brought back, counted,
// until it leaves for good. Documents (io_id) come in time order, each moving
// one to six codes of the same kind; a code appears at most once in a
// document, so (sku_sn, io_id) is the key of a row and sku_sn alone is not.
std::vector<flow_row> generate_flow_rows(const data_options& options) {
  random_stream r(hash3(options.seed, stream_flow, 0));
  const std::int64_t span = std::max<std::int64_t>((options.to - options.from).count(), 1);
  std::vector<flow_row> rows;
  rows.reserve(static_cast<std::size_t>(std::max<std::int64_t>(options.records, 0)));
  std::array<std::vector<unit>, 5> pools;  // by unit_state
  std::uint64_t next_serial = 0;
  std::int64_t last_offset = 0;
  std::vector<unit> moved;
  for (std::int64_t gen = 0; std::ssize(rows) < options.records; ++gen) {
    flow_row io;
    io.io_id = gen;
    // Documents spread evenly over the range by the rows made so far, in
    // time order (a code's movements with them).
    const auto width = std::max<std::int64_t>(span * 3 / std::max<std::int64_t>(options.records, 1), 1);
    const auto offset = std::min<std::int64_t>(
        span - 1, span * std::ssize(rows) / std::max<std::int64_t>(options.records, 1) + r.between(0, width - 1));
    last_offset = std::max(last_offset, offset);
    io.create_time = options.from + std::chrono::seconds{last_offset};
    int inout_type = gen < 18 ? static_cast<int>(gen + 1) : pick_movement(r);
    auto m = movements[static_cast<std::size_t>(inout_type - 1)];
    if (m.from && pools[static_cast<std::size_t>(*m.from)].empty()) {
      inout_type = 1;  // nothing to move that way yet: goods arrive first
      m = movements[0];
    }
    fill_io_values(r, io, inout_type, options.orders);
    auto size = std::min<std::int64_t>(r.between(1, 6), options.records - std::ssize(rows));
    if (m.from) size = std::min<std::int64_t>(size, std::ssize(pools[static_cast<std::size_t>(*m.from)]));
    for (std::int64_t i = 0; i < size; ++i) {
      unit u;
      if (!m.from) {
        u.serial = next_serial++;
        fill_row_values(r, u.values, options.seed, u.serial);
      } else {
        auto& pool = pools[static_cast<std::size_t>(*m.from)];
        const auto at = r.below(pool.size());
        std::swap(pool[at], pool.back());
        u = std::move(pool.back());
        pool.pop_back();
      }
      flow_row row = io;
      row.sku_id = u.values.sku_id;
      row.sku_sn = u.values.sku_sn;
      row.cost_price = u.values.cost_price;
      row.cost_amount = u.values.cost_amount;
      row.remark = to_optional(r.pick(detail::remarks));
      row.modified_time = row.create_time + std::chrono::seconds{r.below(3600)};
      const auto index = static_cast<std::uint64_t>(rows.size());
      if (to_unit(hash3(options.seed, stream_late, index)) < options.late_fraction)
        row.visible_at = row.create_time + options.late_delay;
      rows.push_back(std::move(row));
      if (m.to != unit_state::gone) moved.push_back(std::move(u));
    }
    // Only after the document: a code is in a document once.
    for (auto& u : moved) pools[static_cast<std::size_t>(m.to)].push_back(std::move(u));
    moved.clear();
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
