#include "ferry/sim/store.hpp"

#include <algorithm>
#include <tuple>

namespace ferry::sim {
namespace {

template <class T>
bool contains_sorted(const std::vector<T>& sorted, const T& value) {
  return std::binary_search(sorted.begin(), sorted.end(), value);
}

template <class T>
std::vector<T> sorted_copy(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  return values;
}

// The rows of `rows` whose `time_of` lies in the window, as an index range.
template <class Row, class TimeOf>
std::pair<std::size_t, std::size_t> window_range(const std::vector<Row>& rows,
                                                 const std::optional<time_window>& window, TimeOf time_of) {
  if (!window) return {0, rows.size()};
  const auto lo = std::partition_point(rows.begin(), rows.end(),
                                       [&](const Row& r) { return time_of(r) < window->start; });
  const auto hi = std::partition_point(lo, rows.end(), [&](const Row& r) { return time_of(r) <= window->end; });
  return {static_cast<std::size_t>(lo - rows.begin()), static_cast<std::size_t>(hi - rows.begin())};
}

// Pages the rows in [lo, hi) that `keep` accepts.
template <class Row, class Keep>
page_rows page_of(const std::vector<Row>& rows, std::size_t lo, std::size_t hi, bool filtered,
                  std::int64_t page_index, std::int64_t page_size, Keep keep) {
  page_rows out;
  if (!filtered) {
    out.total = hi - lo;
    out.slice = slice_page(out.total, page_index, page_size);
    for (auto i = lo + out.slice.begin; i < lo + out.slice.end; ++i) out.rows.push_back(&rows[i].json);
    return out;
  }
  std::vector<const std::string*> matches;
  for (auto i = lo; i < hi; ++i)
    if (keep(rows[i])) matches.push_back(&rows[i].json);
  out.total = matches.size();
  out.slice = slice_page(out.total, page_index, page_size);
  out.rows.assign(matches.begin() + static_cast<std::ptrdiff_t>(out.slice.begin),
                  matches.begin() + static_cast<std::ptrdiff_t>(out.slice.end));
  return out;
}

auto flow_time = [](const flow_row& r) { return r.create_time; };
auto order_time = [](const order_row& r) { return r.modified; };

}  // namespace

data_store::data_store(const data_options& options, ts_order order)
    : seed_(options.seed),
      late_fraction_(options.late_fraction),
      flow_(generate_flow_rows(options)),
      orders_(generate_orders(options)),
      shops_(generate_shops(options)),
      bad_records_(spoil_flow_rows(flow_, options.bad_records)) {
  for (const auto& row : flow_) next_io_id_ = std::max(next_io_id_, row.io_id + 1);
  next_serial_ = flow_.size();
  ts_order_ = order;
  for (const auto& o : orders_) next_ts_ = std::max(next_ts_, o.ts + ts_step);
}

page_rows data_store::query(const flow_query& q, sys_seconds now) const {
  const auto [lo, hi] = window_range(flow_, q.window, flow_time);
  const auto io_ids = sorted_copy(q.io_ids);
  const auto o_ids = sorted_copy(q.o_ids);
  const auto sku_sns = sorted_copy(q.sku_sns);
  const bool filtered = has_late_rows() || !io_ids.empty() || !o_ids.empty() || !sku_sns.empty() ||
                        q.wms_co_id.has_value();
  return page_of(flow_, lo, hi, filtered, q.page_index, q.page_size, [&](const flow_row& r) {
    return r.visible_at <= now && (io_ids.empty() || contains_sorted(io_ids, r.io_id)) &&
           (o_ids.empty() || contains_sorted(o_ids, r.o_id)) &&
           (sku_sns.empty() || contains_sorted(sku_sns, r.sku_sn)) &&
           (!q.wms_co_id || *q.wms_co_id == r.wms_co_id);
  });
}

std::vector<const order_row*> data_store::cursor_rows(std::int64_t start_ts, sys_seconds now) const {
  std::vector<const order_row*> rows;
  for (const auto& o : orders_)
    if (o.ts >= start_ts && o.visible_at <= now) rows.push_back(&o);
  if (ts_order_ == ts_order::ts)
    std::sort(rows.begin(), rows.end(), [](const order_row* a, const order_row* b) { return a->ts < b->ts; });
  else
    std::sort(rows.begin(), rows.end(), [](const order_row* a, const order_row* b) { return a->o_id < b->o_id; });
  return rows;
}

page_rows data_store::query(const order_query& q, sys_seconds now) const {
  if (q.start_ts) {
    const auto so_ids = sorted_copy(q.so_ids);
    const auto o_ids = sorted_copy(q.o_ids);
    page_rows out;
    std::vector<const std::string*> matches;
    for (const auto* o : cursor_rows(*q.start_ts, now))
      if ((!q.window || (o->modified >= q.window->start && o->modified <= q.window->end)) &&
          (so_ids.empty() || contains_sorted(so_ids, o->so_id)) && (o_ids.empty() || contains_sorted(o_ids, o->o_id)))
        matches.push_back(&o->json);
    out.total = matches.size();
    out.counted = q.get_total;
    out.slice = slice_page(out.total, q.page_index, q.page_size);
    out.rows.assign(matches.begin() + static_cast<std::ptrdiff_t>(out.slice.begin),
                    matches.begin() + static_cast<std::ptrdiff_t>(out.slice.end));
    return out;
  }
  const auto [lo, hi] = window_range(orders_, q.window, order_time);
  const auto so_ids = sorted_copy(q.so_ids);
  const auto o_ids = sorted_copy(q.o_ids);
  const bool filtered = has_late_rows() || !so_ids.empty() || !o_ids.empty();
  return page_of(orders_, lo, hi, filtered, q.page_index, q.page_size, [&](const order_row& o) {
    return o.visible_at <= now && (so_ids.empty() || contains_sorted(so_ids, o.so_id)) &&
           (o_ids.empty() || contains_sorted(o_ids, o.o_id));
  });
}

page_rows data_store::query(const shop_query& q) const {
  const auto ids = sorted_copy(q.shop_ids);
  return page_of(shops_, 0, shops_.size(), !ids.empty(), q.page_index, q.page_size,
                 [&](const shop_row& s) { return contains_sorted(ids, s.shop_id); });
}

std::size_t data_store::remove_shops(const std::vector<std::int64_t>& shop_ids) {
  const auto ids = sorted_copy(shop_ids);
  const auto before = shops_.size();
  std::erase_if(shops_, [&](const shop_row& s) { return contains_sorted(ids, s.shop_id); });
  return before - shops_.size();
}

void data_store::drift_flow(const time_window& window, std::int64_t count) {
  if (count <= 0) return;
  const std::int64_t io_id = next_io_id_++;
  for (std::int64_t i = 0; i < count; ++i) {
    flow_row row = make_drift_flow_row(seed_, next_serial_++, io_id, window.start);
    const auto at = std::upper_bound(flow_.begin(), flow_.end(), row, flow_before);
    flow_.insert(at, std::move(row));
  }
}

void data_store::drift_orders(const time_window& window, std::int64_t count, sys_seconds now, bool change_items) {
  std::vector<order_row> moved;
  auto it = std::partition_point(orders_.begin(), orders_.end(),
                                 [&](const order_row& o) { return o.modified < window.start; });
  while (it != orders_.end() && std::ssize(moved) < count && it->modified < window.end) {
    if (it->visible_at > now) {
      ++it;
      continue;
    }
    moved.push_back(std::move(*it));
    it = orders_.erase(it);
  }
  for (auto& order : moved) {
    order.modified = window.end;
    if (change_items) change_order_items(order, seed_, next_serial_++);
    order.json = render_order(order);
    const auto at = std::upper_bound(orders_.begin(), orders_.end(), order, order_before);
    orders_.insert(at, std::move(order));
  }
}

void data_store::bump_order(const order_row& order, sys_seconds now, bool change_items) {
  const auto at = std::find_if(orders_.begin(), orders_.end(), [&](const order_row& o) { return &o == &order; });
  order_row changed = std::move(*at);
  orders_.erase(at);
  changed.modified = std::max(changed.modified, now);
  changed.ts = next_ts_;
  next_ts_ += ts_step;
  if (change_items) change_order_items(changed, seed_, next_serial_++);
  changed.json = render_order(changed);
  orders_.insert(std::upper_bound(orders_.begin(), orders_.end(), changed, order_before), std::move(changed));
}

void data_store::drift_order_versions(std::int64_t start_ts, std::int64_t count, sys_seconds now, bool change_items) {
  for (std::int64_t i = 0; i < count; ++i) {
    const order_row* pick = nullptr;
    if (i % 2 == 1) {
      // The newest visible order below the cursor: it enters the query's rows.
      for (const auto& o : orders_)
        if (o.ts < start_ts && o.visible_at <= now && (pick == nullptr || o.ts > pick->ts)) pick = &o;
    }
    if (pick == nullptr) {
      // The first row served that has not been changed by this drift yet
      // (rows it changed went to the end of the versions).
      const auto rows = cursor_rows(start_ts, now);
      const auto first = std::find_if(rows.begin(), rows.end(),
                                      [&](const order_row* o) { return o->ts < next_ts_ - ts_step * i; });
      if (first != rows.end()) pick = *first;
    }
    if (pick == nullptr) return;
    bump_order(*pick, now, change_items);
  }
}

void data_store::read_truth(truth_cursor& cursor, sys_seconds now, std::string& out,
                            std::size_t max_bytes) const {
  if (cursor.done) return;
  switch (cursor.endpoint) {
    case endpoint_kind::flow: read_flow_truth(cursor, now, out, max_bytes); break;
    case endpoint_kind::orders: read_order_truth(cursor, now, out, max_bytes); break;
    case endpoint_kind::shops: read_shop_truth(cursor, out, max_bytes); break;
  }
}

void data_store::read_flow_truth(truth_cursor& cursor, sys_seconds now, std::string& out,
                                 std::size_t max_bytes) const {
  auto it = std::partition_point(flow_.begin(), flow_.end(), [&](const flow_row& r) {
    if (!cursor.started) return r.create_time < cursor.window.start;
    return std::tie(r.create_time, r.io_id, r.sku_sn) <=
           std::tie(cursor.last_time, cursor.last_id, cursor.last_sku_sn);
  });
  cursor.started = true;
  for (; it != flow_.end() && it->create_time <= cursor.window.end && out.size() < max_bytes; ++it) {
    if (it->visible_at <= now) out.append(it->json).push_back('\n');
    cursor.last_time = it->create_time;
    cursor.last_id = it->io_id;
    cursor.last_sku_sn = it->sku_sn;
  }
  cursor.done = it == flow_.end() || it->create_time > cursor.window.end;
}

void data_store::read_order_truth(truth_cursor& cursor, sys_seconds now, std::string& out,
                                  std::size_t max_bytes) const {
  auto it = std::partition_point(orders_.begin(), orders_.end(), [&](const order_row& o) {
    if (!cursor.started) return o.modified < cursor.window.start;
    return std::tie(o.modified, o.o_id) <= std::tie(cursor.last_time, cursor.last_id);
  });
  cursor.started = true;
  for (; it != orders_.end() && it->modified <= cursor.window.end && out.size() < max_bytes; ++it) {
    if (it->visible_at <= now) out.append(it->json).push_back('\n');
    cursor.last_time = it->modified;
    cursor.last_id = it->o_id;
  }
  cursor.done = it == orders_.end() || it->modified > cursor.window.end;
}

// Every shop listed now, whatever the window (a master list has no time).
void data_store::read_shop_truth(truth_cursor& cursor, std::string& out, std::size_t max_bytes) const {
  auto it = std::partition_point(shops_.begin(), shops_.end(), [&](const shop_row& s) {
    return cursor.started && s.shop_id <= cursor.last_id;
  });
  cursor.started = true;
  for (; it != shops_.end() && out.size() < max_bytes; ++it) {
    out.append(it->json).push_back('\n');
    cursor.last_id = it->shop_id;
  }
  cursor.done = it == shops_.end();
}

}  // namespace ferry::sim
