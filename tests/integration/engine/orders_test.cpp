// The orders job: each order into bi_orders and its items exploded into
// bi_order_items with the parent's o_id, both exact against the truth.
#include "harness.hpp"

#include <catch2/catch.hpp>

using namespace ferry::test;

TEST_CASE("orders and their exploded items sync exactly", "[engine][orders]") {
  sim s{{"--records", "100", "--orders", "4000", "--seed", "21", "--limit-per-second", "0",
         "--limit-per-minute", "0"}};
  test_database db{"e_orders"};
  set_source_env();
  const auto path = write_config("e_orders", orders_config(s.port(), db));
  const auto result = run_ferryd({"--config", path.string(), "--once", "orders"});
  REQUIRE(result.exit_code == 0);
  const auto orders = s.truth(orders_api, "2026-01-01 00:00:00", "2026-02-01 00:00:00");
  REQUIRE(orders.size() > 3000);
  const auto diff = compare(db, "bi_orders", {"o_id"},
                            {"o_id", "so_id", "shop_id", "shop_name", "status", "order_date", "modified",
                             "pay_amount", "freight", "buyer_message"},
                            orders);
  INFO(diff.describe());
  CHECK(diff.exact());

  std::vector<nlohmann::json> items;
  for (const auto& order : orders)
    for (auto item : order.at("items")) {
      item["o_id"] = order.at("o_id");
      item["modified"] = order.at("modified");
      items.push_back(std::move(item));
    }
  const auto item_diff = compare(db, "bi_order_items", {"o_id", "oi_id"},
                                 {"o_id", "oi_id", "sku_id", "name", "qty", "price", "amount", "modified"}, items);
  INFO(item_diff.describe());
  CHECK(item_diff.exact());
  CHECK(item_diff.matching > orders.size());
}
