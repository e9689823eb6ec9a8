#include "ferry/config/endpoints.hpp"

#include <catch2/catch.hpp>

using namespace ferry::config;

TEST_CASE("the endpoint table knows the seed, orders and shops endpoints", "[config][endpoints]") {
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
  CHECK(known_endpoints().size() == 3);
}
