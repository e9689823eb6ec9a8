#include "ferry/sim/query.hpp"

#include <algorithm>
#include <charconv>

namespace ferry::sim {
namespace {

using json = nlohmann::json;

// "1,2,3" or [1, "2", 3]; an empty string or array is no filter.
bool read_list(const json& value, std::vector<std::string>& out) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    std::size_t pos = 0;
    while (pos < text.size()) {
      const auto comma = std::min(text.find(',', pos), text.size());
      if (comma > pos) out.push_back(text.substr(pos, comma - pos));
      pos = comma + 1;
    }
    return true;
  }
  if (!value.is_array()) return false;
  for (const auto& item : value) {
    if (item.is_string()) out.push_back(item.get<std::string>());
    else if (item.is_number_integer()) out.push_back(std::to_string(item.get<std::int64_t>()));
    else return false;
  }
  return true;
}

bool read_id_list(const json& value, std::vector<std::int64_t>& out) {
  std::vector<std::string> texts;
  if (!read_list(value, texts)) return false;
  for (const auto& text : texts) {
    const auto id = as_integer(json(text));
    if (!id) return false;
    out.push_back(*id);
  }
  return true;
}

// A window from two datetime fields; both or neither must be present.
std::string read_window(const json& biz, const char* start_key, const char* end_key,
                        const paging_rules& rules, std::optional<time_window>& out) {
  const bool has_start = biz.contains(start_key), has_end = biz.contains(end_key);
  if (!has_start && !has_end) return {};
  if (!has_start || !has_end) return std::string{start_key} + " 和 " + end_key + " 必须同时提供";
  const auto& start = biz[start_key];
  const auto& end = biz[end_key];
  const auto start_time = start.is_string() ? core::parse_shanghai_datetime(start.get<std::string>()) : std::nullopt;
  const auto end_time = end.is_string() ? core::parse_shanghai_datetime(end.get<std::string>()) : std::nullopt;
  if (!start_time) return std::string{start_key} + " 不是 yyyy-MM-dd HH:mm:ss 格式的时间";
  if (!end_time) return std::string{end_key} + " 不是 yyyy-MM-dd HH:mm:ss 格式的时间";
  out = time_window{*start_time, *end_time};
  switch (check_window(*out, rules.max_span)) {
    case window_check::ok: return {};
    case window_check::end_before_start: return std::string{end_key} + " 不能早于 " + start_key;
    case window_check::too_wide:
      return "时间跨度不能超过 " +
             std::to_string(std::chrono::duration_cast<std::chrono::days>(rules.max_span).count()) + " 天";
  }
  return {};
}

}  // namespace

std::optional<std::int64_t> as_integer(const json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  std::int64_t out = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return out;
}

std::optional<bool> as_flag(const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value == "true" || value == "false") return value == "true";
  return std::nullopt;
}

std::string read_paging(const json& biz, const paging_rules& rules, std::int64_t& index,
                        std::int64_t& size) {
  if (biz.contains("page_index")) {
    const auto value = as_integer(biz["page_index"]);
    if (!value || *value < 1) return "page_index 必须是大于 0 的整数";
    index = *value;
  }
  size = rules.default_page_size;
  if (biz.contains("page_size")) {
    const auto value = as_integer(biz["page_size"]);
    if (!value || *value < 1) return "page_size 必须是大于 0 的整数";
    if (*value > rules.max_page_size)
      return "page_size 不能超过 " + std::to_string(rules.max_page_size);
    size = *value;
  }
  return {};
}

window_check check_window(const time_window& window, std::chrono::seconds max_span) {
  if (window.end < window.start) return window_check::end_before_start;
  if (window.end - window.start > max_span) return window_check::too_wide;
  return window_check::ok;
}

page_slice slice_page(std::size_t total, std::int64_t page_index, std::int64_t page_size) {
  const auto size = static_cast<std::size_t>(page_size);
  page_slice out;
  out.page_count = static_cast<std::int64_t>((total + size - 1) / size);
  out.has_next = page_index < out.page_count;
  if (page_index > out.page_count) {
    out.begin = out.end = total;
    return out;
  }
  const auto first = static_cast<std::size_t>(page_index - 1) * size;
  out.begin = std::min(first, total);
  out.end = std::min(first + size, total);
  return out;
}

parsed<flow_query> parse_flow_query(const json& biz) {
  flow_query q;
  if (auto error = read_paging(biz, flow_rules, q.page_index, q.page_size); !error.empty()) return {{}, error};
  if (biz.contains("io_ids") && !read_id_list(biz["io_ids"], q.io_ids)) return {{}, "io_ids 格式错误"};
  if (biz.contains("o_ids") && !read_id_list(biz["o_ids"], q.o_ids)) return {{}, "o_ids 格式错误"};
  if (biz.contains("sku_sns") && !read_list(biz["sku_sns"], q.sku_sns)) return {{}, "sku_sns 格式错误"};
  if (biz.contains("wms_co_id")) {
    q.wms_co_id = as_integer(biz["wms_co_id"]);
    if (!q.wms_co_id) return {{}, "wms_co_id 必须是整数"};
  }
  auto error = read_window(biz, "create_time_start", "create_time_end", flow_rules, q.window);
  if (!error.empty()) return {{}, error};
  if (!q.window && q.io_ids.empty() && q.o_ids.empty() && q.sku_sns.empty())
    return {{}, "create_time_start 和 create_time_end 必填（或提供 io_ids、o_ids、sku_sns）"};
  return {std::move(q), {}};
}

parsed<order_query> parse_order_query(const json& biz) {
  order_query q;
  if (auto error = read_paging(biz, order_rules, q.page_index, q.page_size); !error.empty()) return {{}, error};
  if (biz.contains("so_ids") && !read_list(biz["so_ids"], q.so_ids)) return {{}, "so_ids 格式错误"};
  if (biz.contains("o_ids") && !read_id_list(biz["o_ids"], q.o_ids)) return {{}, "o_ids 格式错误"};
  if (biz.contains("start_ts")) {
    q.start_ts = as_integer(biz["start_ts"]);
    if (!q.start_ts || *q.start_ts < 0) return {{}, "start_ts 必须是不小于 0 的整数"};
  }
  if (biz.contains("is_get_total")) {
    const auto flag = as_flag(biz["is_get_total"]);
    if (!flag) return {{}, "is_get_total 必须是 true 或 false"};
    q.get_total = *flag;
  }
  auto error = read_window(biz, "modified_begin", "modified_end", order_rules, q.window);
  if (!error.empty()) return {{}, error};
  if (!q.window && q.so_ids.empty() && q.o_ids.empty() && !q.start_ts)
    return {{}, "modified_begin 和 modified_end 必填（或提供 so_ids、o_ids、start_ts）"};
  return {std::move(q), {}};
}

parsed<shop_query> parse_shop_query(const json& biz) {
  shop_query q;
  if (auto error = read_paging(biz, shop_rules, q.page_index, q.page_size); !error.empty()) return {{}, error};
  if (biz.contains("shop_ids") && !read_id_list(biz["shop_ids"], q.shop_ids)) return {{}, "shop_ids 格式错误"};
  return {std::move(q), {}};
}

}  // namespace ferry::sim
