#include "ferry/sim/dataset.hpp"
#include "ferry/sim/text.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <vector>

using namespace ferry;

namespace {

sim::data_options options(std::uint64_t seed, std::int64_t records = 3000) {
  sim::data_options o;
  o.seed = seed;
  o.records = records;
  o.orders = records / 4;
  o.from = *core::parse_shanghai_datetime("2026-01-01 00:00:00");
  o.to = *core::parse_shanghai_datetime("2026-01-31 00:00:00");
  return o;
}

std::vector<std::string> json_of(const std::vector<sim::flow_row>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.json);
  return out;
}

}  // namespace

TEST_CASE("the same seed gives identical rows, another seed different ones") {
  const auto a = sim::generate_flow_rows(options(1));
  const auto b = sim::generate_flow_rows(options(1));
  const auto c = sim::generate_flow_rows(options(2));
  CHECK(json_of(a) == json_of(b));
  CHECK(json_of(a) != json_of(c));
  CHECK(sim::generate_orders(options(1)).front().json == sim::generate_orders(options(1)).front().json);
  CHECK(sim::generate_orders(options(1)).front().json != sim::generate_orders(options(2)).front().json);
}

TEST_CASE("flow rows: count, unique keys, paging order, time range, all 18 inout_types") {
  const auto o = options(5);
  const auto rows = sim::generate_flow_rows(o);
  REQUIRE(std::ssize(rows) == o.records);
  std::set<std::pair<std::string, std::int64_t>> keys;
  std::set<std::string> sku_sns;
  std::set<int> types;
  std::map<std::int64_t, int> rows_per_io;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    keys.emplace(r.sku_sn, r.io_id);
    sku_sns.insert(r.sku_sn);
    types.insert(r.inout_type);
    ++rows_per_io[r.io_id];
    CHECK((r.create_time >= o.from && r.create_time < o.to));
    CHECK(r.modified_time >= r.create_time);
    if (i > 0) CHECK(sim::flow_before(rows[i - 1], r));
  }
  CHECK(keys.size() == rows.size());
  CHECK(types == std::set<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18});
  CHECK(std::any_of(rows_per_io.begin(), rows_per_io.end(), [](const auto& kv) { return kv.second > 1; }));
  // Unique codes live: most move more than once (sku_sn alone is not a row's key).
  CHECK(sku_sns.size() * 3 < rows.size() * 2);
}

TEST_CASE("a unique code's movements come in time order, each one a warehouse could make") {
  const auto rows = sim::generate_flow_rows(options(6));
  const std::set<int> arrivals{1, 12, 14, 17};  // purchase-in, opening stock, other-in, processing-in
  const std::set<int> leaving{2, 13, 16, 18};   // purchase return, other-out, processing-out, other return
  std::map<std::string, std::vector<const sim::flow_row*>> lives;
  for (const auto& r : rows) lives[r.sku_sn].push_back(&r);  // rows are in time order
  std::size_t moved_often = 0;
  for (const auto& [code, life] : lives) {
    INFO(code);
    CHECK(arrivals.count(life.front()->inout_type) == 1);
    for (std::size_t i = 1; i < life.size(); ++i) {
      CHECK(arrivals.count(life[i]->inout_type) == 0);   // arrives once
      CHECK(leaving.count(life[i - 1]->inout_type) == 0);  // nothing after it left
      CHECK(life[i - 1]->create_time <= life[i]->create_time);
      CHECK(life[i - 1]->sku_id == life[i]->sku_id);
      CHECK(life[i - 1]->cost_price == life[i]->cost_price);
      // A sale comes back as a sales return, a transfer out as a transfer in.
      if (life[i]->inout_type == 4) CHECK((life[i - 1]->inout_type == 3 || life[i - 1]->inout_type == 9 || life[i - 1]->inout_type == 15));
      if (life[i]->inout_type == 6) CHECK(life[i - 1]->inout_type == 5);
    }
    moved_often += life.size() >= 3 ? 1U : 0U;
  }
  CHECK(moved_often > 0);
}

TEST_CASE("every row's JSON parses and carries its fields exactly") {
  const auto rows = sim::generate_flow_rows(options(3));
  // As the documented platform types them: cost_price a string, cost_amount a number.
  const std::regex four_places(R"("cost_price":"-?\d+\.\d{4}","cost_amount":-?\d+\.\d{4},)");
  bool saw_null_remark = false, saw_empty_remark = false, saw_quote = false, saw_emoji = false,
       saw_newline = false, saw_backslash = false, saw_null_supplier = false;
  for (const auto& r : rows) {
    const auto j = nlohmann::json::parse(r.json);
    REQUIRE(j["sku_sn"] == r.sku_sn);
    REQUIRE(j["io_id"] == r.io_id);
    REQUIRE(j["o_id"] == std::to_string(r.o_id));
    REQUIRE(j["supplier_id"] == std::to_string(r.supplier_id));
    REQUIRE(j["sku_id"].is_string());
    REQUIRE_FALSE(j.contains("wms_co_id"));  // a request filter, not a row field
    REQUIRE(std::regex_search(r.json, four_places));
    if (r.remark) REQUIRE(j["remark"].get<std::string>() == *r.remark);
    else REQUIRE(j["remark"].is_null());
    saw_null_remark |= !r.remark;
    saw_empty_remark |= r.remark && r.remark->empty();
    saw_quote |= r.remark && r.remark->find('"') != std::string::npos;
    saw_emoji |= r.remark && r.remark->find("😀") != std::string::npos;
    saw_newline |= r.remark && r.remark->find('\n') != std::string::npos;
    saw_backslash |= r.remark && r.remark->find('\\') != std::string::npos;
    saw_null_supplier |= j["supplier_name"].is_null();
  }
  CHECK(saw_null_remark);
  CHECK(saw_empty_remark);
  CHECK(saw_quote);
  CHECK(saw_emoji);
  CHECK(saw_newline);
  CHECK(saw_backslash);
  CHECK(saw_null_supplier);
}

TEST_CASE("orders: 1-5 items, amounts add up, sorted by modified then o_id") {
  const auto orders = sim::generate_orders(options(4));
  REQUIRE(orders.size() == 750);
  std::set<std::int64_t> item_ids;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const auto& o = orders[i];
    const auto j = nlohmann::json::parse(o.json);
    CHECK((j["items"].size() >= 1 && j["items"].size() <= 5));
    std::int64_t sum = o.freight;
    for (const auto& item : o.items) {
      CHECK(item.amount == item.price * item.qty);
      sum += item.amount;
      item_ids.insert(item.oi_id);
    }
    CHECK(o.pay_amount == sum);
    CHECK(o.order_date <= o.modified);
    if (i > 0) CHECK(sim::order_before(orders[i - 1], o));
  }
  CHECK(item_ids.size() > orders.size());
}

TEST_CASE("an order's freight is a string as documented, a number, or \"\" when there is none, as asked") {
  auto o = options(4);
  std::size_t zero = 0;
  for (const auto& order : sim::generate_orders(o)) {
    const auto freight = nlohmann::json::parse(order.json)["freight"];
    REQUIRE(freight.is_string());
    CHECK(freight == sim::decimal4(order.freight));
    if (order.freight == 0) ++zero;
  }
  REQUIRE(zero > 0);
  o.freight = sim::freight_text::number;
  for (const auto& order : sim::generate_orders(o)) CHECK(nlohmann::json::parse(order.json)["freight"].is_number());
  o.freight = sim::freight_text::empty_when_zero;
  std::size_t empty = 0;
  for (const auto& order : sim::generate_orders(o)) {
    const auto freight = nlohmann::json::parse(order.json)["freight"];
    REQUIRE(freight.is_string());
    if (order.freight == 0) {
      CHECK(freight == "");
      ++empty;
    } else {
      CHECK(freight == sim::decimal4(order.freight));
    }
  }
  CHECK(empty == zero);
}

TEST_CASE("late rows are a deterministic fraction, visible only after the delay") {
  auto o = options(9, 10000);
  o.late_fraction = 0.2;
  o.late_delay = std::chrono::seconds{120};
  const auto rows = sim::generate_flow_rows(o);
  const auto late = std::count_if(rows.begin(), rows.end(),
                                  [](const sim::flow_row& r) { return r.visible_at != sim::always_visible; });
  CHECK(late > 1800);
  CHECK(late < 2200);
  for (const auto& r : rows)
    if (r.visible_at != sim::always_visible) REQUIRE(r.visible_at == r.create_time + o.late_delay);
  CHECK(json_of(rows) == json_of(sim::generate_flow_rows(o)));
}

TEST_CASE("bad records: spread evenly, every kind once per cycle, one member changed") {
  auto rows = sim::generate_flow_rows(options(7, 1000));
  const auto clean = json_of(rows);
  const auto bad = sim::spoil_flow_rows(rows, 16);
  REQUIRE(bad.size() == 16);
  const auto& kinds = sim::bad_record_kinds();
  REQUIRE(kinds.size() == 8);
  std::size_t changed = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) changed += rows[i].json != clean[i] ? 1U : 0U;
  CHECK(changed == 16);
  for (std::size_t i = 0; i < bad.size(); ++i) {
    INFO(bad[i].kind << " " << bad[i].json.substr(0, 200));
    CHECK(bad[i].kind == kinds[i % kinds.size()]);
    // Still one JSON object; only the named member differs from the clean row.
    const auto spoiled = nlohmann::json::parse(bad[i].json);
    const auto row = std::find_if(rows.begin(), rows.end(),
                                  [&](const auto& r) { return r.sku_sn == bad[i].sku_sn && r.io_id == bad[i].io_id; });
    REQUIRE(row != rows.end());
    auto original = nlohmann::json::parse(clean[static_cast<std::size_t>(row - rows.begin())]);
    CHECK(spoiled.size() == original.size() - (bad[i].kind == "missing_key" ? 1 : 0));
    for (const auto& [key, value] : original.items())
      if (key != bad[i].field) CHECK(spoiled.at(key) == value);
    if (bad[i].kind != "missing_key") CHECK(spoiled.at(bad[i].field) != original.at(bad[i].field));
  }
  CHECK(nlohmann::json::parse(bad[3].json).contains("sku_sn") == false);
  CHECK(nlohmann::json::parse(bad[4].json)["io_id"].is_null());
  // Evenly spread: the first and last slices both hold one.
  CHECK(rows[31].json != clean[31]);
  CHECK(rows[968].json != clean[968]);
}
