// Generation and rendering of orders with nested items.
#include "ferry/sim/dataset.hpp"
#include "ferry/sim/random.hpp"
#include "ferry/sim/text.hpp"
#include "vocabulary.hpp"

#include <algorithm>
#include <tuple>

namespace ferry::sim {
namespace {

constexpr std::uint64_t stream_orders = 0x04de;
constexpr std::uint64_t stream_late_orders = 0x1a70;
constexpr std::uint64_t stream_item_changes = 0x17e5;
constexpr std::int64_t first_o_id = 20000001;
constexpr std::array<std::int64_t, 5> freights{0, 60000, 80000, 100000, 125000};

std::optional<std::string> to_optional(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  return std::string{*text};
}

order_item make_item(random_stream& r) {
  const auto& item = r.pick(detail::products);
  const auto colour = r.below(detail::colours.size());
  const auto& size = r.pick(detail::sizes);
  order_item out;
  out.sku_id = std::string{item.code} + "-" + std::to_string(100 + colour) + "-" + std::string{size.code};
  out.name = std::string{item.name} + " " + std::string{detail::colours[colour]} + " " +
             std::string{size.label};
  out.qty = r.between(1, 5);
  out.price = r.between(item.min_cost, item.max_cost) * 2;
  out.amount = out.price * out.qty;
  return out;
}

// so_id: the shop's order number, the order day and ten digits.
std::string make_so_id(random_stream& r, sys_seconds order_date) {
  std::string day = beijing_datetime(order_date).substr(0, 10);
  day.erase(std::remove(day.begin(), day.end(), '-'), day.end());
  const std::string digits = std::to_string(r.between(0, 9'999'999'999LL));
  return day + std::string(10 - digits.size(), '0') + digits;
}

order_row make_order(random_stream& r, const data_options& options, std::int64_t span) {
  order_row o;
  o.modified = options.from + std::chrono::seconds{r.between(0, span - 1)};
  o.order_date = o.modified - std::chrono::seconds{r.between(0, 3 * 86400)};
  o.so_id = make_so_id(r, o.order_date);
  const auto& shop = r.pick(detail::shops);
  o.shop_id = shop.id;
  o.shop_name = std::string{shop.name};
  o.status = std::string{r.pick(detail::order_statuses)};
  o.freight = r.pick(freights);
  o.buyer_message = to_optional(r.pick(detail::remarks));
  const auto count = r.between(1, 5);
  o.pay_amount = o.freight;
  for (std::int64_t i = 0; i < count; ++i) {
    o.items.push_back(make_item(r));
    o.pay_amount += o.items.back().amount;
  }
  return o;
}

void append_item(std::string& out, const order_item& item) {
  out.append("{\"oi_id\":").append(std::to_string(item.oi_id));
  out.append(",\"sku_id\":");
  append_json_string(out, item.sku_id);
  out.append(",\"name\":");
  append_json_string(out, item.name);
  out.append(",\"qty\":").append(std::to_string(item.qty));
  out.append(",\"price\":");
  append_decimal4(out, item.price);
  out.append(",\"amount\":");
  append_decimal4(out, item.amount);
  out.push_back('}');
}

}  // namespace

bool order_before(const order_row& a, const order_row& b) {
  return std::tie(a.modified, a.o_id) < std::tie(b.modified, b.o_id);
}

std::string render_order(const order_row& o) {
  std::string out;
  out.reserve(300 + 150 * o.items.size());
  out.append("{\"o_id\":").append(std::to_string(o.o_id));
  out.append(",\"so_id\":");
  append_json_string(out, o.so_id);
  out.append(",\"shop_id\":").append(std::to_string(o.shop_id));
  out.append(",\"shop_name\":");
  append_json_string(out, o.shop_name);
  out.append(",\"status\":");
  append_json_string(out, o.status);
  out.append(",\"order_date\":\"");
  append_beijing_datetime(out, o.order_date);
  out.append("\",\"modified\":\"");
  append_beijing_datetime(out, o.modified);
  out.append("\",\"ts\":").append(std::to_string(o.ts));
  out.append(",\"pay_amount\":");
  append_decimal4(out, o.pay_amount);
  out.append(",\"freight\":");
  if (o.freight_as == freight_text::number) {
    append_decimal4(out, o.freight);
  } else if (o.freight_as == freight_text::empty_when_zero && o.freight == 0) {
    out.append("\"\"");
  } else {
    out.push_back('"');
    append_decimal4(out, o.freight);
    out.push_back('"');
  }
  out.append(",\"buyer_message\":");
  if (o.buyer_message) append_json_string(out, *o.buyer_message);
  else out.append("null");
  out.append(",\"items\":[");
  for (std::size_t i = 0; i < o.items.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_item(out, o.items[i]);
  }
  out.append("]}");
  return out;
}

void change_order_items(order_row& order, std::uint64_t seed, std::uint64_t serial) {
  random_stream r(hash3(seed, stream_item_changes, serial));
  auto added = [&] {
    order_item item = make_item(r);
    item.oi_id = 900'000'000'000 + static_cast<std::int64_t>(serial);
    return item;
  };
  switch (serial % 4) {
    case 0:
      if (!order.items.empty()) order.items.pop_back();
      break;
    case 1: order.items.clear(); break;
    case 2:
      if (order.items.empty()) order.items.push_back(added());
      else order.items.front() = added();
      break;
    default: order.items.push_back(added()); break;
  }
  order.pay_amount = order.freight;
  for (const auto& item : order.items) order.pay_amount += item.amount;
}

std::vector<order_row> generate_orders(const data_options& options) {
  random_stream r(hash3(options.seed, stream_orders, 0));
  const std::int64_t span = std::max<std::int64_t>((options.to - options.from).count(), 1);
  std::vector<order_row> orders;
  orders.reserve(static_cast<std::size_t>(std::max<std::int64_t>(options.orders, 0)));
  for (std::int64_t i = 0; i < options.orders; ++i) {
    order_row o = make_order(r, options, span);
    o.freight_as = options.freight;
    o.o_id = i;  // the generation index until the orders are sorted
    if (to_unit(hash3(options.seed, stream_late_orders, static_cast<std::uint64_t>(i))) <
        options.late_fraction)
      o.visible_at = o.modified + options.late_delay;
    orders.push_back(std::move(o));
  }
  std::sort(orders.begin(), orders.end(), order_before);
  for (std::size_t i = 0; i < orders.size(); ++i) {
    auto& o = orders[i];
    o.o_id = first_o_id + static_cast<std::int64_t>(i);
    o.ts = first_ts + ts_step * static_cast<std::int64_t>(i);
    for (std::size_t k = 0; k < o.items.size(); ++k)
      o.items[k].oi_id = o.o_id * 10 + static_cast<std::int64_t>(k) + 1;
    o.json = render_order(o);
  }
  return orders;
}

}  // namespace ferry::sim
