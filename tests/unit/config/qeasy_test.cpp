// A job given as a QEasy pair (docs/qeasy.md): the seed's blocks load as
// QEasy stores them, and every key ferry cannot honour is refused by name.
#include "config_test_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace ferry::config;
using namespace ferry::config::test;

namespace {

const std::filesystem::path example_file =
    std::filesystem::path{FERRY_SOURCE_DIR} / "deploy" / "examples" / "skusn_inout_qeasy.json";

document seed_document() {
  std::ifstream in{example_file};
  std::stringstream text;
  text << in.rdbuf();
  return document::parse(text.str(), nullptr, true, true);
}

document& pair(document& d) { return d["jobs"][0]["qeasy"]; }
document& source(document& d) { return pair(d)["source"]; }
document& target(document& d) { return pair(d)["target"]; }

std::vector<config_error> errors_of(const document& d) { return load(d).errors; }

// Exactly one error, at `path`, whose message holds `text`.
void refused(const std::function<void(document&)>& change, const std::string& path, const std::string& text) {
  auto d = seed_document();
  change(d);
  const auto errors = errors_of(d);
  for (const auto& e : errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == path);
  CHECK_THAT(errors[0].message + " — " + errors[0].hint, Catch::Contains(text));
}

std::string report_text(const job_config& job) {
  std::string out;
  for (const auto& line : job.qeasy->report) out += line + "\n";
  return out;
}

}  // namespace

TEST_CASE("the seed's QEasy pair loads as QEasy stores it", "[config][qeasy]") {
  const auto result = load(seed_document());
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.value);
  const auto& job = result.value->jobs.at(0);
  CHECK(job.api == "/open/webapi/wmsapi/skusn/queryinoutitemskusns");
  CHECK(job.page_size == 1000);
  CHECK(job.request.field_names() == std::vector<std::string>{"create_time_start", "create_time_end"});
  REQUIRE(job.qeasy);
  CHECK(job.qeasy->id == "sku_sn");
  CHECK(job.qeasy->number == "sku_sn");
  REQUIRE(job.targets.size() == 1);
  const auto& t = job.targets[0];
  CHECK(t.table == "bi_skusn_inout");
  CHECK(t.from_table);
  CHECK(t.batch_rows == std::size_t{1000});
  CHECK(t.key == std::vector<std::string>{"sku_sn"});  // only the fallback: the table's key decides
  REQUIRE(t.columns.size() == 12);
  CHECK(t.columns[5].name == "cost_price");
  CHECK(t.columns[5].path == "cost_price");
  // Every key of both blocks is in the report, in file order.
  const auto report = report_text(job);
  for (const char* key : {"source.api", "source.effect", "source.method", "source.number", "source.id", "source.name",
                          "source.idCheck", "source.request[0]", "source.request[1]", "source.autoFillResponse",
                          "target.api", "target.effect", "target.otherRequest"})
    CHECK_THAT(report, Catch::Contains(std::string{"jobs[0].qeasy."} + key + ":"));
  CHECK_THAT(report, Catch::Contains("never collapsed"));
  CHECK_THAT(report, Catch::Contains("its own exact upserts"));
}

TEST_CASE("the job a QEasy pair became loads again as a native job", "[config][qeasy]") {
  const auto first = load(seed_document());
  REQUIRE(first.value);
  const auto printed = to_json(first.value->jobs[0]);
  auto d = seed_document();
  d["jobs"][0] = document::parse(printed.dump());
  const auto again = load(d);
  for (const auto& e : again.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(again.value);
  const auto& job = again.value->jobs[0];
  CHECK_FALSE(job.qeasy);
  CHECK(job.api == first.value->jobs[0].api);
  CHECK(job.page_size == 1000);
  CHECK(job.targets[0].from_table);
  CHECK(job.targets[0].columns.size() == 12);
  CHECK(to_json(job) == printed);
}

TEST_CASE("a QEasy page size drives ferry's paging, capped as the endpoint documents", "[config][qeasy]") {
  auto d = seed_document();
  source(d)["request"][1]["value"] = "5000";
  auto result = load(d);
  REQUIRE(result.value);
  CHECK(result.value->jobs[0].page_size == 1000);
  CHECK_THAT(report_text(result.value->jobs[0]), Catch::Contains("5000 capped at the endpoint's documented 1000"));

  d = seed_document();
  source(d)["request"][1]["value"] = "{{PAGINATION_PAGE_SIZE}}";
  source(d)["request"][0]["value"] = "{{PAGINATION_START_PAGE}}";
  source(d)["pagination"] = {{"pageSize", 200}};
  result = load(d);
  REQUIRE(result.value);
  CHECK(result.value->jobs[0].page_size == 200);
}

TEST_CASE("condition, beatFlat and omissionRemedy become the job's filter, flattening and catch-up",
          "[config][qeasy]") {
  auto d = seed_document();
  source(d)["condition"] = document::parse(R"([[{"field": "inout_type", "logic": "eq", "value": "3"},
                                                {"field": "items.name", "logic": "like", "value": "衬衫", "strictMode": true}],
                                               [{"field": "remark", "logic": "notnull"}]])");
  source(d)["beatFlat"] = {"items"};
  source(d)["omissionRemedy"] = document::parse(R"({"crontab": "2 */2 * * *", "takeOverRequest": [
      {"field": "create_time_start", "label": "开始", "type": "string", "is_required": true, "describe": null,
       "value": "{{DAYS_AGO_2|datetime}}"},
      {"field": "create_time_end", "label": "结束", "type": "string", "is_required": true,
       "value": "{{DAYS_AGO_1|datetime}}"}]})");
  const auto result = load(d);
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.value);
  const auto& job = result.value->jobs[0];
  REQUIRE(job.filter.size() == 2);
  CHECK(job.filter[0][1].strict);
  CHECK(job.filter[1][0].logic == ferry::transform::filter_logic::notnull);
  CHECK(job.flatten == std::vector<std::string>{"items"});
  REQUIRE(job.catch_up);
  CHECK(job.catch_up->schedule.cron == "2 */2 * * *");
  CHECK(job.catch_up->from_days == 2);
  CHECK(job.catch_up->to_days == 1);
}

TEST_CASE("every QEasy key ferry cannot honour is refused by name", "[config][qeasy]") {
  const std::string s = "jobs[0].qeasy.source";
  const std::string t = "jobs[0].qeasy.target";
  refused([](document& d) { source(d)["_function"] = "x"; }, s + "._function", "expressions are not supported");
  refused([](document& d) { source(d)["condition_bk"] = document::array(); }, s + ".condition_bk", "not used by ferry");
  refused([](document& d) { source(d)["buildModel"] = true; }, s + ".buildModel", "not supported");
  refused([](document& d) { source(d)["autoFillRespons"] = true; }, s + ".autoFillRespons", "did you mean \"autoFillResponse\"");
  refused([](document& d) { source(d)["request"][2]["parser"] = {{"name", "StringToArray"}, {"params", ","}}; },
          s + ".request[2].parser", "value parsers are not supported");
  refused([](document& d) { source(d)["request"][2]["value"] = "_function FROM_UNIXTIME({{LAST_SYNC_TIME}})"; },
          s + ".request[2].value", "expressions are not supported");
  refused([](document& d) { target(d)["request"][2]["value"] = "_findCollection find x from y where a={{b}}"; },
          t + ".request[2].value", "lookups in another scheme");
  refused([](document& d) { target(d)["api"] = "execute"; }, t + ".api", "\"execute\" targets");
  refused([](document& d) { target(d)["otherRequest"].push_back({{"field", "extend_sql_1"}, {"value", "INSERT"}}); },
          t + ".otherRequest[2].value", "detail statements");
  refused([](document& d) { target(d)["extend_params_2"] = document::array(); }, t + ".extend_params_2", "detail statements");
  refused([](document& d) { target(d)["otherRequest"][0]["value"] = "INSERT INTO t (a) VALUES ON DUPLICATE KEY UPDATE a=a"; },
          t + ".otherRequest[0].value", "main_sql");
  refused([](document& d) { target(d)["otherRequest"][0]["value"] = "INSERT INTO db.bi_skusn_inout (`sku_sn`) VALUES"; },
          t + ".otherRequest[0].value", "with its database");
  refused([](document& d) { std::swap(target(d)["request"][0], target(d)["request"][1]); }, t + ".request[0].field",
          "column 1 of main_sql is \"sku_sn\"");
  refused([](document& d) { target(d)["request"].erase(11); }, t + ".otherRequest",
          "main_sql names 12 columns and request 11");
  refused([](document& d) { target(d)["request"][3]["value"] = "3"; }, t + ".request[3].value", "is not a record field");
  refused([](document& d) { target(d)["response"] = document::array(); }, t + ".response", "unknown QEasy key");
  refused([](document& d) { source(d)["effect"] = "WRITE"; }, s + ".effect", "not a source block's role");
  // A pair reads by time windows: a cursor or a full refresh beside it is refused, not ignored.
  refused([](document& d) { d["jobs"][0]["cursor"] = document::object(); }, "jobs[0].cursor",
          "not taken with a QEasy pair");
  refused([](document& d) { d["jobs"][0]["full_refresh"] = document::object(); }, "jobs[0].full_refresh",
          "not taken with a QEasy pair");
  refused([](document& d) { source(d)["method"] = "GET"; }, s + ".method", "not how the platform is called");
  refused([](document& d) { source(d)["api"] = "jushuitan.refund.list.query"; }, s + ".api", "Qimen method names");
  refused([](document& d) { source(d)["otherRequest"] = {{{"field", "x"}, {"value", "1"}}}; }, s + ".otherRequest",
          "system parameters of a source");
  refused([](document& d) { source(d)["request"][1]["value"] = "{{PAGINATION_START_ROW}}"; }, s + ".request[1].value",
          "pages by page_index");
  refused([](document& d) { source(d)["request"][0]["value"] = "2"; }, s + ".request[0].value", "from page 1");
  refused([](document& d) { source(d)["request"][2]["value"] = "{{PAGINATION_PAGE_SIZE}}"; }, s + ".request[2].value",
          "ferry pages by itself");
  refused([](document& d) { source(d)["request"][2]["children"] = {{{"field", "x"}}}; }, s + ".request[2].children",
          "nested parameters");
  refused([](document& d) { d["jobs"][0]["api"] = "/open/orders/single/query"; }, "jobs[0].api",
          "given by the QEasy pair as well");
  refused([](document& d) {
            source(d)["omissionRemedy"] = document::parse(R"({"crontab": "2 */2 * * *", "adapter": "\\Adapter\\GuanYiERP\\X",
              "takeOverRequest": [{"field": "create_time_start", "value": "{{DAYS_AGO_2|datetime}}"},
                                  {"field": "create_time_end", "value": "{{DAYS_AGO_1|datetime}}"}]})");
          },
          s + ".omissionRemedy.adapter", "another adapter");
  refused([](document& d) {
            source(d)["omissionRemedy"] = document::parse(R"({"crontab": "2 */2 * * *", "takeOverRequest": [
              {"field": "create_time_start", "value": "{{DAYS_AGO_2|datetime}}"},
              {"field": "create_time_end", "value": "{{DAYS_AGO_1|datetime}}"},
              {"field": "sku_sns", "value": "SN1"}]})");
          },
          s + ".omissionRemedy.takeOverRequest[2].field", "does not take the window");
  refused([](document& d) {
            source(d)["condition"] = document::parse(R"([[{"field": "io_id", "logic": "contains", "value": "5"}]])");
          },
          s + ".condition[0][0].logic", "is not a test");
}
