#pragma once
// The endpoints of the catalogue (../shared/jushuitan-endpoints.md, summary
// table) as jst-sim serves them: their spec, read from
// tests/sim/catalogue/endpoints.json (built into jst-sim), and a table of
// generated rows per endpoint with the queries, drift and truth the
// dedicated endpoints (flow, orders, shops) have.
//
// Rows follow the documented row classes field by field, each rendered as
// its documented type says (a String money field is a JSON string "12.50",
// a Number one a JSON number). Everything is a pure function of the seed,
// so the same options give the same rows. Not thread-safe (the engine's
// thread owns the tables).
#include "ferry/sim/dataset.hpp"
#include "ferry/sim/query.hpp"
#include "ferry/sim/store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::sim {

struct field_spec {
  std::string name;
  std::string json;     // string, integer, number, boolean, array, object
  std::string kind;     // id, datetime, date, money, quantity, int, number, bool, status, text, url, phone, ts
  std::string element;  // an array of scalars: string or integer
};

struct child_spec {
  std::string name;
  std::vector<std::string> key;
  std::vector<field_spec> fields;
  std::vector<child_spec> children;
};

struct endpoint_spec {
  std::string row, name, path, title;
  std::string envelope = "standard";  // standard, bare, toplevel
  std::string envelope_alternative;   // the shape another source shows, where sources disagree; empty otherwise
  std::string list_key = "datas";
  std::vector<std::string> page_fields;
  std::int64_t page_size_max = 1000;
  std::int64_t page_size_default = 30;
  std::optional<std::int64_t> page_index_max;
  struct time_filter {
    std::string begin, end;
    std::string row_field;  // the row field the filter selects on
    std::optional<std::chrono::seconds> max_span;
  };
  std::optional<time_filter> filter;
  struct cursor_spec {
    std::string request_field;
    std::string count_field;  // empty: none
    bool rows_have_ts = false;
    bool alone = false;
  };
  std::optional<cursor_spec> cursor;
  std::vector<std::string> key;
  std::string per_value;  // a request field the query is made per value of (inventory: wms_co_id)
  std::vector<field_spec> fields;
  std::vector<child_spec> children;  // arrays of row objects
  std::vector<child_spec> objects;   // single nested objects

  bool has_page_field(std::string_view f) const;
};

// The catalogue built into jst-sim; throws std::runtime_error naming the
// entry when the spec is malformed.
const std::vector<endpoint_spec>& catalogue();
const endpoint_spec* find_catalogue(std::string_view path);
endpoint_spec parse_endpoint_spec(const nlohmann::json& spec);

// A query of a catalogue endpoint, parsed from biz.
struct catalogue_query {
  std::int64_t page_index = 1;
  std::int64_t page_size = 30;
  std::optional<time_window> window;
  std::optional<std::int64_t> cursor;
  bool get_total = true;
  std::optional<std::int64_t> scope;  // the per-value field's value
};
parsed<catalogue_query> parse_catalogue_query(const endpoint_spec& spec, const nlohmann::json& biz);

class catalogue_table {
 public:
  // `rows` rows (per value of the per-value field: three values) over [from, to).
  catalogue_table(const endpoint_spec& spec, const data_options& options, std::int64_t rows, ts_order order);

  const endpoint_spec& spec() const { return *spec_; }
  page_rows query(const catalogue_query& q) const;
  // Changes `count` rows before an answer, as the orders' drift does: a
  // window's first rows move to its end, or a cursor's first rows (and by
  // turns the newest below it) get a new version; each gets modified = the
  // window's end or now and a new, largest ts; with `change_children` it
  // loses its last child or gains one.
  void drift(const catalogue_query& q, std::int64_t count, sys_seconds now, bool change_children);
  // The rows now: those whose filter time lies in [from, to], or all of them
  // (an endpoint without a time filter, or no window given); one JSON per
  // line. A per-value endpoint's rows start with the value they are served
  // for ({"wms_co_id": 10000001, ...}), which the served rows lack.
  std::string truth(std::optional<time_window> window) const;
  // Removes rows by key text (the first key field), as a master row deleted upstream; the number removed.
  std::size_t remove(const std::vector<std::string>& keys);

 private:
  struct row {
    std::int64_t serial = 0;
    std::vector<std::string> tokens;  // one JSON token per spec field
    sys_seconds time{};               // the filter's row field
    std::int64_t ts = 0;
    std::int64_t scope = 0;
    std::string key;                  // the first key field's JSON token
    std::vector<std::vector<std::string>> children;  // per child spec: the rendered elements
    std::string json;
  };
  void render(row& r) const;
  std::vector<std::size_t> matching(const catalogue_query& q) const;  // indexes into rows_, in serving order
  void bump(row& r, sys_seconds time, bool change_children);

  const endpoint_spec* spec_;
  std::uint64_t seed_;
  ts_order order_;
  std::vector<row> rows_;
  std::int64_t next_ts_ = first_ts;
  std::int64_t next_child_ = 0;
  int time_field_ = -1, ts_field_ = -1, version_field_ = -1;
};

}  // namespace ferry::sim
