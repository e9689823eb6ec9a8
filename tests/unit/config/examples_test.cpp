// The shipped examples (deploy/examples/) must load as they are.
#include "config_test_support.hpp"
#include "ferry/config/endpoints.hpp"

#include <catch2/catch.hpp>

using namespace ferry::config;
using namespace ferry::config::test;

namespace {

const std::filesystem::path examples = std::filesystem::path{FERRY_SOURCE_DIR} / "deploy" / "examples";

config load_example(const char* name) {
  const auto result = load_config_file(examples / name, example_env());
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.errors.empty());
  REQUIRE(result.value);
  return *result.value;
}

}  // namespace

TEST_CASE("the seed example maps every unique-code flow field", "[config][examples]") {
  const auto c = load_example("skusn_inout.json");
  REQUIRE(c.jobs.size() == 1);
  const auto& job = c.jobs[0];
  CHECK(job.api == "/open/webapi/wmsapi/skusn/queryinoutitemskusns");
  CHECK(job.page_size == 1000);
  CHECK(c.mysql.port == 3307);
  CHECK(c.sources[0].base_url == "http://127.0.0.1:9400");
  REQUIRE(job.targets.size() == 1);
  const auto& t = job.targets[0];
  CHECK(t.table == "bi_skusn_inout");
  CHECK(t.key == std::vector<std::string>{"sku_sn", "io_id"});
  CHECK(t.version == "modified_time");
  std::vector<std::string> names;
  for (const auto& col : t.columns) names.push_back(col.name);
  CHECK(names == std::vector<std::string>{"sku_sn", "io_id", "o_id", "inout_type", "sku_id", "cost_price",
                                          "cost_amount", "remark", "create_time", "modified_time",
                                          "supplier_id", "supplier_name"});
  CHECK(t.find_column("wms_co_id") == nullptr);  // a request filter: the flow rows do not have it
  CHECK(t.find_column("cost_price")->type.sql == "decimal(18,4)");
}

TEST_CASE("the shipped examples build mappers", "[config][examples]") {
  for (const char* name : {"skusn_inout.json", "orders.json"}) {
    const auto c = load_example(name);
    std::vector<ferry::transform::target_spec> specs;
    for (const auto& t : c.jobs[0].targets) specs.push_back(t.mapping());
    CHECK_NOTHROW(ferry::transform::mapper{specs});
  }
}

TEST_CASE("the orders example maps a simulated order into both tables", "[config][examples]") {
  const auto c = load_example("orders.json");
  std::vector<ferry::transform::target_spec> specs;
  for (const auto& t : c.jobs[0].targets) specs.push_back(t.mapping());
  const ferry::transform::mapper mapper{specs};
  // The shape jst-sim serves (tests/sim/src/orders.cpp).
  const auto order = nlohmann::json::parse(R"({"o_id": 42, "so_id": "SO42", "shop_id": 3, "shop_name": "店铺",
    "status": "Sent", "order_date": "2026-01-02 10:00:00", "modified": "2026-01-03 11:00:00",
    "pay_amount": 30.5000, "freight": 0.0000, "buyer_message": null,
    "items": [{"oi_id": 1, "sku_id": "A-100-M", "name": "衬衫", "qty": 1, "price": 10.5000, "amount": 10.5000},
              {"oi_id": 2, "sku_id": "B-101-L", "name": "裤子", "qty": 2, "price": 10.0000, "amount": 20.0000}]})");
  std::vector<std::vector<ferry::transform::row>> rows;
  const auto error = mapper.map(order, rows);
  INFO((error ? error->to_string() : ""));
  REQUIRE_FALSE(error);
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[0].size() == 1);
  REQUIRE(rows[1].size() == 2);
  CHECK(rows[1][1].values.front() == "42");                  // o_id from the parent
  CHECK(rows[1][1].values.back() == "2026-01-03 11:00:00");  // modified from the parent
  CHECK(rows[1][1].values[1] == "2");                        // oi_id from the element
}

TEST_CASE("the orders example explodes items with the parent's o_id", "[config][examples]") {
  const auto c = load_example("orders.json");
  REQUIRE(c.jobs.size() == 1);
  const auto& job = c.jobs[0];
  CHECK(job.api == "/open/orders/single/query");
  CHECK(job.list_key == "orders");
  CHECK(job.page_size == 100);
  CHECK(job.window.max_span == std::chrono::days{6});
  CHECK(job.request.field_names() == std::vector<std::string>{"modified_begin", "modified_end"});
  REQUIRE(job.targets.size() == 2);
  CHECK(job.targets[0].table == "bi_orders");
  CHECK(job.targets[0].key == std::vector<std::string>{"o_id"});
  CHECK_FALSE(job.targets[0].explode);
  const auto& items = job.targets[1];
  CHECK(items.table == "bi_order_items");
  REQUIRE(items.explode);
  CHECK(*items.explode == "items");
  CHECK(items.key == std::vector<std::string>{"o_id", "oi_id"});
  CHECK(items.find_column("o_id")->path == "$.o_id");
  CHECK(items.find_column("modified")->path == "$.modified");
  CHECK(items.find_column("oi_id")->path == "oi_id");
}

TEST_CASE("the shops example is a full refresh of every documented shop field", "[config][examples]") {
  const auto c = load_example("shops.json");
  REQUIRE(c.jobs.size() == 1);
  const auto& job = c.jobs[0];
  CHECK(job.api == "/open/shops/query");
  REQUIRE(job.full_refresh);
  CHECK(job.full_refresh->min_ratio == 0.5);
  REQUIRE(job.targets.size() == 1);
  std::vector<std::string> names;
  for (const auto& col : job.targets[0].columns) names.push_back(col.name);
  CHECK(names == std::vector<std::string>{"shop_id", "shop_name", "co_id", "shop_site", "shop_url", "created", "nick",
                                          "session_expired", "session_uid", "short_name", "group_id", "group_name"});
}

TEST_CASE("every Jushuitan template loads, inside its endpoint's caps", "[config][examples][templates]") {
  std::size_t loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator{examples / "jushuitan"}) {
    const auto name = entry.path().filename().string();
    INFO(name);
    const auto c = load_example(("jushuitan/" + name).c_str());
    // One job; the inventory's comes after the warehouses' it reads its values from.
    REQUIRE(c.jobs.size() == (name == "inventory.json" ? 2 : 1));
    const auto& job = c.jobs.back();
    if (name == "inventory.json") {
      REQUIRE(job.for_each);
      CHECK(job.for_each->field == "wms_co_id");
      CHECK(job.for_each->table == "bi_jst_warehouses");
      CHECK(job.for_each->after == c.jobs[0].id);
    }
    const auto* endpoint = find_endpoint(job.api);
    REQUIRE(endpoint != nullptr);
    CHECK(job.page_size <= endpoint->max_page_size);
    CHECK(job.list_key == std::string{endpoint->list_key});
    // The read mode the endpoint offers: a cursor where rows carry ts, a
    // full refresh where there is no time filter, windows under the cap elsewhere.
    if (!endpoint->cursor_field.empty() && endpoint->rows_have_ts) CHECK(job.cursor);
    else if (endpoint->max_span.count() == 0) CHECK(job.full_refresh);
    else CHECK(job.window.max_span < endpoint->max_span);
    ++loaded;
  }
  CHECK(loaded == 17);
}
