#pragma once
// The data jst-sim serves, as it is now: generated rows plus what drift has
// inserted or moved, filtered by visibility (late rows) at a given instant.
//
// Owned by the engine; not thread-safe (the server runs one thread). Pointers
// returned in a page stay valid until the next drift call.
#include "ferry/sim/dataset.hpp"
#include "ferry/sim/query.hpp"

#include <string>
#include <vector>

namespace ferry::sim {

// One page of rows, as pointers to their JSON text.
struct page_rows {
  std::size_t total = 0;  // data_count
  page_slice slice;
  // The query asked for no count (is_get_total=false): what the platform then
  // answers is not documented; jst-sim answers data_count and page_count 0,
  // the less kind choice (a client trusting them stops after page 1).
  bool counted = true;
  std::vector<const std::string*> rows;
};

enum class endpoint_kind { flow, orders, shops };

// A resumable read of the truth for [from, to]: each call to
// data_store::read_truth continues after the last row it gave.
struct truth_cursor {
  endpoint_kind endpoint = endpoint_kind::flow;
  time_window window;
  bool started = false;
  bool done = false;
  sys_seconds last_time{};     // sort key of the last row given
  std::int64_t last_id = 0;    // io_id, o_id or shop_id
  std::string last_sku_sn;     // flow only
};

// The order rows of a start_ts query come in: no source says, so jst-sim
// can do both. o_id (the default): the orders' own key, as a table's
// clustered index gives them without ORDER BY; ts: by row version.
enum class ts_order { o_id, ts };

class data_store {
 public:
  explicit data_store(const data_options& options, ts_order order = ts_order::o_id);

  page_rows query(const flow_query& q, sys_seconds now) const;
  page_rows query(const order_query& q, sys_seconds now) const;
  page_rows query(const shop_query& q) const;

  // Takes shops off the list, as when a shop is closed upstream; the number removed.
  std::size_t remove_shops(const std::vector<std::int64_t>& shop_ids);

  // Inserts `count` new flow rows created at window.start (see docs/simulator.md).
  void drift_flow(const time_window& window, std::int64_t count);
  // Moves up to `count` of the window's earliest visible orders to window.end;
  // with `change_items` each also changes its items (change_order_items).
  void drift_orders(const time_window& window, std::int64_t count, sys_seconds now, bool change_items);
  // Changes `count` visible orders as a start_ts query's drift: by turns the
  // first the query serves (most likely read already: later rows move up a
  // place in ts order) and the newest below the cursor (a row that enters
  // the query's rows); each gets modified = now and a new, largest ts.
  void drift_order_versions(std::int64_t start_ts, std::int64_t count, sys_seconds now, bool change_items);

  // Appends up to about `max_bytes` of JSON lines to `out`; sets cursor.done at the end.
  void read_truth(truth_cursor& cursor, sys_seconds now, std::string& out, std::size_t max_bytes) const;

  const std::vector<flow_row>& flow_rows() const { return flow_; }
  const std::vector<order_row>& orders() const { return orders_; }
  const std::vector<shop_row>& shops() const { return shops_; }
  bool has_late_rows() const { return late_fraction_ > 0.0; }
  // The rows served with a defect (data_options::bad_records).
  const std::vector<bad_record>& bad_records() const { return bad_records_; }

 private:
  void read_flow_truth(truth_cursor& cursor, sys_seconds now, std::string& out, std::size_t max_bytes) const;
  void read_order_truth(truth_cursor& cursor, sys_seconds now, std::string& out, std::size_t max_bytes) const;
  void read_shop_truth(truth_cursor& cursor, std::string& out, std::size_t max_bytes) const;

  std::uint64_t seed_;
  double late_fraction_;
  std::vector<flow_row> flow_;
  std::vector<order_row> orders_;
  std::vector<shop_row> shops_;  // by shop_id
  std::vector<bad_record> bad_records_;
  std::int64_t next_io_id_ = 0;
  std::uint64_t next_serial_ = 0;
  ts_order ts_order_;
  std::int64_t next_ts_ = first_ts;
  // A start_ts query's visible orders, in the order it serves them.
  std::vector<const order_row*> cursor_rows(std::int64_t start_ts, sys_seconds now) const;
  void bump_order(const order_row& order, sys_seconds now, bool change_items);
};

}  // namespace ferry::sim
