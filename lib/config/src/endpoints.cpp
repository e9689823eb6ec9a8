#include "ferry/config/endpoints.hpp"

#include <array>

namespace ferry::config {
namespace {

using std::chrono::days;

// From ../shared/jushuitan-endpoints.md (the catalogue's summary table; the
// same facts drive jst-sim, tests/sim/catalogue/endpoints.json): page caps,
// window caps (code 140 past them), where the rows are, and the row-version
// cursor. A cap the docs do not state is the documented default (the
// warehouses' 30 rows) or 7 days (the in/out water query's window). The
// answers of every cursor endpoint but the inventory's carry data_count;
// those without is_get_total send it unasked.
constexpr std::array<endpoint_limits, 17> table{{
    {"/open/orders/single/query", "the order query", 100, days{7}, "orders", "start_ts", true, true, true},
    {"/open/refund/single/query", "the refund query (退货退款查询)", 50, days{7}, "datas", "start_ts", true, true, true},
    {"/open/aftersale/received/query", "the after-sale receipt query (实际收货查询)", 50, days{7}, "datas", "start_ts",
     false, true, true},
    // "6 months": 180 days is under every six-month span.
    {"/open/webapi/aftersaleapi/pay/payqueryasmodified", "the refund payment query (退款单查询)", 1000, days{180},
     "datas", "start_ts", false, true, true},
    // The cursor's request field is "ts" here, and the query is per warehouse.
    {"/open/inventory/query", "the inventory query (商品库存查询)", 100, days{7}, "inventorys", "ts", false, true},
    {"/open/pack/query", "the pack query (箱及仓位库存查询)", 200, days{1}},
    {"/open/purchasein/query", "the purchase-in query (采购入库查询)", 50, days{7}, "datas", "start_ts", true, true, true},
    {"/open/webapi/wmsapi/purchasein/purchaseinquery", "the WMS purchase-in query (采购入库查询)", 50, days{7}, "datas",
     "start_ts", true, true, true},
    {"/open/orders/out/simple/query", "the sales-out query (销售出库查询)", 50, days{7}, "datas", "start_ts", true, true, true},
    // Takes start_ts, but its rows carry no ts to move a cursor by.
    {"/open/other/inout/query", "the other in/out query (其它出入库查询)", 50, days{7}, "datas", "start_ts", false,
     false},
    {"/open/sku/query", "the SKU query (普通商品资料查询)", 50, days{7}},
    {"/open/mall/item/query", "the item query (普通商品查询)", 50, days{7}},
    // Master lists: no time filter (read by a full refresh), so no span.
    {"/open/shops/query", "the shop query (店铺查询)", 100, days{0}},
    {"/open/wms/partner/query", "the warehouse query (仓库查询)", 30, days{0}},
    {"/open/supplier/query", "the supplier query (供应商查询)", 500, days{1}},
    {"/open/webapi/wmsapi/skusn/queryinoutitemskusns", "the unique-code in/out flow query", 1000, days{30}},
    {"/open/jushuitan/inout/water/query", "the in/out water query (进出仓流水)", 50, days{7}},
}};

}  // namespace

std::span<const endpoint_limits> known_endpoints() { return table; }

const endpoint_limits* find_endpoint(std::string_view api) {
  for (const auto& e : table)
    if (e.api == api) return &e;
  return nullptr;
}

}  // namespace ferry::config
