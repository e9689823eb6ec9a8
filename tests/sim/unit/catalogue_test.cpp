// The catalogue endpoints jst-sim serves from tests/sim/catalogue/endpoints.json:
// each answers in its documented envelope with exactly its documented page
// fields and row fields, refuses what its documentation refuses, and shows
// its truth. The expected shapes are written here from the catalogue's
// summary table (../shared/jushuitan-endpoints.md), not read from the spec.
#include "ferry/sim/catalogue.hpp"
#include "ferry/sim/engine.hpp"
#include "ferry/sim/signed_form.hpp"

#include <catch2/catch.hpp>

using namespace ferry;
using nlohmann::json;

namespace {

const sim::sys_seconds now{std::chrono::seconds{1'780'000'000}};
constexpr std::string_view form_type = "application/x-www-form-urlencoded";

sim::sim_options small_options() {
  sim::sim_options o;
  o.data.records = 100;
  o.data.orders = 100;
  o.data.from = *core::parse_shanghai_datetime("2026-01-01 00:00:00");
  o.data.to = *core::parse_shanghai_datetime("2026-01-31 00:00:00");
  o.limit_per_second = 0;
  o.limit_per_minute = 0;
  o.catalogue_rows = 60;
  return o;
}

struct harness {
  sim::engine engine{small_options()};
  json call(std::string_view path, const json& biz) {
    const auto body = sim::signed_business_body(sim::credentials{}, "demo-access-token", biz.dump(), now);
    const auto reply = engine.handle({"POST", path, form_type, body}, now, {});
    REQUIRE(reply.status == 200);
    return json::parse(reply.body);
  }
  std::vector<json> truth(std::string_view path) {
    const auto reply = engine.handle({"GET", "/__sim/truth?endpoint=" + std::string{path}, "", ""}, now, {});
    REQUIRE(reply.status == 200);
    std::vector<json> rows;
    std::size_t start = 0;
    while (start < reply.body.size()) {
      const auto end = reply.body.find('\n', start);
      rows.push_back(json::parse(reply.body.substr(start, end - start)));
      start = end + 1;
    }
    return rows;
  }
};

json month(const char* begin, const char* end) {
  return {{begin, "2026-01-01 00:00:00"}, {end, "2026-01-06 00:00:00"}, {"page_index", 1}, {"page_size", 50}};
}

std::vector<std::string> keys_of(const json& object) {
  std::vector<std::string> out;
  for (const auto& [k, v] : object.items()) out.push_back(k);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("catalogue: the spec holds the 17 endpoints of the summary table, every one with row fields") {
  const auto& all = sim::catalogue();
  REQUIRE(all.size() == 17);
  for (const auto& e : all) {
    INFO(e.name);
    CHECK_FALSE(e.fields.empty());
    CHECK_FALSE(e.key.empty());
    CHECK(sim::find_catalogue(e.path) == &e);
  }
}

TEST_CASE("catalogue: each envelope carries exactly its documented page fields") {
  harness h;
  // Refunds: data{page_index, page_size, data_count, page_count, has_next, datas}.
  auto page = h.call("/open/refund/single/query", month("modified_begin", "modified_end"));
  CHECK(page["code"] == 0);
  CHECK(keys_of(page["data"]) ==
        std::vector<std::string>{"data_count", "datas", "has_next", "page_count", "page_index", "page_size"});
  // Inventory: data{page_index, page_size, has_next, inventorys}, no counts.
  page = h.call("/open/inventory/query", month("modified_begin", "modified_end"));
  CHECK(keys_of(page["data"]) == std::vector<std::string>{"has_next", "inventorys", "page_index", "page_size"});
  // Packs: date_count (sic), no has_next.
  page = h.call("/open/pack/query", {{"start_time", "2026-01-01 00:00:00"}, {"end_time", "2026-01-01 20:00:00"}});
  CHECK(keys_of(page["data"]) == std::vector<std::string>{"datas", "date_count", "page_index", "page_size"});
  // Refund payments: page_count and data_count, no has_next.
  page = h.call("/open/webapi/aftersaleapi/pay/payqueryasmodified", month("modified_begin", "modified_end"));
  CHECK(keys_of(page["data"]) == std::vector<std::string>{"data_count", "datas", "page_count", "page_index", "page_size"});
  // The in/out water query: page fields and datas at the top level, beside issuccess.
  page = h.call("/open/jushuitan/inout/water/query", month("start_time", "end_time"));
  CHECK_FALSE(page.contains("data"));
  CHECK(page["issuccess"] == true);
  CHECK(page.contains("has_next"));
  CHECK(page["datas"].is_array());
}

TEST_CASE("catalogue: caps and spans are refused with code 140, a cursor used alone must come alone") {
  harness h;
  auto biz = month("modified_begin", "modified_end");
  biz["page_size"] = 51;  // refunds: at most 50
  auto page = h.call("/open/refund/single/query", biz);
  CHECK(page["code"] == 140);
  CHECK_THAT(page["msg"].get<std::string>(), Catch::Contains("page_size"));
  biz = month("modified_begin", "modified_end");
  biz["modified_end"] = "2026-01-09 00:00:00";  // 8 days
  CHECK(h.call("/open/refund/single/query", biz)["code"] == 140);
  // The supplier query: one day at most.
  biz = {{"modified_begin", "2026-01-01 00:00:00"}, {"modified_end", "2026-01-02 00:00:01"}};
  CHECK(h.call("/open/supplier/query", biz)["code"] == 140);
  // Purchase-in: start_ts with paging alone, not with a time range.
  biz = month("modified_begin", "modified_end");
  biz["start_ts"] = 0;
  CHECK(h.call("/open/purchasein/query", biz)["code"] == 140);
  CHECK(h.call("/open/purchasein/query", {{"start_ts", 0}, {"page_size", 50}})["code"] == 0);
  // Without a time range or cursor: refused.
  CHECK(h.call("/open/refund/single/query", {{"page_index", 1}})["code"] == 140);
}

TEST_CASE("catalogue: rows carry every documented field, a cursor reads versions at or above it") {
  harness h;
  const auto page = h.call("/open/orders/out/simple/query", {{"start_ts", 0}, {"page_size", 50}, {"is_get_total", true}});
  REQUIRE(page["code"] == 0);
  const auto& rows = page["data"]["datas"];
  REQUIRE(rows.size() == 50);
  const auto* spec = sim::find_catalogue("/open/orders/out/simple/query");
  REQUIRE(spec != nullptr);
  CHECK(rows[0].size() == spec->fields.size());
  CHECK(rows[0]["io_id"].is_number_integer());
  CHECK(rows[0]["ts"].is_number_integer());
  CHECK(page["data"]["data_count"] == 60);
  // From the 30th version on: 31 rows (versions are unique).
  std::vector<std::int64_t> versions;
  for (const auto& r : h.truth("/open/orders/out/simple/query")) versions.push_back(r["ts"].get<std::int64_t>());
  std::sort(versions.begin(), versions.end());
  const auto later = h.call("/open/orders/out/simple/query", {{"start_ts", versions[29]}, {"page_size", 50}});
  CHECK(later["data"]["data_count"] == 31);
  // is_get_total=false: no count to trust.
  const auto uncounted = h.call("/open/orders/out/simple/query", {{"start_ts", 0}, {"is_get_total", false}});
  CHECK(uncounted["data"]["data_count"] == 0);
}

TEST_CASE("catalogue: inventory is per warehouse, its rows lack wms_co_id, the truth names it") {
  harness h;
  const auto truth = h.truth("/open/inventory/query");
  REQUIRE(truth.size() == 240);  // 0 (all warehouses) and three warehouses, 60 rows each
  std::map<std::int64_t, int> per_value;
  for (const auto& r : truth) ++per_value[r["wms_co_id"].get<std::int64_t>()];
  CHECK(per_value == std::map<std::int64_t, int>{{0, 60}, {10000001, 60}, {10000002, 60}, {10000003, 60}});
  const auto page = h.call("/open/inventory/query", {{"ts", 0}, {"wms_co_id", 10000002}, {"page_size", 100}});
  REQUIRE(page["code"] == 0);
  CHECK(page["data"]["inventorys"].size() == 60);
  CHECK_FALSE(page["data"]["inventorys"][0].contains("wms_co_id"));
}
