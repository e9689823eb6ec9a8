#pragma once
// The business parameters (`biz`) of jst-sim's query endpoints, their
// checks, and offset-paging arithmetic. Pure functions; thread-safe.
#include "ferry/core/time.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ferry::sim {

using core::sys_seconds;

// Both bounds inclusive: a row at exactly `end` is in the window.
struct time_window {
  sys_seconds start{};
  sys_seconds end{};
  bool contains(sys_seconds t) const { return start <= t && t <= end; }
};

enum class window_check { ok, end_before_start, too_wide };

// end - start may be at most max_span (exactly max_span is allowed here;
// the engine refuses it unless --accept-cap-edge).
window_check check_window(const time_window& window, std::chrono::seconds max_span);

// One page of an offset-paged list.
struct page_slice {
  std::size_t begin = 0;  // offsets into the full list, [begin, end)
  std::size_t end = 0;
  std::int64_t page_count = 0;  // ceil(total / page_size); 0 for an empty list
  bool has_next = false;        // page_index < page_count
};

// page_index from 1, page_size >= 1. A page past the end is empty.
page_slice slice_page(std::size_t total, std::int64_t page_index, std::int64_t page_size);

// The shape of an endpoint's paging parameters.
struct paging_rules {
  std::int64_t max_page_size = 1000;
  std::int64_t default_page_size = 30;  // when biz has no page_size
  std::chrono::seconds max_span{std::chrono::days{30}};
};

inline const paging_rules flow_rules{1000, 30, std::chrono::days{30}};
inline const paging_rules order_rules{100, 30, std::chrono::days{7}};
// 店铺查询: "默认100条，最大100条"; no time filter (max_span unused).
inline const paging_rules shop_rules{100, 100, std::chrono::days{0}};

// biz of /open/webapi/wmsapi/skusn/queryinoutitemskusns.
struct flow_query {
  std::int64_t page_index = 1;
  std::int64_t page_size = 30;
  std::optional<time_window> window;  // create_time_start .. create_time_end
  std::vector<std::int64_t> io_ids;
  std::vector<std::int64_t> o_ids;
  std::vector<std::string> sku_sns;
  std::optional<std::int64_t> wms_co_id;
};

// biz of /open/orders/single/query.
struct order_query {
  std::int64_t page_index = 1;
  std::int64_t page_size = 30;
  std::optional<time_window> window;  // modified_begin .. modified_end
  std::vector<std::string> so_ids;
  std::vector<std::int64_t> o_ids;
  // The row-version cursor: rows whose ts is at least this ("大于等于").
  std::optional<std::int64_t> start_ts;
  bool get_total = true;  // is_get_total, "默认true"
};

// biz of /open/shops/query: paging and an optional shop_ids filter only.
struct shop_query {
  std::int64_t page_index = 1;
  std::int64_t page_size = 100;
  std::vector<std::int64_t> shop_ids;
};

// A parsed query or the reason it was refused (the text after "参数错误：").
template <class Query>
struct parsed {
  std::optional<Query> query;
  std::string error;
};

// An integer given as a JSON number or as decimal text (clients send both).
std::optional<std::int64_t> as_integer(const nlohmann::json& value);
// A flag given as a JSON boolean or as the text "true"/"false" (is_get_total
// is Boolean in the order query's model, String in others).
std::optional<bool> as_flag(const nlohmann::json& value);
// page_index and page_size of `biz`, with the endpoint's default and cap;
// the refusal's detail, or empty.
std::string read_paging(const nlohmann::json& biz, const paging_rules& rules, std::int64_t& index,
                        std::int64_t& size);

parsed<flow_query> parse_flow_query(const nlohmann::json& biz);
parsed<order_query> parse_order_query(const nlohmann::json& biz);
parsed<shop_query> parse_shop_query(const nlohmann::json& biz);

}  // namespace ferry::sim
