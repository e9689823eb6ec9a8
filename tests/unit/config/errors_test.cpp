// One bad config per case: the example with one change, exactly one error,
// its path and message asserted exactly.
#include "ferry/config/endpoints.hpp"
#include "config_test_support.hpp"
#include "../../integration/http/test_cert.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace ferry::config;
using namespace ferry::config::test;

namespace {

document& job(document& doc) { return doc["jobs"][0]; }
document& target(document& doc) { return doc["jobs"][0]["targets"][0]; }
document& columns(document& doc) { return target(doc)["columns"]; }
document& jst(document& doc) { return doc["sources"]["jst"]; }

}  // namespace

TEST_CASE("a missing key is required, with a hint", "[config][errors]") {
  const auto e = single_error([](document& d) { target(d).erase("key"); });
  CHECK(e.to_string() ==
        R"(jobs[0].targets[0].key: required — the columns that identify a row, e.g. ["sku_sn","io_id"])");
  CHECK(single_error([](document& d) { d["mysql"].erase("user"); }).path == "mysql.user");
  CHECK(single_error([](document& d) { job(d).erase("window"); }).to_string() ==
        R"(jobs[0].window: required — where the first window starts, e.g. {"start": "2026-01-01 00:00:00"})");
  CHECK(single_error([](document& d) { d.erase("jobs"); }).to_string().starts_with("jobs: required — "));
  CHECK(single_error([](document& d) { job(d)["window"].erase("start"); }).path == "jobs[0].window.start");
}

TEST_CASE("a value of the wrong type names what was expected", "[config][errors]") {
  auto e = single_error([](document& d) { d["mysql"]["port"] = "3307"; });
  CHECK(e.path == "mysql.port");
  CHECK(e.message == "expected a whole number, got a string");
  e = single_error([](document& d) { target(d)["create_table"] = "yes"; });
  CHECK(e.path == "jobs[0].targets[0].create_table");
  CHECK(e.message == "expected true or false, got a string");
  e = single_error([](document& d) { d["mysql"]["pool_size"] = 2.5; });
  CHECK(e.message == "expected a whole number, got a number");
  e = single_error([](document& d) { d["mysql"]["tls"] = "on"; });
  CHECK(e.to_string() == "mysql.tls: expected an object, got a string");
  e = single_error([](document& d) { jst(d)["timeout"] = 30; });
  CHECK(e.message == "expected a duration such as \"30s\", got a whole number");
}

TEST_CASE("an unknown key is refused with the closest known key", "[config][errors]") {
  auto e = single_error([](document& d) { d["mysql"]["pool_sze"] = 4; });
  CHECK(e.to_string() == R"(mysql.pool_sze: unknown key — did you mean "pool_size"?)");
  e = single_error([](document& d) { target(d)["keys"] = document::array({"sku_sn"}); });
  CHECK(e.to_string() == R"(jobs[0].targets[0].keys: unknown key — did you mean "key"?)");
  e = single_error([](document& d) { jst(d)["rate_limits"][0]["call"] = 1; });
  CHECK(e.path == "sources.jst.rate_limits[0].call");
}

TEST_CASE("an unknown key far from any known lists the known keys", "[config][errors]") {
  const auto e = single_error([](document& d) { d["daemon"] = {{"listen", "127.0.0.1:9090"}}; });
  CHECK(e.to_string() == "daemon: unknown key — known keys: mysql, sources, jobs, log, admin, $schema");
}

TEST_CASE("a $schema for editors is taken and ignored, if it is a string", "[config][errors]") {
  auto doc = example_document();
  doc["$schema"] = "/usr/share/ferry/ferry.schema.json";
  CHECK(load(doc).errors.empty());
  const auto e = single_error([](document& d) { d["$schema"] = 1; });
  CHECK(e.to_string() == R"(["$schema"]: expected a string — the path or URL of ferry's JSON Schema, e.g. )"
                         "\"/usr/share/ferry/ferry.schema.json\"; ferry ignores it");
}

TEST_CASE("the admin section needs a token and a listen address it can bind", "[config][errors]") {
  auto e = single_error([](document& d) { d["admin"] = {{"listen", "127.0.0.1:9090"}}; });
  CHECK(e.path == "admin.token_env");
  CHECK(e.message == "required");
  e = single_error([](document& d) {
    d["admin"] = {{"listen", "localhost"}, {"token_env", "JST_APP_SECRET"}};
  });
  CHECK(e.path == "admin.listen");
  CHECK(e.message == "\"localhost\" is not an address:port");
  e = single_error([](document& d) { d["admin"] = {{"token", "inline"}}; });
  CHECK(e.path == "admin.token");
}

TEST_CASE("a bad duration says what a duration looks like", "[config][errors]") {
  auto e = single_error([](document& d) { jst(d)["rate_limits"][1]["per"] = "1x"; });
  CHECK(e.to_string() == R"(sources.jst.rate_limits[1].per: "1x" is not a duration — use e.g. "1s", "1m")");
  e = single_error([](document& d) { job(d)["schedule"]["every"] = "500ms"; });
  CHECK(e.to_string() == R"(jobs[0].schedule.every: "500ms" is too short — at least 1s)");
  e = single_error([](document& d) { job(d)["window"]["lag"] = "-1s"; });
  CHECK(e.message == R"("-1s" is not a duration)");
}

TEST_CASE("a bad datetime says which format is wanted", "[config][errors]") {
  const auto e = single_error([](document& d) { job(d)["window"]["start"] = "2026-02-30 00:00:00"; });
  CHECK(
      e.to_string() ==
      R"(jobs[0].window.start: "2026-02-30 00:00:00" is not a datetime — use "yyyy-MM-dd HH:mm:ss" in Beijing time, e.g. "2026-01-01 00:00:00")");
  CHECK(single_error([](document& d) { job(d)["window"]["end"] = "2025-12-31 23:00:00"; }).to_string() ==
        R"(jobs[0].window.end: "2025-12-31 23:00:00" is not after start — end must be later than start)");
}

TEST_CASE("a bad column type carries the type parser's reason", "[config][errors]") {
  auto e = single_error([](document& d) { columns(d)["io_id"]["type"] = "bigint(x"; });
  CHECK(e.path == "jobs[0].targets[0].columns.io_id.type");
  CHECK(e.message == R"("bigint(x" is not a column type: unbalanced parentheses in 'bigint(x')");
  e = single_error([](document& d) { columns(d)["io_id"]["type"] = "varchar2(10)"; });
  CHECK(e.message.starts_with(
      R"~("varchar2(10)" is not a column type: unknown type 'varchar2'; supported: )~"));
  e = single_error([](document& d) { columns(d)["io_id"].erase("type"); });
  CHECK(e.path == "jobs[0].targets[0].columns.io_id.type");
  CHECK(e.message == "required");
}

TEST_CASE("key columns must be columns of the target, once each", "[config][errors]") {
  auto e = single_error([](document& d) { target(d)["key"] = document::array({"sku_sn", "io"}); });
  CHECK(
      e.to_string() ==
      R"(jobs[0].targets[0].key[1]: "io" is not a column of this target — columns: sku_sn, io_id, create_time)");
  e = single_error([](document& d) { target(d)["key"] = document::array({"sku_sn", "sku_sn"}); });
  CHECK(e.to_string() ==
        R"(jobs[0].targets[0].key[1]: duplicate key column "sku_sn" — list each column once)");
  e = single_error([](document& d) { target(d)["key"] = document::array(); });
  CHECK(e.path == "jobs[0].targets[0].key");
  CHECK(e.message == "empty");
}

TEST_CASE("a job's source must be defined", "[config][errors]") {
  const auto e = single_error([](document& d) { job(d)["source"] = "jst2"; });
  CHECK(e.to_string() == R"(jobs[0].source: "jst2" is not a source — defined sources: jst)");
}

TEST_CASE("job ids are unique", "[config][errors]") {
  const auto e = single_error([](document& d) { d["jobs"].push_back(d["jobs"][0]); });
  CHECK(e.to_string() == R"(jobs[1].id: duplicate job id "skusn_inout" — already used by jobs[0])");
}

TEST_CASE("an inline secret is refused without echoing it", "[config][errors]") {
  const auto e = single_error([](document& d) { d["mysql"]["password"] = "hunter2"; });
  CHECK(e.path == "mysql.password");
  CHECK(e.message == "inline secrets are refused");
  CHECK(
      e.hint ==
      R"(put the MySQL password in an environment variable named by "password_env" or a file named by "password_file")");
  CHECK(e.to_string().find("hunter2") == std::string::npos);
  CHECK(single_error([](document& d) { jst(d)["app_secret"] = "s3cr3t"; }).path == "sources.jst.app_secret");
}

TEST_CASE("a missing environment variable is named, its value never shown", "[config][errors]") {
  const auto e = single_error([](document& d) { jst(d)["app_secret_env"] = "JST_OTHER_SECRET"; });
  CHECK(
      e.to_string() ==
      R"(sources.jst.app_secret_env: environment variable JST_OTHER_SECRET is not set — export it before starting ferryd, or use "app_secret_file")");
  CHECK(single_error([](document& d) { d["mysql"]["password_env"] = "not a name"; }).message ==
        R"("not a name" is not an environment variable name)");
}

TEST_CASE("a required secret must be given", "[config][errors]") {
  const auto e = single_error([](document& d) { jst(d).erase("access_token_env"); });
  CHECK(e.path == "sources.jst.access_token_env");
  CHECK(e.message == "required");
}

TEST_CASE("a missing secret file is named", "[config][errors]") {
  const auto e = single_error([](document& d) {
    jst(d).erase("access_token_env");
    jst(d)["access_token_file"] = "missing_token.txt";
  });
  CHECK(e.path == "sources.jst.access_token_file");
  CHECK(e.message == "cannot read /nonexistent/missing_token.txt: No such file or directory");
}

TEST_CASE("a secret from both the environment and a file is refused", "[config][errors]") {
  const auto e = single_error([](document& d) { jst(d)["app_secret_file"] = "secret.txt"; });
  CHECK(
      e.to_string() ==
      R"(sources.jst.app_secret_file: both "app_secret_env" and "app_secret_file" are set — keep one of them)");
}

TEST_CASE("a window as wide as the endpoint's cap or wider is refused", "[config][errors]") {
  auto e = single_error([](document& d) { job(d)["window"]["max_span"] = "31d"; });
  CHECK(e.to_string() ==
        R"(jobs[0].window.max_span: "31d" is not under the 30d cap of the unique-code in/out flow query )"
        R"((/open/webapi/wmsapi/skusn/queryinoutitemskusns) — the API refuses wider windows (code 140) and a span )"
        R"(of exactly the cap is not documented to work; use a span under "30d", such as the default "29d")");
  // Exactly the documented cap: never sent.
  e = single_error([](document& d) { job(d)["window"]["max_span"] = "30d"; });
  CHECK(e.path == "jobs[0].window.max_span");
  e = single_error([](document& d) {
    job(d)["api"] = "/open/orders/single/query";
    job(d)["page_size"] = 100;
  });
  CHECK(e.path == "jobs[0].window.max_span");
  CHECK(e.message == R"("29d" is not under the 7d cap of the order query (/open/orders/single/query))");
}

TEST_CASE("defaults stay a day under the documented caps", "[config][errors]") {
  const auto* flow = ferry::config::find_endpoint("/open/webapi/wmsapi/skusn/queryinoutitemskusns");
  const auto* orders = ferry::config::find_endpoint("/open/orders/single/query");
  REQUIRE(flow != nullptr);
  REQUIRE(orders != nullptr);
  CHECK(flow->default_span() == std::chrono::days{29});
  CHECK(orders->default_span() == std::chrono::days{6});
}

TEST_CASE("a page size over the endpoint's cap is refused", "[config][errors]") {
  auto e = single_error([](document& d) {
    job(d)["api"] = "/open/orders/single/query";
    job(d)["window"]["max_span"] = "6d";
  });
  CHECK(e.to_string() ==
        "jobs[0].page_size: 1000 is over the cap of /open/orders/single/query (100) — "
        "the API refuses larger pages; use at most 100");
  e = single_error([](document& d) {
    job(d)["api"] = "/open/other";
    job(d)["page_size"] = 1001;
  });
  CHECK(e.message == "1001 is over the cap of unknown endpoints (1000)");
  e = single_error([](document& d) { job(d)["page_size"] = 0; });
  CHECK(e.message == "0 is outside 1..1000000");
}

TEST_CASE("an unsaid page size is 100, or the endpoint's cap where that is lower", "[config][errors]") {
  const auto page_size_of = [](const char* api, const char* span) {
    auto doc = example_document();
    doc["jobs"][0]["api"] = api;
    doc["jobs"][0]["window"]["max_span"] = span;
    doc["jobs"][0].erase("page_size");
    const auto result = load(doc);
    for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(result.value);
    return result.value->jobs[0].page_size;
  };
  CHECK(page_size_of("/open/webapi/wmsapi/skusn/queryinoutitemskusns", "29d") == 100);
  CHECK(page_size_of("/open/orders/single/query", "6d") == 100);
  CHECK(page_size_of("/open/refund/single/query", "6d") == 50);
  CHECK(page_size_of("/open/other", "29d") == 100);
}

TEST_CASE("a request that does not take the window is refused", "[config][errors]") {
  auto e = single_error([](document& d) {
    job(d)["request"] = document::parse(R"([{"field": "since", "value": "{{DAYS_AGO_1|datetime}}"}])");
  });
  CHECK(
      e.to_string() ==
      R"(jobs[0].request: no field takes the window — add e.g. {"field":"create_time_start","value":"{{LAST_SYNC_TIME|datetime}}"})");
  e = single_error([](document& d) { job(d).erase("request"); });
  CHECK(e.path == "jobs[0].request");
  CHECK(e.message == "required: no field takes the window");
}

TEST_CASE("request template errors carry their path", "[config][errors]") {
  auto e = single_error([](document& d) { job(d)["request"][1]["value"] = "{{CURRENT_TIME|datetim}}"; });
  CHECK(
      e.to_string() ==
      R"(jobs[0].request[1].value: "{{CURRENT_TIME|datetim}}": unknown template format "datetim" — did you mean datetime? valid formats: datetime (yyyy-MM-dd HH:mm:ss, Beijing time), date (yyyy-MM-dd), timestamp (Unix seconds), timestamp_ms (Unix milliseconds))");
  e = single_error([](document& d) {
    job(d)["request"].push_back({{"field", "page_size"}, {"value", "50"}});
  });
  CHECK(e.path == "jobs[0].request[2].field");
  CHECK(e.message == R"("page_size" is set by ferry for every page)");
}

TEST_CASE("a bad record path says where it breaks", "[config][errors]") {
  auto e = single_error([](document& d) { columns(d)["io_id"]["path"] = "items[x]"; });
  CHECK(e.path == "jobs[0].targets[0].columns.io_id.path");
  CHECK(e.message ==
        R"("items[x]" is not a record path: index 'x' is not a non-negative number in path 'items[x]')");
  CHECK(e.hint.starts_with("names joined by '.', [N] for an array element"));
  e = single_error([](document& d) { columns(d)["io_id"]["path"] = "a..b"; });
  CHECK(e.message == R"("a..b" is not a record path: empty key in path 'a..b')");
  e = single_error([](document& d) { columns(d)["io_id"]["path"] = ""; });
  CHECK(e.message == R"("" is not a record path: empty path)");
  e = single_error([](document& d) { target(d)["explode"] = "items["; });
  CHECK(e.path == "jobs[0].targets[0].explode");
  CHECK(e.message == R"("items[" is not a record path: unclosed '[' in path 'items[')");
  e = single_error([](document& d) { target(d)["explode"] = "$.items"; });
  CHECK(
      e.to_string() ==
      R"(jobs[0].targets[0].explode: "$.items" is not inside the record — an explode path names an array in the record, e.g. "items")");
}

TEST_CASE("names that are not identifiers are refused", "[config][errors]") {
  auto e = single_error([](document& d) { target(d)["table"] = "x; drop"; });
  CHECK(
      e.to_string() ==
      R"(jobs[0].targets[0].table: "x; drop" is not a valid table name — letters, digits and '_', not starting with a digit, at most 64)");
  e = single_error([](document& d) { columns(d)["bad-name"] = {{"type", "text"}}; });
  CHECK(e.path == R"(jobs[0].targets[0].columns["bad-name"])");
  CHECK(e.message == R"("bad-name" is not a valid column name)");
  e = single_error([](document& d) { d["mysql"]["database"] = "ferry-db"; });
  CHECK(e.to_string().starts_with(R"(mysql.database: "ferry-db" is not a plain identifier)"));
  e = single_error([](document& d) { job(d)["id"] = "Skusn Inout"; });
  CHECK(e.to_string() ==
        R"(jobs[0].id: "Skusn Inout" is not a valid job id — lowercase letters, digits and '_', at most 64)");
  e = single_error([](document& d) {
    d["sources"] = document::object({{"JST", jst(d)}});
    job(d)["source"] = "JST";
  });
  CHECK(e.to_string() ==
        R"(sources.JST: "JST" is not a valid source name — lowercase letters, digits and '_', at most 64)");
}

TEST_CASE("a schedule takes exactly one of every and cron", "[config][errors]") {
  auto e = single_error([](document& d) { job(d)["schedule"]["cron"] = "*/5 * * * *"; });
  CHECK(e.to_string() == R"(jobs[0].schedule.cron: both "every" and "cron" are set — keep one of them)");
  e = single_error([](document& d) { job(d)["schedule"] = document::object(); });
  CHECK(e.path == "jobs[0].schedule");
  CHECK(e.message == R"(needs "every" or "cron")");
}

TEST_CASE("a cron schedule is read as the scheduler reads it, and must have a next time", "[config][errors]") {
  auto e = single_error([](document& d) { job(d)["schedule"] = {{"cron", "61 * * * *"}}; });
  CHECK(e.path == "jobs[0].schedule.cron");
  CHECK(e.message == R"("61 * * * *": minute: '61' is outside 0..59)");
  e = single_error([](document& d) { job(d)["schedule"] = {{"cron", "0 0 30 2 *"}}; });
  CHECK(e.path == "jobs[0].schedule.cron");
  CHECK(e.message == R"("0 0 30 2 *" never matches: no such day in five years)");
  e = single_error([](document& d) { job(d)["schedule"] = {{"cron", "0 9 * * 1-5"}, {"tz", "Mars/Base"}}; });
  CHECK(e.path == "jobs[0].schedule.tz");
  CHECK(load([] {
          auto d = example_document();
          job(d)["schedule"] = {{"cron", "0 0 29 2 *"}};  // leap days only: a next time within five years
          return d;
        }()).errors.empty());
}

TEST_CASE("a cron schedule is checked for its shape", "[config][errors]") {
  auto e = single_error([](document& d) { job(d)["schedule"] = {{"cron", "* * *"}}; });
  CHECK(
      e.to_string() ==
      R"(jobs[0].schedule.cron: "* * *" has 3 fields, not 5 — "minute hour day-of-month month day-of-week", e.g. "*/5 * * * *")");
  e = single_error([](document& d) { job(d)["schedule"] = {{"cron", "0 8x * * *"}}; });
  CHECK(e.message == R"("0 8x * * *": field 2 has 'x')");
  // Month and weekday names and the @ shortcuts are Vixie cron's, and taken; a wrong name is named.
  for (const char* fine : {"0 8 * * MON", "0 8 * jan-mar mon-fri", "@daily", " @hourly "}) {
    INFO(fine);
    CHECK(load([fine] {
            auto d = example_document();
            job(d)["schedule"] = {{"cron", fine}};
            return d;
          }()).errors.empty());
  }
  e = single_error([](document& d) { job(d)["schedule"] = {{"cron", "0 8 * * monday"}}; });
  CHECK(e.to_string() ==
        R"(jobs[0].schedule.cron: "0 8 * * monday": day-of-week: 'monday' is not a number or a name (sun, mon, ...) — "minute hour day-of-month month day-of-week", e.g. "*/5 * * * *")");
  e = single_error([](document& d) { job(d)["schedule"] = {{"cron", "@reboot"}}; });
  CHECK(e.path == "jobs[0].schedule.cron");
  CHECK_THAT(e.message, Catch::Contains("unknown shortcut '@reboot'"));
  e = single_error([](document& d) { job(d)["schedule"] = {{"cron", "0 8 * * *"}, {"tz", "Mars/Base"}}; });
  CHECK(e.to_string() ==
        R"(jobs[0].schedule.tz: "Mars/Base" is not a time zone — an IANA name, e.g. "Asia/Shanghai")");
  e = single_error([](document& d) { job(d)["schedule"]["tz"] = "Asia/Shanghai"; });
  CHECK(e.path == "jobs[0].schedule.tz");
  CHECK(e.message == R"(only applies to "cron")");
}

TEST_CASE("numbers out of range name the range", "[config][errors]") {
  CHECK(single_error([](document& d) { d["mysql"]["pool_size"] = 65; }).to_string() ==
        "mysql.pool_size: 65 is outside 1..64");
  CHECK(single_error([](document& d) { d["mysql"]["port"] = 70000; }).message == "70000 is outside 1..65535");
  CHECK(single_error([](document& d) { jst(d)["rate_limits"][0]["calls"] = 0; }).to_string() ==
        "sources.jst.rate_limits[0].calls: 0 is outside 1..100000");
  CHECK(single_error([](document& d) { job(d)["dead_letter_max_ratio"] = 1.5; }).to_string() ==
        "jobs[0].dead_letter_max_ratio: 1.5 is outside 0.0..1.0");
  CHECK(single_error([](document& d) { d["mysql"]["batch_rows"] = 18446744073709551615ULL; }).message ==
        "18446744073709551615 is outside 1..100000");
}

TEST_CASE("a value outside a fixed set names the set", "[config][errors]") {
  auto e = single_error([](document& d) { d["mysql"]["write_mode"] = "bulk"; });
  CHECK(e.to_string() == R"(mysql.write_mode: "bulk" is not one of auto, array, multi_row)");
  e = single_error([](document& d) { d["log"] = {{"level", "dbug"}}; });
  CHECK(e.to_string() ==
        R"(log.level: "dbug" is not one of trace, debug, info, warn, error — did you mean "debug"?)");
  e = single_error([](document& d) { jst(d)["type"] = "taobao"; });
  CHECK(e.to_string() == R"(sources.jst.type: "taobao" is not one of jushuitan)");
}

TEST_CASE("a base URL must be plain http or https", "[config][errors]") {
  // Read by the parser the client uses (http::parse_url), with its reasons.
  auto e = single_error([](document& d) { jst(d)["base_url"] = "ftp://example.com"; });
  CHECK(e.to_string() ==
        R"(sources.jst.base_url: "ftp://example.com": unsupported scheme 'ftp' (expected http or https) — e.g. "https://openapi.jushuitan.com")");
  CHECK(single_error([](document& d) { jst(d)["base_url"] = "http://h/x?a=1"; }).message ==
        R"("http://h/x?a=1": a query ('?...') is not allowed in a base URL)");
  CHECK(single_error([](document& d) { jst(d)["base_url"] = "https://"; }).message == R"("https://": host is empty)");
  CHECK(single_error([](document& d) { jst(d)["base_url"] = "http://h:99999"; }).message ==
        R"("http://h:99999": port 99999 is out of range (1-65535))");
  // What the client would refuse at start, the file check refuses now.
  CHECK(single_error([](document& d) { jst(d)["base_url"] = "https://open api.example.com"; }).message ==
        R"("https://open api.example.com": host 'open api.example.com' is not a valid name or address)");
  CHECK(single_error([](document& d) { jst(d)["base_url"] = "http://h/a b"; }).message ==
        R"("http://h/a b": path '/a b' has a character that must be percent-encoded)");
}

TEST_CASE("a version column holds a datetime or integer outside the key", "[config][errors]") {
  auto e = single_error([](document& d) { target(d)["version"] = "sku_sn"; });
  CHECK(e.path == "jobs[0].targets[0].version");
  CHECK(e.message == R"("sku_sn" is a varchar(64) column)");
  e = single_error([](document& d) { target(d)["version"] = "io_id"; });
  CHECK(e.message == R"("io_id" is part of the key)");
  e = single_error([](document& d) { target(d)["version"] = "modified"; });
  CHECK(e.message == R"("modified" is not a column of this target)");
}

TEST_CASE("tables are unique within a job", "[config][errors]") {
  const auto e = single_error([](document& d) { job(d)["targets"].push_back(target(d)); });
  CHECK(e.to_string() ==
        R"(jobs[0].targets[1].table: duplicate table "bi_skusn_inout" — already written by targets[0])");
}

TEST_CASE("column defaults must fit the column", "[config][errors]") {
  auto e = single_error([](document& d) { columns(d)["io_id"]["default"] = "abc"; });
  CHECK(e.to_string() == R"(jobs[0].targets[0].columns.io_id.default: "abc" is not an integer — )"
                         R"(a default is cast like any other value of the column (bigint))");
  e = single_error([](document& d) { columns(d)["sku_sn"]["default"] = std::string(65, 'x'); });
  CHECK(e.path == "jobs[0].targets[0].columns.sku_sn.default");
  CHECK(e.hint == "a default is cast like any other value of the column (varchar(64))");
  e = single_error([](document& d) { columns(d)["create_time"]["default"] = "2026-13-01 00:00:00"; });
  CHECK(e.path == "jobs[0].targets[0].columns.create_time.default");
  e = single_error([](document& d) { columns(d)["io_id"]["default"] = document::array({1}); });
  CHECK(e.path == "jobs[0].targets[0].columns.io_id.default");
  e = single_error([](document& d) {
    columns(d)["io_id"]["default"] = 0;
    columns(d)["io_id"]["required"] = true;
  });
  CHECK(
      e.to_string() ==
      R"(jobs[0].targets[0].columns.io_id.required: a required column cannot have a default — drop one of "required" and "default")");
  CHECK(single_error([](document& d) { columns(d)["io_id"]["default"] = nullptr; }).message ==
        "null is not a default");
}

TEST_CASE("empty lists and maps are refused where one item is needed", "[config][errors]") {
  CHECK(single_error([](document& d) { d["jobs"] = document::array(); })
            .to_string()
            .starts_with("jobs: empty — "));
  CHECK(single_error([](document& d) { target(d)["columns"] = document::object(); }).path ==
        "jobs[0].targets[0].columns");
  CHECK(single_error([](document& d) { jst(d)["rate_limits"] = document::array(); })
            .to_string()
            .starts_with("sources.jst.rate_limits: empty — "));
  CHECK(single_error([](document& d) { job(d)["targets"] = document::array(); }).path == "jobs[0].targets");
}

TEST_CASE("retry delays must be in order", "[config][errors]") {
  const auto e = single_error([](document& d) {
    jst(d)["retry"] = {{"base_delay", "10s"}, {"max_delay", "1s"}};
  });
  CHECK(e.to_string() ==
        "sources.jst.retry.max_delay: max_delay is shorter than base_delay — make max_delay at least 10s");
}

TEST_CASE("an endpoint path must start with a slash", "[config][errors]") {
  const auto e = single_error([](document& d) { job(d)["api"] = "open/orders/single/query"; });
  CHECK(e.path == "jobs[0].api");
  CHECK(e.message == R"("open/orders/single/query" is not an endpoint path)");
}

TEST_CASE("a CA file must be a PEM bundle a TLS client can load", "[config][errors]") {
  const scratch_dir dir;
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream{dir.path() / name} << text;
    return name;
  };
  const auto good = write("good.pem", ferry::http::testing::make_self_signed("ferry-test-ca", "DNS:localhost").cert_pem);
  const auto garbled = write("garbled.pem", "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
  const auto empty = write("empty.pem", "");
  const auto key_only = write("key.pem", ferry::http::testing::make_self_signed("ferry-test-ca", "DNS:localhost").key_pem);
  auto doc = example_document();
  doc["mysql"]["tls"] = {{"mode", "verify_ca"}, {"ca_file", good}};
  doc["sources"]["jst"]["tls"] = {{"ca_file", good}};
  const auto ok = load(doc, dir.path());
  INFO((ok.errors.empty() ? std::string{} : ok.errors[0].to_string()));
  CHECK(ok.errors.empty());
  for (const auto& bad : {garbled, empty, key_only}) {
    INFO(bad);
    doc["sources"]["jst"]["tls"] = {{"ca_file", bad}};
    const auto r = load(doc, dir.path());
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].path == "sources.jst.tls.ca_file");
    CHECK(r.errors[0].message.starts_with((dir.path() / bad).string() + " is not a PEM CA bundle: "));
    CHECK(r.errors[0].hint.find("BEGIN CERTIFICATE") != std::string::npos);
  }
}

TEST_CASE("a CA file must exist", "[config][errors]") {
  const auto e = single_error([](document& d) {
    d["mysql"]["tls"] = {{"mode", "verify_ca"}, {"ca_file", "ca.pem"}};
  });
  CHECK(e.path == "mysql.tls.ca_file");
  CHECK(e.message == "no such file: /nonexistent/ca.pem");
}
