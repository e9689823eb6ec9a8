#include "ferry/config/endpoints.hpp"

#include <catch2/catch.hpp>

using namespace ferry::config;

TEST_CASE("the endpoint table knows the 17 endpoints of the catalogue", "[config][endpoints]") {
  const auto* flow = find_endpoint("/open/webapi/wmsapi/skusn/queryinoutitemskusns");
  REQUIRE(flow);
  CHECK(flow->max_page_size == 1000);
  CHECK(flow->max_span == std::chrono::days{30});
  const auto* orders = find_endpoint("/open/orders/single/query");
  REQUIRE(orders);
  CHECK(orders->max_page_size == 100);
  CHECK(orders->max_span == std::chrono::days{7});
  const auto* shops = find_endpoint("/open/shops/query");
  REQUIRE(shops);
  CHECK(shops->max_page_size == 100);
  CHECK(shops->max_span.count() == 0);  // no time filter: read by a full refresh
  CHECK(find_endpoint("/open/orders/single/query/") == nullptr);
  CHECK(find_endpoint("") == nullptr);
  CHECK(known_endpoints().size() == 17);
  // Spot facts of ../shared/jushuitan-endpoints.md's summary table.
  const auto* refunds = find_endpoint("/open/refund/single/query");
  REQUIRE(refunds);
  CHECK(refunds->max_page_size == 50);
  CHECK(refunds->cursor_field == "start_ts");
  CHECK(refunds->total_field);
  const auto* inventory = find_endpoint("/open/inventory/query");
  REQUIRE(inventory);
  CHECK(inventory->cursor_field == "ts");  // the request field is named ts there
  CHECK_FALSE(inventory->total_field);
  CHECK_FALSE(inventory->answers_count);
  // No is_get_total to ask with, but data_count in every answer.
  const auto* received = find_endpoint("/open/aftersale/received/query");
  REQUIRE(received);
  CHECK_FALSE(received->total_field);
  CHECK(received->answers_count);
  CHECK(inventory->list_key == "inventorys");
  const auto* other = find_endpoint("/open/other/inout/query");
  REQUIRE(other);
  CHECK_FALSE(other->rows_have_ts);  // start_ts exists, but rows carry no ts
  const auto* packs = find_endpoint("/open/pack/query");
  REQUIRE(packs);
  CHECK(packs->max_span == std::chrono::days{1});
  CHECK(packs->default_span() == std::chrono::hours{23});  // under a one-day cap
  const auto* warehouses = find_endpoint("/open/wms/partner/query");
  REQUIRE(warehouses);
  CHECK(warehouses->max_span.count() == 0);
}
