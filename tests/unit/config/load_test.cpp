#include "config_test_support.hpp"

#include "ferry/core/time.hpp"

#include <catch2/catch.hpp>

using namespace ferry::config;
using namespace ferry::config::test;
using namespace std::chrono_literals;

namespace {

config loaded(const document& doc) {
  const auto result = load(doc);
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.errors.empty());
  REQUIRE(result.value);
  return *result.value;
}

}  // namespace

TEST_CASE("the documented example loads as written", "[config][load]") {
  const auto c = loaded(example_document());
  CHECK(c.mysql.host == "127.0.0.1");
  CHECK(c.mysql.port == 3307);
  CHECK(c.mysql.user == "ferry");
  CHECK(c.mysql.password.reveal() == "mysql-pw");
  CHECK(c.mysql.password.origin() == "environment variable FERRY_MYSQL_PASSWORD");
  CHECK(c.mysql.database == "ferry");
  CHECK(c.mysql.pool_size == 4);

  REQUIRE(c.sources.size() == 1);
  const auto& jst = c.sources[0];
  CHECK(jst.name == "jst");
  CHECK(jst.type == "jushuitan");
  CHECK(jst.base_url == "http://127.0.0.1:9400");
  CHECK(jst.app_key == "demo");
  CHECK(jst.app_secret.reveal() == "app-secret-value");
  CHECK(jst.access_token.reveal() == "access-token-value");
  REQUIRE(jst.refresh_token);
  CHECK(jst.refresh_token->reveal() == "refresh-token-value");
  REQUIRE(jst.rate_limits.size() == 2);
  CHECK(jst.rate_limits[0].calls == 5);
  CHECK(jst.rate_limits[0].per == 1s);
  CHECK(jst.rate_limits[1].calls == 100);
  CHECK(jst.rate_limits[1].per == 1min);
  CHECK(jst.timeout == 30s);
  CHECK(jst.max_in_flight == 4);
  CHECK(c.find_source("jst") == &jst);
  CHECK(c.find_source("other") == nullptr);
}

TEST_CASE("the documented example's job reads fully", "[config][load]") {
  const auto c = loaded(example_document());
  REQUIRE(c.jobs.size() == 1);
  const auto& job = c.jobs[0];
  CHECK(job.id == "skusn_inout");
  CHECK(job.source == "jst");
  CHECK(job.api == "/open/webapi/wmsapi/skusn/queryinoutitemskusns");
  CHECK(job.list_key == "datas");
  CHECK(job.page_size == 1000);
  CHECK(job.request.field_names() == std::vector<std::string>{"create_time_start", "create_time_end"});
  CHECK(job.request.has_window_fields());
  CHECK(job.window.start == ferry::core::parse_shanghai_datetime("2026-01-01 00:00:00"));
  CHECK(job.window.max_span == std::chrono::days{29});
  CHECK(job.window.lag == 60s);
  CHECK(job.window.lookback == 5min);
  CHECK_FALSE(job.window.end);
  CHECK(job.schedule.every == 5min);
  CHECK_FALSE(job.schedule.cron);
  REQUIRE(job.targets.size() == 1);
  const auto& t = job.targets[0];
  CHECK(t.table == "bi_skusn_inout");
  CHECK(t.key == std::vector<std::string>{"sku_sn", "io_id"});
  CHECK(t.create_table);
  REQUIRE(t.columns.size() == 3);
  CHECK(t.columns[0].name == "sku_sn");  // file order, not alphabetical
  CHECK(t.columns[1].name == "io_id");
  CHECK(t.columns[2].name == "create_time");
  CHECK(t.columns[0].type.sql == "varchar(64)");
  CHECK(t.columns[0].type.max_chars == 64u);
  CHECK(t.columns[1].type.cast == ferry::transform::cast_kind::integer);
  CHECK(t.columns[2].type.cast == ferry::transform::cast_kind::datetime);
  CHECK(t.columns[1].path == "io_id");
  CHECK(t.find_column("io_id") == &t.columns[1]);
}

TEST_CASE("the job's request renders the window", "[config][load]") {
  const auto c = loaded(example_document());
  const auto start = *ferry::core::parse_shanghai_datetime("2026-01-01 00:00:00");
  const auto end = *ferry::core::parse_shanghai_datetime("2026-01-31 00:00:00");
  CHECK(c.jobs[0].request.render({start, end, end}).dump() ==
        R"({"create_time_start":"2026-01-01 00:00:00","create_time_end":"2026-01-31 00:00:00"})");
}

TEST_CASE("defaults fill every key left out", "[config][load]") {
  auto doc = example_document();
  doc["mysql"] = {{"user", "u"}, {"database", "d"}};
  doc["sources"]["jst"] = {{"type", "jushuitan"},
                           {"base_url", "https://openapi.jushuitan.com/"},
                           {"app_key", "k"},
                           {"app_secret_env", "JST_APP_SECRET"},
                           {"access_token_env", "JST_ACCESS_TOKEN"}};
  auto& job = doc["jobs"][0];
  job.erase("list_key");
  job.erase("page_size");
  job.erase("schedule");
  job["window"] = {{"start", "2026-01-01"}};
  const auto c = loaded(doc);
  CHECK(c.mysql.host == "127.0.0.1");
  CHECK(c.mysql.port == 3306);
  CHECK_FALSE(c.mysql.socket);
  CHECK(c.mysql.password.empty());
  CHECK(c.mysql.password.origin().empty());
  CHECK(c.mysql.pool_size == 4);
  CHECK(c.mysql.connect_timeout == 10s);
  CHECK(c.mysql.read_timeout == 60s);
  CHECK(c.mysql.write_timeout == 60s);
  CHECK(c.mysql.batch_rows == 1000u);
  CHECK(c.mysql.batch_bytes == 4194304u);
  CHECK(c.mysql.mode == write_mode::automatic);
  CHECK(c.mysql.tls.mode == mysql_tls_mode::disabled);
  const auto& s = c.sources[0];
  CHECK(s.base_url == "https://openapi.jushuitan.com");  // trailing slash trimmed
  CHECK_FALSE(s.refresh_token);
  REQUIRE(s.rate_limits.size() == 2);
  CHECK(s.rate_limits[0].calls == 5);
  CHECK(s.rate_limits[1].per == 1min);
  CHECK(s.timeout == 30s);
  CHECK(s.connect_timeout == 10s);
  CHECK(s.max_in_flight == 4);
  CHECK(s.max_response_bytes == 67108864u);
  CHECK(s.retry.max_attempts == 6);
  CHECK(s.retry.base_delay == 500ms);
  CHECK(s.retry.max_delay == 30s);
  CHECK(s.retry.max_throttle_wait == 10min);
  CHECK(s.tls.verify);
  CHECK_FALSE(s.tls.ca_file);
  const auto& j = c.jobs[0];
  CHECK(j.list_key == "datas");
  CHECK(j.page_size == 100);
  CHECK(j.max_pages == 10000);
  CHECK(j.window.max_span == std::chrono::days{29});  // a day under the flow query's cap
  CHECK(j.window.lag == 60s);
  CHECK(j.window.lookback == 5min);
  CHECK(j.schedule.every == 5min);
  CHECK(j.schedule.jitter == 0ms);
  CHECK(j.dead_letter_max_ratio == Approx(0.01));
  CHECK(j.enabled);
  CHECK(c.log.level == log_level::info);
  CHECK(c.log.format == log_format::text);
  CHECK_FALSE(j.targets[0].explode);
  CHECK_FALSE(j.targets[0].version);
  CHECK_FALSE(j.targets[0].columns[0].required);
  CHECK_FALSE(j.targets[0].columns[0].default_value);
}

TEST_CASE("an endpoint ferry does not know defaults to 6-day windows", "[config][load]") {
  auto doc = example_document();
  doc["jobs"][0]["api"] = "/open/some/other/query";
  doc["jobs"][0]["window"].erase("max_span");
  CHECK(loaded(doc).jobs[0].window.max_span == std::chrono::days{6});
  doc["jobs"][0]["window"]["max_span"] = "90d";  // no known limit to hold it to
  CHECK(loaded(doc).jobs[0].window.max_span == std::chrono::days{90});
}

TEST_CASE("every optional key is read", "[config][load]") {
  auto doc = example_document();
  doc["mysql"].update(document::parse(R"({"socket": "/run/mysqld/mysqld.sock", "connect_timeout": "5s",
    "read_timeout": "2m", "write_timeout": "90s", "batch_rows": 500, "batch_bytes": 1048576,
    "write_mode": "multi_row", "tls": {"mode": "verify_identity"}})"));
  doc["sources"]["jst"].update(document::parse(R"({"connect_timeout": "3s", "max_response_bytes": 2048,
    "retry": {"max_attempts": 3, "base_delay": "100ms", "max_delay": "5s", "max_throttle_wait": "1m"},
    "tls": {"verify": false}})"));
  doc["jobs"][0].update(document::parse(R"({"max_pages": 50, "dead_letter_max_ratio": 0.5, "enabled": false,
    "schedule": {"cron": "*/10 8-20 * * 1-5", "tz": "Asia/Shanghai", "jitter": "30s"}})"));
  doc["jobs"][0]["window"]["end"] = "2026-02-01 00:00:00";
  doc["log"] = {{"level", "debug"}, {"format", "json"}};
  const auto c = loaded(doc);
  CHECK(c.mysql.socket == std::filesystem::path{"/run/mysqld/mysqld.sock"});
  CHECK(c.mysql.connect_timeout == 5s);
  CHECK(c.mysql.read_timeout == 2min);
  CHECK(c.mysql.write_timeout == 90s);
  CHECK(c.mysql.batch_rows == 500u);
  CHECK(c.mysql.batch_bytes == 1048576u);
  CHECK(c.mysql.mode == write_mode::multi_row);
  CHECK(c.mysql.tls.mode == mysql_tls_mode::verify_identity);
  const auto& s = c.sources[0];
  CHECK(s.connect_timeout == 3s);
  CHECK(s.max_response_bytes == 2048u);
  CHECK(s.retry.max_attempts == 3);
  CHECK(s.retry.base_delay == 100ms);
  CHECK(s.retry.max_delay == 5s);
  CHECK(s.retry.max_throttle_wait == 1min);
  CHECK_FALSE(s.tls.verify);
  const auto& j = c.jobs[0];
  CHECK(j.max_pages == 50);
  CHECK(j.dead_letter_max_ratio == Approx(0.5));
  CHECK_FALSE(j.enabled);
  CHECK_FALSE(j.schedule.every);
  CHECK(j.schedule.cron == "*/10 8-20 * * 1-5");
  CHECK(j.schedule.jitter == 30s);
  CHECK(j.window.end == ferry::core::parse_shanghai_datetime("2026-02-01 00:00:00"));
  CHECK(c.log.level == log_level::debug);
  CHECK(c.log.format == log_format::json);
}

TEST_CASE("comments are allowed", "[config][load]") {
  std::string text = documented_example;
  text.insert(1, "\n  // line comment\n  /* block\n     comment */\n");
  text.insert(text.find("\"pool_size\""), "/* inline */ ");
  const auto result = load_text(text);
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  CHECK(result.errors.empty());
  CHECK(result.value);
}

TEST_CASE("an exploded target reads parent paths, defaults and versions", "[config][load]") {
  auto doc = example_document();
  doc["jobs"][0]["targets"].push_back(document::parse(R"({"table": "bi_items", "explode": "detail.items",
    "key": ["io_id", "line"], "version": "modified",
    "columns": {"io_id": {"path": "$.io_id", "type": "bigint"},
                "line": {"path": "lines[2].no", "type": "int", "default": 0},
                "note": {"type": "text", "default": "—"},
                "modified": {"path": "$.modified_time", "type": "datetime", "required": true}}})"));
  const auto c = loaded(doc);
  const auto& t = c.jobs[0].targets[1];
  CHECK(t.explode == "detail.items");
  CHECK(t.columns[0].path == "$.io_id");
  CHECK(t.columns[1].path == "lines[2].no");
  CHECK(t.columns[1].default_value == 0);
  CHECK(t.columns[2].path == "note");  // the path defaults to the column's name
  CHECK(t.columns[2].default_value == "—");
  CHECK(t.columns[3].required);
  CHECK(t.version == "modified");
  const auto spec = t.mapping();
  CHECK(spec.table == "bi_items");
  CHECK(spec.explode == "detail.items");
  REQUIRE(spec.columns.size() == 4);
  CHECK(spec.columns[3].name == "modified");
}

TEST_CASE("a loaded target builds a mapper that maps records", "[config][load]") {
  auto doc = example_document();
  doc["jobs"][0]["targets"].push_back(document::parse(R"~({"table": "bi_lines", "explode": "lines",
    "key": ["io_id", "no"], "columns": {"io_id": {"path": "$.io_id", "type": "bigint"},
    "no": {"type": "int"}, "qty": {"type": "decimal(10,2)", "default": "0"}}})~"));
  const auto c = loaded(doc);
  std::vector<ferry::transform::target_spec> specs;
  for (const auto& t : c.jobs[0].targets) specs.push_back(t.mapping());
  const ferry::transform::mapper mapper{specs};
  const auto record =
      nlohmann::json::parse(R"({"io_id": 7, "sku_sn": "SN1", "create_time": "2026-01-02 03:04:05",
    "lines": [{"no": 1, "qty": 2.5}, {"no": 2}]})");
  std::vector<std::vector<ferry::transform::row>> rows;
  const auto error = mapper.map(record, rows);
  INFO((error ? error->to_string() : ""));
  REQUIRE_FALSE(error);
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[0].size() == 1);
  CHECK(rows[0][0].values == std::vector<ferry::transform::value>{"SN1", "7", "2026-01-02 03:04:05"});
  REQUIRE(rows[1].size() == 2);
  CHECK(rows[1][0].values == std::vector<ferry::transform::value>{"7", "1", "2.50"});
  CHECK(rows[1][1].values == std::vector<ferry::transform::value>{"7", "2", "0.00"});
}

TEST_CASE("the object form of request loads in order", "[config][load]") {
  auto doc = example_document();
  doc["jobs"][0]["request"] = document::parse(
      R"({"wms_co_id": 12345, "create_time_start": "{{LAST_SYNC_TIME|datetime}}", "create_time_end": "{{CURRENT_TIME|datetime}}"})");
  CHECK(loaded(doc).jobs[0].request.field_names() ==
        std::vector<std::string>{"wms_co_id", "create_time_start", "create_time_end"});
}

TEST_CASE("sources and jobs keep file order whatever the key order", "[config][load]") {
  // Jobs come before sources here: a job's source is still found.
  const std::string text = R"({"jobs": )" + example_document()["jobs"].dump() + R"(, "sources": {"b": )" +
                           example_document()["sources"]["jst"].dump() + R"(, "jst": )" +
                           example_document()["sources"]["jst"].dump() + R"(}, "mysql": )" +
                           example_document()["mysql"].dump() + "}";
  const auto result = load_text(text);
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.value);
  REQUIRE(result.value->sources.size() == 2);
  CHECK(result.value->sources[0].name == "b");
  CHECK(result.value->sources[1].name == "jst");
}

namespace {

// The example's job turned into a full refresh of the shops.
document shops_document() {
  auto doc = example_document();
  auto& job = doc["jobs"][0];
  job["api"] = "/open/shops/query";
  job["page_size"] = 100;
  job.erase("window");
  job.erase("request");
  job["full_refresh"] = document::object();
  job["targets"] = document::parse(R"J([{"table": "bi_shops", "key": ["shop_id"], "create_table": true,
    "columns": {"shop_id": {"path": "shop_id", "type": "bigint"},
                "shop_name": {"path": "shop_name", "type": "varchar(64)"}}}])J");
  return doc;
}

std::string errors_text(const document& doc) {
  std::string out;
  for (const auto& e : load(doc).errors) out += e.to_string() + "\n";
  return out;
}

}  // namespace

TEST_CASE("a full-refresh job needs no window nor request, and has its defaults", "[config][load][full_refresh]") {
  auto c = loaded(shops_document());
  REQUIRE(c.jobs[0].full_refresh);
  CHECK_FALSE(c.jobs[0].full_refresh->allow_empty);
  CHECK(c.jobs[0].full_refresh->min_ratio == Approx(0.5));
  auto doc = shops_document();
  doc["jobs"][0]["full_refresh"] = document::parse(R"({"allow_empty": true, "min_ratio": 0})");
  c = loaded(doc);
  CHECK(c.jobs[0].full_refresh->allow_empty);
  CHECK(c.jobs[0].full_refresh->min_ratio == 0.0);
  // --print-job shows it in place of a window.
  const auto printed = to_json(c.jobs[0]);
  CHECK(printed.contains("full_refresh"));
  CHECK_FALSE(printed.contains("window"));
}

TEST_CASE("a full-refresh job refuses a window, a catch-up, a second or exploded table, and a bad ratio",
          "[config][load][full_refresh]") {
  auto doc = shops_document();
  doc["jobs"][0]["window"] = document::parse(R"({"start": "2026-01-01 00:00:00"})");
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].window: a full-refresh job reads the whole list"));
  doc = shops_document();
  doc["jobs"][0]["catch_up"] = document::parse(R"({"schedule": {"every": "1h"}, "from": "{{DAYS_AGO_2}}", "to": "{{DAYS_AGO_1}}"})");
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].catch_up: a full-refresh job has no past to catch up"));
  doc = shops_document();
  doc["jobs"][0]["targets"].push_back(doc["jobs"][0]["targets"][0]);
  doc["jobs"][0]["targets"][1]["table"] = "bi_shops_2";
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].targets: a full-refresh job writes one table"));
  doc = shops_document();
  doc["jobs"][0]["targets"][0]["explode"] = "items";
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].targets: a full-refresh job's table cannot be exploded"));
  doc = shops_document();
  doc["jobs"][0]["full_refresh"] = document::parse(R"({"min_ratio": 2, "allow_empty": "yes", "keep": 1})");
  const auto text = errors_text(doc);
  CHECK_THAT(text, Catch::Contains("jobs[0].full_refresh.min_ratio"));
  CHECK_THAT(text, Catch::Contains("jobs[0].full_refresh.allow_empty"));
  CHECK_THAT(text, Catch::Contains("jobs[0].full_refresh.keep"));
  // The shops read by windows: the endpoint has no time filter.
  doc = example_document();
  doc["jobs"][0]["api"] = "/open/shops/query";
  CHECK_THAT(errors_text(doc), Catch::Contains("the shop query (店铺查询) (/open/shops/query) has no time filter") &&
                                   Catch::Contains(R"("full_refresh": {} in place of "window")"));
}

namespace {

// The example's job turned into orders read by the start_ts cursor.
document cursor_document() {
  auto doc = example_document();
  auto& job = doc["jobs"][0];
  job["api"] = "/open/orders/single/query";
  job["list_key"] = "orders";
  job["page_size"] = 100;
  job.erase("window");
  job.erase("request");
  job["cursor"] = document::object();
  job["targets"] = document::parse(R"J([{"table": "bi_orders", "key": ["o_id"], "create_table": true,
    "columns": {"o_id": {"path": "o_id", "type": "bigint"}, "ts": {"path": "ts", "type": "bigint"}}}])J");
  return doc;
}

}  // namespace

TEST_CASE("a cursor job takes the endpoint's cursor and count, needs no window, and prints them",
          "[config][load][cursor]") {
  auto c = loaded(cursor_document());
  REQUIRE(c.jobs[0].cursor);
  CHECK(c.jobs[0].cursor->field == "start_ts");
  CHECK(c.jobs[0].cursor->row_field == "ts");
  CHECK(c.jobs[0].cursor->start == 0);
  CHECK(c.jobs[0].cursor->count);
  CHECK(c.jobs[0].cursor->count_field == "is_get_total");
  auto doc = cursor_document();
  doc["jobs"][0]["cursor"] = document::parse(R"({"start": 1000000, "count": false})");
  c = loaded(doc);
  CHECK(c.jobs[0].cursor->start == 1000000);
  CHECK_FALSE(c.jobs[0].cursor->count);
  const auto printed = to_json(c.jobs[0]);
  REQUIRE(printed.contains("cursor"));
  CHECK(printed["cursor"]["start"] == 1000000);
  CHECK_FALSE(printed.contains("window"));
}

TEST_CASE("a cursor job refuses a window, a windowed request, a catch-up, a full refresh and an endpoint without one",
          "[config][load][cursor]") {
  auto doc = cursor_document();
  doc["jobs"][0]["window"] = document::parse(R"({"start": "2026-01-01 00:00:00"})");
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].window: a cursor job reads by row version, not by windows"));
  doc = cursor_document();
  doc["jobs"][0]["request"] = document::parse(R"({"modified_begin": "{{LAST_SYNC_TIME|datetime}}"})");
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].request: a cursor job reads no time window"));
  doc = cursor_document();
  doc["jobs"][0]["catch_up"] = document::parse(R"({"schedule": {"every": "1h"}, "from": "{{DAYS_AGO_2}}", "to": "{{DAYS_AGO_1}}"})");
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].catch_up: a cursor job has no time range to catch up"));
  doc = cursor_document();
  doc["jobs"][0]["full_refresh"] = document::object();
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].full_refresh: a job reads by a cursor or by a full refresh"));
  doc = cursor_document();
  doc["jobs"][0]["cursor"] = document::parse(R"({"start": -1, "field": "", "order": "ts"})");
  auto text = errors_text(doc);
  CHECK_THAT(text, Catch::Contains("jobs[0].cursor.start"));
  CHECK_THAT(text, Catch::Contains("jobs[0].cursor.field: empty"));
  CHECK_THAT(text, Catch::Contains("jobs[0].cursor.order"));
  doc = cursor_document();
  doc["jobs"][0]["flatten"] = document::parse(R"(["items"])");
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].flatten: a cursor job proves each walk by the keys it read"));
  // The unique-code flow query has no cursor.
  doc = cursor_document();
  doc["jobs"][0]["api"] = "/open/webapi/wmsapi/skusn/queryinoutitemskusns";
  doc["jobs"][0]["list_key"] = "datas";
  CHECK_THAT(errors_text(doc), Catch::Contains("(/open/webapi/wmsapi/skusn/queryinoutitemskusns) has no row-version cursor") &&
                                   Catch::Contains(R"("window" in place of "cursor")"));
}

TEST_CASE("for_each takes values or a table's column, and an after job of the file", "[config][load][for_each]") {
  auto doc = cursor_document();
  doc["jobs"][0]["for_each"] = document::parse(R"({"field": "wms_co_id", "values": [10001, "WH-2"]})");
  auto c = loaded(doc);
  REQUIRE(c.jobs[0].for_each);
  CHECK(c.jobs[0].for_each->field == "wms_co_id");
  REQUIRE(c.jobs[0].for_each->values.size() == 2);
  CHECK(c.jobs[0].for_each->values[1] == "WH-2");
  CHECK(to_json(c.jobs[0])["for_each"]["values"].size() == 2);
  doc["jobs"][0]["for_each"] = document::parse(R"({"field": "wms_co_id", "from": {"table": "bi_wh", "column": "wms_co_id"}})");
  c = loaded(doc);
  CHECK(c.jobs[0].for_each->table == "bi_wh");
  CHECK(c.jobs[0].for_each->values.empty());

  doc["jobs"][0]["for_each"] = document::parse(R"({"field": "wms_co_id", "values": [1], "from": {"table": "t", "column": "c"}})");
  CHECK_THAT(errors_text(doc), Catch::Contains("give exactly one of \"values\" and \"from\""));
  doc["jobs"][0]["for_each"] = document::parse(R"({"field": "wms_co_id", "values": [1, 1]})");
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].for_each.values: \"1\" is given twice"));
  doc["jobs"][0]["for_each"] = document::parse(R"({"field": "wms_co_id", "values": [1.5]})");
  CHECK_THAT(errors_text(doc), Catch::Contains("is neither an integer nor a string"));
  doc["jobs"][0]["for_each"] = document::parse(R"({"field": "wms_co_id", "from": {"table": "bi wh", "column": "c"}})");
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].for_each.from.table: \"bi wh\" is not a table or column name"));
  doc["jobs"][0]["for_each"] = document::parse(R"({"field": "wms_co_id", "values": [1], "after": "nobody"})");
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].for_each.after: \"nobody\" is not a job of this file"));
  // A full refresh deletes by its one list: it cannot be split.
  auto shops = shops_document();
  shops["jobs"][0]["for_each"] = document::parse(R"({"field": "shop_id", "values": [1]})");
  CHECK_THAT(errors_text(shops), Catch::Contains("jobs[0].for_each: a full refresh deletes what its one list"));
}

TEST_CASE("a full refresh may mark the rows it no longer lists, in a column of ferry's own",
          "[config][load][full_refresh]") {
  auto doc = shops_document();
  doc["jobs"][0]["full_refresh"] = document::parse(R"({"mark": "removed_at"})");
  const auto c = loaded(doc);
  CHECK(c.jobs[0].full_refresh->mark == "removed_at");
  CHECK(to_json(c.jobs[0])["full_refresh"]["mark"] == "removed_at");
  doc["jobs"][0]["full_refresh"] = document::parse(R"({"mark": "shop_name"})");
  CHECK_THAT(errors_text(doc), Catch::Contains("mark column \"shop_name\" is also a column the list fills"));
  doc["jobs"][0]["full_refresh"] = document::parse(R"({"mark": "removed at"})");
  CHECK_THAT(errors_text(doc), Catch::Contains("jobs[0].full_refresh.mark: \"removed at\" is not a column name"));
}
