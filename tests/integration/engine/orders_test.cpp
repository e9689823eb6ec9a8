// The orders job: each order into bi_orders and its items exploded into
// bi_order_items with the parent's o_id, both exact against the truth.
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;

namespace {

// Every order's items, each with its order's o_id and modified, as bi_order_items should hold them.
std::vector<nlohmann::json> items_of(const std::vector<nlohmann::json>& orders) {
  std::vector<nlohmann::json> items;
  for (const auto& order : orders)
    for (auto item : order.at("items")) {
      item["o_id"] = order.at("o_id");
      item["modified"] = order.at("modified");
      items.push_back(std::move(item));
    }
  return items;
}

const std::vector<std::string> item_columns{"o_id", "oi_id", "sku_id", "name", "qty", "price", "amount", "modified"};

}  // namespace

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

  const auto item_diff = compare(db, "bi_order_items", {"o_id", "oi_id"}, item_columns, items_of(orders));
  INFO(item_diff.describe());
  CHECK(item_diff.exact());
  CHECK(item_diff.matching > orders.size());
}

TEST_CASE("an amount the platform sends as \"\" (none) is stored as NULL, nothing lost or refused", "[engine][orders]") {
  sim s{{"--records", "100", "--orders", "1500", "--seed", "23", "--orders-freight", "empty", "--limit-per-second",
         "0", "--limit-per-minute", "0"}};
  test_database db{"e_orders_empty"};
  set_source_env();
  const auto path = write_config("e_orders_empty", orders_config(s.port(), db));
  const auto result = run_ferryd({"--config", path.string(), "--once", "orders"});
  REQUIRE(result.exit_code == 0);
  auto orders = s.truth(orders_api, "2026-01-01 00:00:00", "2026-02-01 00:00:00");
  REQUIRE(orders.size() == 1500);
  std::size_t none = 0;
  for (auto& order : orders)
    if (order.at("freight") == "") {
      order["freight"] = nullptr;  // what the column should hold
      ++none;
    }
  REQUIRE(none > 0);
  const auto diff = compare(db, "bi_orders", {"o_id"}, {"o_id", "modified", "pay_amount", "freight"}, orders);
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(db.scalar("SELECT COUNT(*) FROM bi_orders WHERE freight IS NULL") == std::to_string(none));
  CHECK(db.scalar("SELECT COUNT(*) FROM ferry_dead_letters") == "0");
}

TEST_CASE("items an order loses upstream leave bi_order_items, and an order with none left keeps none",
          "[engine][orders]") {
  sim s{{"--records", "100", "--orders", "3000", "--seed", "22", "--limit-per-second", "0",
         "--limit-per-minute", "0"}};
  test_database db{"e_order_edits"};
  set_source_env();
  auto config = orders_config(s.port(), db);
  config["sources"]["jst"]["max_in_flight"] = 1;
  const auto path = write_config("e_order_edits", config);
  REQUIRE(run_ferryd({"--config", path.string(), "--once", "orders"}).exit_code == 0);

  // While a backfill pages, orders are edited upstream: each moved order
  // loses its last item, loses them all, has one replaced or gains one.
  // Then the edits stop and the re-fetch of the short windows sees them.
  s.set_faults({{"drift_rows_per_call", 5}, {"drift_changes_items", true}});
  const int calls_before = s.stats()["business_calls"].get<int>();
  std::atomic<bool> done{false};
  std::thread settle{[&] {
    while (!done && s.stats()["business_calls"].get<int>() < calls_before + 12) std::this_thread::sleep_for(20ms);
    s.set_faults({{"drift_rows_per_call", 0}});
  }};
  const auto backfill = run_ferryd_with_log({"--config", path.string(), "--once", "orders", "--from",
                                             "2026-01-01 00:00:00", "--to", "2026-02-01 00:00:00"});
  done = true;
  settle.join();
  REQUIRE(backfill.exit_code == 0);

  const auto orders = s.truth(orders_api, "2026-01-01 00:00:00", "2026-02-01 00:00:00");
  REQUIRE(orders.size() == 3000);
  const auto diff = compare(db, "bi_orders", {"o_id"}, {"o_id", "modified", "pay_amount", "freight"}, orders);
  INFO(diff.describe());
  CHECK(diff.exact());
  const auto item_diff = compare(db, "bi_order_items", {"o_id", "oi_id"}, item_columns, items_of(orders));
  INFO(item_diff.describe());
  CHECK(item_diff.exact());
  // The edits happened, of every kind: orders without items, new items, removed ones.
  CHECK(std::stoi(db.scalar("SELECT COUNT(*) FROM bi_orders o WHERE NOT EXISTS "
                            "(SELECT 1 FROM bi_order_items i WHERE i.o_id = o.o_id)")) > 0);
  CHECK(std::stoi(db.scalar("SELECT COUNT(*) FROM bi_order_items WHERE oi_id >= 900000000000")) > 0);
  // ... and each window's log line says how many item rows it deleted.
  std::uint64_t deleted = 0;
  for (auto at = backfill.out.find(" deleted="); at != std::string::npos; at = backfill.out.find(" deleted=", at + 1))
    deleted += std::stoull(backfill.out.substr(at + 9));
  CHECK(deleted > 0);
}
