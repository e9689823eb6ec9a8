// The table of bad configs: each the daemon config of badinput_test with one
// mistake, and the line ferryd must print for it.
#include "badinput.hpp"

namespace ferry::test {
namespace {

using nlohmann::ordered_json;
using edit = std::function<void(ordered_json&)>;

ordered_json& job(ordered_json& c) { return c["jobs"][0]; }
ordered_json& target(ordered_json& c) { return c["jobs"][0]["targets"][0]; }
ordered_json& column(ordered_json& c, const char* name) { return target(c)["columns"][name]; }
ordered_json& jst(ordered_json& c) { return c["sources"]["jst"]; }

config_case json_case(std::string name, std::string expect, edit change) {
  return {std::move(name), std::move(expect), std::move(change), {}};
}

config_case text_case(std::string name, std::string expect, std::function<std::string(const std::string&)> change) {
  return {std::move(name), std::move(expect), {}, std::move(change)};
}

// Replaces the first `from` in `text` by `to`; a case whose anchor is gone fails loudly.
std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("no \"" + from + "\" in the config text");
  return text.replace(at, from.size(), to);
}

std::vector<config_case> type_and_required_cases() {
  return {
      json_case("port as a string", "mysql.port: ", [](auto& c) { c["mysql"]["port"] = "3307"; }),
      json_case("pool_size a fraction", "mysql.pool_size: ", [](auto& c) { c["mysql"]["pool_size"] = 2.5; }),
      json_case("page_size as a string", "jobs[0].page_size: ", [](auto& c) { job(c)["page_size"] = "1000"; }),
      json_case("enabled as a string", "jobs[0].enabled: ", [](auto& c) { job(c)["enabled"] = "yes"; }),
      json_case("create_table as a number", "jobs[0].targets[0].create_table: ",
                [](auto& c) { target(c)["create_table"] = 1; }),
      json_case("max_in_flight as a boolean", "sources.jst.max_in_flight: ",
                [](auto& c) { jst(c)["max_in_flight"] = true; }),
      json_case("jobs an object", "jobs: ", [](auto& c) { c["jobs"] = ordered_json::object(); }),
      {"sources an array", "sources: ", [](auto& c) { c["sources"] = ordered_json::array(); }, {}, 2},
      json_case("key a string", "jobs[0].targets[0].key: ", [](auto& c) { target(c)["key"] = "sku_sn"; }),
      json_case("mysql.user missing", "mysql.user: required", [](auto& c) { c["mysql"].erase("user"); }),
      json_case("mysql.database missing", "mysql.database: required", [](auto& c) { c["mysql"].erase("database"); }),
      json_case("base_url missing", "sources.jst.base_url: required", [](auto& c) { jst(c).erase("base_url"); }),
      json_case("app_key missing", "sources.jst.app_key: required", [](auto& c) { jst(c).erase("app_key"); }),
      json_case("app secret missing", "sources.jst.app_secret_env: required",
                [](auto& c) { jst(c).erase("app_secret_env"); }),
      json_case("api missing", "jobs[0].api: required", [](auto& c) { job(c).erase("api"); }),
      json_case("request missing", "jobs[0].request: required", [](auto& c) { job(c).erase("request"); }),
      json_case("window.start missing", "jobs[0].window.start: required",
                [](auto& c) { job(c)["window"].erase("start"); }),
      json_case("column type missing", "jobs[0].targets[0].columns.io_id.type: required",
                [](auto& c) { column(c, "io_id").erase("type"); }),
      json_case("admin token missing", "admin.token_env: required", [](auto& c) { c["admin"].erase("token_env"); }),
      json_case("unknown key in mysql", "mysql.pool_sze: unknown key", [](auto& c) { c["mysql"]["pool_sze"] = 4; }),
      json_case("unknown top-level key", "daemon: unknown key", [](auto& c) { c["daemon"] = {{"listen", ":1"}}; }),
      json_case("unknown key in window", "jobs[0].window.span: unknown key",
                [](auto& c) { job(c)["window"]["span"] = "1d"; }),
      json_case("unknown key in a column", "jobs[0].targets[0].columns.sku_sn.nullable: unknown key",
                [](auto& c) { column(c, "sku_sn")["nullable"] = true; }),
  };
}

std::vector<config_case> range_and_time_cases() {
  return {
      json_case("port over 65535", "mysql.port: ", [](auto& c) { c["mysql"]["port"] = 70000; }),
      json_case("pool_size 0", "mysql.pool_size: ", [](auto& c) { c["mysql"]["pool_size"] = 0; }),
      json_case("batch_rows over the cap", "mysql.batch_rows: ", [](auto& c) { c["mysql"]["batch_rows"] = 100001; }),
      json_case("page_size over the endpoint's cap", "jobs[0].page_size: ",
                [](auto& c) { job(c)["page_size"] = 5000; }),
      json_case("dead_letter_max_ratio over 1", "jobs[0].dead_letter_max_ratio: ",
                [](auto& c) { job(c)["dead_letter_max_ratio"] = 1.5; }),
      json_case("rate limit of 0 calls", "sources.jst.rate_limits[0].calls: ",
                [](auto& c) { jst(c)["rate_limits"][0]["calls"] = 0; }),
      json_case("no rate limits", "sources.jst.rate_limits: ",
                [](auto& c) { jst(c)["rate_limits"] = ordered_json::array(); }),
      json_case("duration with a space", "sources.jst.timeout: ", [](auto& c) { jst(c)["timeout"] = "30 s"; }),
      json_case("negative duration", "jobs[0].window.lag: ", [](auto& c) { job(c)["window"]["lag"] = "-1s"; }),
      json_case("max_delay below base_delay", "sources.jst.retry.max_delay: ",
                [](auto& c) { jst(c)["retry"]["max_delay"] = "10ms"; }),
      json_case("max_span over the endpoint's 30d", "jobs[0].window.max_span: ",
                [](auto& c) { job(c)["window"]["max_span"] = "60d"; }),
      json_case("cron of four fields", "jobs[0].schedule.cron: ",
                [](auto& c) { job(c)["schedule"] = {{"cron", "*/10 8-20 * *"}}; }),
      json_case("unknown time zone", "jobs[0].schedule.tz: ",
                [](auto& c) { job(c)["schedule"] = {{"cron", "0 * * * *"}, {"tz", "Mars/Olympus"}}; }),
      json_case("every and cron together", "jobs[0].schedule.cron: ",
                [](auto& c) { job(c)["schedule"] = {{"every", "5m"}, {"cron", "0 * * * *"}}; }),
      json_case("every under a second", "jobs[0].schedule.every: ",
                [](auto& c) { job(c)["schedule"] = {{"every", "500ms"}}; }),
      json_case("window.start not a date", "jobs[0].window.start: ",
                [](auto& c) { job(c)["window"]["start"] = "2026-13-01 00:00:00"; }),
      json_case("window.end before start", "jobs[0].window.end: ",
                [](auto& c) { job(c)["window"]["end"] = "2025-12-01 00:00:00"; }),
      json_case("log level unknown", "log.level: ", [](auto& c) { c["log"]["level"] = "verbose"; }),
      json_case("log format unknown", "log.format: ", [](auto& c) { c["log"]["format"] = "xml"; }),
  };
}

std::vector<config_case> job_and_target_cases() {
  return {
      json_case("duplicate job id", "jobs[1].id: ", [](auto& c) { c["jobs"].push_back(job(c)); }),
      text_case("a key written twice", "mysql.pool_size: ",
                [](const std::string& t) { return replace_once(t, "\"pool_size\": 2", "\"pool_size\": 2, \"pool_size\": 3"); }),
      json_case("duplicate target table", "jobs[0].targets[1].table: ",
                [](auto& c) { job(c)["targets"].push_back(target(c)); }),
      json_case("job id with capitals", "jobs[0].id: ", [](auto& c) { job(c)["id"] = "Skusn"; }),
      json_case("job of an unknown source", "jobs[0].source: ", [](auto& c) { job(c)["source"] = "jst2"; }),
      json_case("api without a slash", "jobs[0].api: ", [](auto& c) { job(c)["api"] = "open/orders"; }),
      json_case("unknown template format", "jobs[0].request[0].value: ",
                [](auto& c) { job(c)["request"][0]["value"] = "{{LAST_SYNC_TIME|datetim}}"; }),
      json_case("unclosed template", "jobs[0].request[1].value: ",
                [](auto& c) { job(c)["request"][1]["value"] = "{{CURRENT_TIME|datetime"; }),
      json_case("no field takes the window", "jobs[0].request: ", [](auto& c) {
        job(c)["request"][0]["value"] = "2026-01-01 00:00:00";
        job(c)["request"][1]["value"] = "2026-01-02 00:00:00";
      }),
      json_case("page_index in the request", "jobs[0].request[2].field: ", [](auto& c) {
        job(c)["request"].push_back({{"field", "page_index"}, {"value", "1"}});
      }),
      json_case("unknown column type", "jobs[0].targets[0].columns.modified_time.type: ",
                [](auto& c) { column(c, "modified_time")["type"] = "datetime2"; }),
      json_case("varchar without a length", "jobs[0].targets[0].columns.sku_id.type: ",
                [](auto& c) { column(c, "sku_id")["type"] = "varchar"; }),
      json_case("decimal scale over precision", "jobs[0].targets[0].columns.cost_price.type: ",
                [](auto& c) { column(c, "cost_price")["type"] = "decimal(2,5)"; }),
      json_case("bad record path", "jobs[0].targets[0].columns.remark.path: ",
                [](auto& c) { column(c, "remark")["path"] = "items[x]"; }),
      json_case("default the type cannot hold", "jobs[0].targets[0].columns.inout_type.default: ",
                [](auto& c) { column(c, "inout_type")["default"] = "many"; }),
      json_case("required with a default", "jobs[0].targets[0].columns.supplier_id.",
                [](auto& c) {
                  column(c, "supplier_id")["required"] = true;
                  column(c, "supplier_id")["default"] = 10001;
                }),
      json_case("key names no column", "jobs[0].targets[0].key[1]: ", [](auto& c) { target(c)["key"] = {"sku_sn", "nope"}; }),
      json_case("empty key", "jobs[0].targets[0].key: ", [](auto& c) { target(c)["key"] = ordered_json::array(); }),
      json_case("key column twice", "jobs[0].targets[0].key[1]: ", [](auto& c) { target(c)["key"] = {"sku_sn", "sku_sn"}; }),
      json_case("key column of type text", "jobs[0].targets[0].key[0]: ", [](auto& c) { column(c, "sku_sn")["type"] = "text"; }),
      json_case("version names no column", "jobs[0].targets[0].version: ",
                [](auto& c) { target(c)["version"] = "nope"; }),
      json_case("version is a key column", "jobs[0].targets[0].version: ",
                [](auto& c) { target(c)["version"] = "io_id"; }),
      json_case("table name with SQL in it", "jobs[0].targets[0].table: ",
                [](auto& c) { target(c)["table"] = "bi; drop table x"; }),
      json_case("database name with a dash", "mysql.database: ", [](auto& c) { c["mysql"]["database"] = "ferry-db"; }),
      json_case("unknown write_mode", "mysql.write_mode: ", [](auto& c) { c["mysql"]["write_mode"] = "fast"; }),
      json_case("unknown TLS mode", "mysql.tls.mode: ", [](auto& c) { c["mysql"]["tls"] = {{"mode", "on"}}; }),
      json_case("explode from the parent", "jobs[0].targets[0].explode: ",
                [](auto& c) { target(c)["explode"] = "$.items"; }),
  };
}

std::vector<config_case> url_and_secret_cases(const scratch_files& files) {
  return {
      json_case("ftp base_url", "sources.jst.base_url: ", [](auto& c) { jst(c)["base_url"] = "ftp://127.0.0.1:9400"; }),
      json_case("base_url with a query", "sources.jst.base_url: ",
                [](auto& c) { jst(c)["base_url"] = "http://127.0.0.1:9400/?a=1"; }),
      json_case("base_url not a URL", "sources.jst.base_url: ", [](auto& c) { jst(c)["base_url"] = "not a url"; }),
      json_case("inline MySQL password", "mysql.password: ", [](auto& c) { c["mysql"]["password"] = "hunter2"; }),
      json_case("inline app secret", "sources.jst.app_secret: ", [](auto& c) {
        jst(c).erase("app_secret_env");
        jst(c)["app_secret"] = "demo-secret";
      }),
      json_case("secret from both env and file", "sources.jst.app_secret_", [f = files.secret](auto& c) {
        jst(c)["app_secret_file"] = f.string();
      }),
      json_case("password env var unset", "mysql.password_env: ",
                [](auto& c) { c["mysql"]["password_env"] = "FERRY_BADINPUT_UNSET"; }),
      json_case("token file missing", "sources.jst.access_token_file: ", [f = files.missing](auto& c) {
        jst(c).erase("access_token_env");
        jst(c)["access_token_file"] = f.string();
      }),
      json_case("token file a directory", "sources.jst.access_token_file: ", [f = files.directory](auto& c) {
        jst(c).erase("access_token_env");
        jst(c)["access_token_file"] = f.string();
      }),
      json_case("refresh token file empty", "sources.jst.refresh_token_file: ", [f = files.empty](auto& c) {
        jst(c).erase("refresh_token_env");
        jst(c)["refresh_token_file"] = f.string();
      }),
      json_case("admin token file under an unset variable", "admin.token_file: ", [](auto& c) {
        c["admin"].erase("token_env");
        c["admin"]["token_file"] = "${FERRY_BADINPUT_UNSET}/admin_token";
      }),
      json_case("admin listen without a port", "admin.listen: ", [](auto& c) { c["admin"]["listen"] = "localhost"; }),
      json_case("admin TLS without a key", "admin.tls: ", [f = files.secret](auto& c) {
        c["admin"]["tls"] = {{"cert_file", f.string()}};
      }),
  };
}

std::vector<config_case> syntax_cases() {
  const std::string syntax = "JSON syntax error at line ";
  return {
      text_case("trailing comma", syntax,
                [](const std::string& t) { return replace_once(t, "\"pool_size\": 2", "\"pool_size\": 2,"); }),
      text_case("truncated", syntax, [](const std::string& t) { return t.substr(0, t.size() / 2); }),
      text_case("not UTF-8", "JSON syntax error at line 5, column 16: ", [](const std::string& t) { return replace_once(t, "\"ferry\"", "\"fe\xff\xferry\""); }),
      text_case("empty file", "JSON syntax error at line 1, column 1: ", [](const std::string&) { return std::string{}; }),
      text_case("a JSON array at the top", "expected an object, got an array", [](const std::string& t) { return "[" + t + "]"; }),
      text_case("a number at the top", "expected an object, got a whole number", [](const std::string&) { return std::string{"42\n"}; }),
      text_case("two documents", syntax, [](const std::string& t) { return t + t; }),
  };
}

}  // namespace

std::vector<config_case> config_cases(const scratch_files& files) {
  std::vector<config_case> all;
  for (auto part : {type_and_required_cases(), range_and_time_cases(), job_and_target_cases(),
                    url_and_secret_cases(files), syntax_cases()})
    for (auto& c : part) all.push_back(std::move(c));
  return all;
}

}  // namespace ferry::test
