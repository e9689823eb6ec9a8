#pragma once
// jst-sim's generated data: unique-code flow rows and orders.
//
// Everything here is a pure function of data_options (seed, counts, time range,
// late rows): the same options give byte-identical rows on every machine. Each
// row keeps its fields and its JSON text, rendered once, so answering a page is
// a concatenation. Values are plain data; not synchronised.
#include "ferry/core/time.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ferry::sim {

using core::sys_seconds;

// How an order's `freight` is written: the SDK's generated class (from the
// docs) types it String, "保留两位小数"; the docs also allow "" for an absent amount.
enum class freight_text {
  string,          // "6.0000" (documented)
  number,          // 6.0000 (the older jst-sim)
  empty_when_zero  // as string, and "" when there is no freight
};

struct data_options {
  std::uint64_t seed = 1;
  std::int64_t records = 10000;  // flow rows
  std::int64_t orders = 2500;
  sys_seconds from{};  // rows' times lie in [from, to)
  sys_seconds to{};
  double late_fraction = 0.0;  // share of rows visible only after late_delay
  std::chrono::seconds late_delay{120};
  std::int64_t bad_records = 0;  // flow rows served with a defect (spoil_flow_rows)
  std::int64_t shops = 6;        // rows of /open/shops/query; the first six are the orders' shops
  freight_text freight = freight_text::string;
};

// Visible from the beginning of time: the row is not late.
inline constexpr sys_seconds always_visible = sys_seconds::min();

// One row of /open/webapi/wmsapi/skusn/queryinoutitemskusns.
struct flow_row {
  std::int64_t io_id = 0;
  std::int64_t o_id = 0;
  int inout_type = 1;
  std::string sku_id;
  std::string sku_sn;
  std::int64_t cost_price = 0;  // ten-thousandths
  std::int64_t cost_amount = 0;
  std::optional<std::string> remark;  // nullopt renders as JSON null
  sys_seconds create_time{};
  sys_seconds modified_time{};
  std::int64_t supplier_id = 0;
  std::optional<std::string> supplier_name;
  std::int64_t wms_co_id = 0;
  sys_seconds visible_at = always_visible;
  std::string json;  // render_flow_row(*this), kept in step by its owner
};

struct order_item {
  std::int64_t oi_id = 0;
  std::string sku_id;
  std::string name;
  std::int64_t qty = 1;
  std::int64_t price = 0;  // ten-thousandths
  std::int64_t amount = 0;
};

// One order of /open/orders/single/query.
struct order_row {
  std::int64_t o_id = 0;
  std::string so_id;
  std::int64_t shop_id = 0;
  std::string shop_name;
  std::string status;
  sys_seconds order_date{};
  sys_seconds modified{};
  std::int64_t pay_amount = 0;  // ten-thousandths: items plus freight
  std::int64_t freight = 0;
  freight_text freight_as = freight_text::string;
  std::optional<std::string> buyer_message;
  std::vector<order_item> items;
  // The row version (SQL Server rowversion, "ts"): unique, larger at every
  // change of any order; generated in modified order, bumped by drift.
  std::int64_t ts = 0;
  sys_seconds visible_at = always_visible;
  std::string json;
};

// One row of /open/shops/query (店铺查询): the SDK's fields, by their
// documented types. A master list: no time filter, no version field.
struct shop_row {
  std::int64_t shop_id = 0;
  std::string shop_name;
  std::int64_t co_id = 0;
  std::string shop_site;
  std::string shop_url;
  sys_seconds created{};
  std::string nick;
  sys_seconds session_expired{};
  std::string session_uid;
  std::string short_name;
  std::int64_t group_id = 0;
  std::string group_name;
  std::string json;
};

// The JSON object of a row, exactly as the API pages and /__sim/truth show it.
std::string render_flow_row(const flow_row& row);
std::string render_order(const order_row& order);
std::string render_shop(const shop_row& shop);

// Paging order of the real API: create_time, then io_id, then sku_sn.
bool flow_before(const flow_row& a, const flow_row& b);
// modified, then o_id.
bool order_before(const order_row& a, const order_row& b);

// `options.records` flow rows sorted by flow_before, JSON rendered; all 18
// inout_types appear when there are at least 18 io documents.
std::vector<flow_row> generate_flow_rows(const data_options& options);

// The first order's row version; each next one is ts_step larger (a
// rowversion counts the changes of the whole database, so versions of one
// table leave gaps).
inline constexpr std::int64_t first_ts = 1'000'000;
inline constexpr std::int64_t ts_step = 3;

// `options.orders` orders sorted by order_before, JSON rendered.
std::vector<order_row> generate_orders(const data_options& options);

// `options.shops` shops sorted by shop_id, JSON rendered: the six shops the
// orders name first (same ids and names), then made-up ones.
std::vector<shop_row> generate_shops(const data_options& options);

// An order edited upstream (drift with drift_changes_items): by serial % 4 it
// loses its last item (its only one: no items left), loses every item, has
// its first item replaced by a new one, or gains a new one. New items get
// oi_id 9e11 + serial, unique in the data set; pay_amount follows. The JSON
// is left to the caller.
void change_order_items(order_row& order, std::uint64_t seed, std::uint64_t serial);

// A flow row served with one defect that a client cannot store: its JSON
// text differs from render_flow_row in one member, the fields stay as made.
struct bad_record {
  std::string kind;   // wrong_type, huge_string, invalid_date, missing_key, ...
  std::string field;  // the member that is wrong or missing
  std::string sku_sn;
  std::int64_t io_id = 0;
  std::string json;  // the row's text as served
};

// The kinds of defect, in the order spoil_flow_rows cycles through them.
const std::vector<std::string>& bad_record_kinds();

// Spoils `count` rows of `rows` (spread evenly, at most all of them), the
// i-th with kind i modulo the number of kinds, and returns what it did.
std::vector<bad_record> spoil_flow_rows(std::vector<flow_row>& rows, std::int64_t count);

// A new flow row (for drift): created at `create_time`, visible at once, with
// io_id `io_id` and a sku_sn built from `serial`, which must be unused.
flow_row make_drift_flow_row(std::uint64_t seed, std::uint64_t serial, std::int64_t io_id,
                             sys_seconds create_time);

}  // namespace ferry::sim
