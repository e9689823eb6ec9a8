// Which exploded targets delete the children a parent no longer lists: only
// where nothing can be mistaken (docs/configuration.md, "Children an order no
// longer has"). Built from the shipped orders example and variants of it.
#include "ferry/config/load.hpp"
#include "ferry/sync/job_plan.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

using namespace ferry;

namespace {

config::config orders_example() {
  const auto file = std::filesystem::path{FERRY_SOURCE_DIR} / "deploy" / "examples" / "orders.json";
  const auto result = config::load_config_file(file, [](std::string_view name) -> std::optional<std::string> {
    if (name == "FERRY_MYSQL_PASSWORD" || name == "JST_APP_SECRET" || name == "JST_ACCESS_TOKEN" ||
        name == "JST_REFRESH_TOKEN")
      return std::string{"x"};
    return std::nullopt;
  });
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.value);
  return *result.value;
}

sync::job_plan plan_of(const config::config& c) {
  return sync::make_job_plan(c.jobs.at(0), c.sources.at(0), c.mysql);
}

config::column_config& column(config::target_config& t, const std::string& name) {
  const auto at = std::find_if(t.columns.begin(), t.columns.end(), [&](const auto& c) { return c.name == name; });
  REQUIRE(at != t.columns.end());
  return *at;
}

}  // namespace

TEST_CASE("order items follow their order: the parent key is the orders table's key", "[sync][job_plan]") {
  const auto plan = plan_of(orders_example());
  REQUIRE(plan.targets.size() == 2);
  CHECK(plan.targets[0].table.parent_key.empty());
  CHECK_FALSE(plan.targets[0].parent);
  CHECK(plan.targets[1].table.parent_key == std::vector<std::string>{"o_id"});
  REQUIRE(plan.targets[1].parent);
  REQUIRE(plan.targets[1].explode);
  CHECK(plan.targets[1].explode->text() == "items");
  // The parent mapper reads o_id (required, no default) and then the version.
  const auto& parent = plan.targets[1].parent->targets().at(0);
  REQUIRE(parent.columns.size() == 2);
  CHECK(parent.columns[0].path == "$.o_id");
  CHECK(parent.columns[0].required);
  CHECK(parent.columns[1].path == "$.modified");
  CHECK_FALSE(parent.columns[1].default_value);
}

TEST_CASE("exploded targets that cannot tell one parent apart only upsert", "[sync][job_plan]") {
  auto c = orders_example();
  auto& items = c.jobs[0].targets[1];
  SECTION("the parent columns are not the key of a record table") {
    // Keyed by shop and line: every order of a shop would be one "parent".
    column(items, "o_id").path = "$.shop_id";
  }
  SECTION("the job has no table of the records themselves") {
    c.jobs[0].targets.erase(c.jobs[0].targets.begin());
  }
  SECTION("the version is the element's own") {
    column(items, "modified").path = "modified";
  }
  SECTION("there is no version") {
    items.version.reset();
  }
  SECTION("the key has no column of the element") {
    items.key = {"o_id"};
  }
  const auto plan = plan_of(c);
  for (const auto& t : plan.targets) {
    CHECK(t.table.parent_key.empty());
    CHECK_FALSE(t.parent);
  }
}
