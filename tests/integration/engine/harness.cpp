#include "harness.hpp"

#include "ferry/json/exact.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>

namespace ferry::test {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string url_encode(const std::string& text) {
  std::string out;
  char buf[4];
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == ':') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

ordered_json source_section(std::uint16_t port) {
  return {{"type", "jushuitan"},
          {"base_url", "http://127.0.0.1:" + std::to_string(port)},
          {"app_key", "demo"},
          {"app_secret_env", "JST_APP_SECRET"},
          {"access_token_env", "JST_ACCESS_TOKEN"},
          {"refresh_token_env", "JST_REFRESH_TOKEN"},
          // jst-sim runs without limits unless a test says otherwise.
          {"rate_limits", ordered_json::array({{{"calls", 1000}, {"per", "1s"}}})},
          {"timeout", "5s"},
          {"max_in_flight", 4},
          {"retry", {{"max_attempts", 8}, {"base_delay", "50ms"}, {"max_delay", "500ms"}}}};
}

ordered_json mysql_section(const test_database& db) {
  return {{"host", db.options.host},
          {"port", db.options.port},
          {"user", db.options.user},
          {"password_env", "FERRY_MYSQL_PASSWORD"},
          {"database", db.options.database},
          {"pool_size", 2}};
}

}  // namespace

ordered_json column(const char* path, const char* type) { return {{"path", path}, {"type", type}}; }

sim::sim(std::vector<std::string> args)
    : process_([&] {
        args.insert(args.begin(), {"--port", "0"});
        return test_support::child_process{JST_SIM_PATH, args};
      }()) {
  const auto line = process_.read_line(std::chrono::seconds{30});
  if (!line) throw std::runtime_error("jst-sim printed no listening line");
  const auto port = test_support::parse_listening_port(*line);
  if (!port) throw std::runtime_error("jst-sim said: " + *line);
  port_ = *port;
}

std::vector<json> sim::truth(const std::string& endpoint, const std::string& from, const std::string& to) {
  test_support::http_client client{"127.0.0.1", port_, std::chrono::seconds{60}};
  const auto r = client.get("/__sim/truth?endpoint=" + url_encode(endpoint) + "&from=" + url_encode(from) +
                            "&to=" + url_encode(to));
  if (!r.ok() || r.response.status != 200) throw std::runtime_error("truth failed: " + r.response.body);
  std::vector<json> rows;
  std::size_t start = 0;
  const auto& body = r.response.body;
  while (start < body.size()) {
    auto end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    if (end > start) rows.push_back(ferry::json::parse_exact(std::string_view{body}.substr(start, end - start)));
    start = end + 1;
  }
  return rows;
}

void sim::set_faults(const json& faults) {
  test_support::http_client client{"127.0.0.1", port_};
  const auto r = client.post_json("/__sim/faults", faults.dump());
  if (!r.ok() || r.response.status != 200) throw std::runtime_error("faults refused: " + r.response.body);
}

json sim::tokens(std::optional<int> expire_in) {
  test_support::http_client client{"127.0.0.1", port_};
  const auto r = expire_in ? client.post_json("/__sim/tokens", json{{"expire_in", *expire_in}}.dump())
                           : client.get("/__sim/tokens");
  if (!r.ok() || r.response.status != 200) throw std::runtime_error("tokens failed: " + r.response.body);
  return json::parse(r.response.body);
}

json sim::tokens_of(const std::string& app_key) {
  test_support::http_client client{"127.0.0.1", port_};
  const auto r = client.get("/__sim/tokens?app_key=" + app_key);
  if (!r.ok() || r.response.status != 200) throw std::runtime_error("tokens failed: " + r.response.body);
  return json::parse(r.response.body);
}

json sim::stats() {
  test_support::http_client client{"127.0.0.1", port_};
  const auto r = client.get("/__sim/stats");
  if (!r.ok()) throw std::runtime_error("stats failed");
  return json::parse(r.response.body);
}

ordered_json flow_config(std::uint16_t port, const test_database& db) {
  ordered_json columns = {{"sku_sn", column("sku_sn", "varchar(64)")},
                          {"io_id", column("io_id", "bigint")},
                          {"o_id", column("o_id", "bigint")},
                          {"inout_type", column("inout_type", "tinyint")},
                          {"sku_id", column("sku_id", "varchar(64)")},
                          {"cost_price", column("cost_price", "decimal(18,4)")},
                          {"cost_amount", column("cost_amount", "decimal(18,4)")},
                          {"remark", column("remark", "varchar(512)")},
                          {"create_time", column("create_time", "datetime")},
                          {"modified_time", column("modified_time", "datetime")},
                          {"supplier_id", column("supplier_id", "bigint")},
                          {"supplier_name", column("supplier_name", "varchar(128)")}};
  ordered_json job = {
      {"id", "skusn_inout"},
      {"source", "jst"},
      {"api", flow_api},
      {"list_key", "datas"},
      {"page_size", 1000},
      {"request", ordered_json::array({{{"field", "create_time_start"}, {"value", "{{LAST_SYNC_TIME|datetime}}"}},
                                       {{"field", "create_time_end"}, {"value", "{{CURRENT_TIME|datetime}}"}}})},
      {"window", {{"start", "2026-01-01 00:00:00"}, {"max_span", "29d"}, {"lag", "60s"}, {"lookback", "5m"},
                  {"end", "2026-02-01 00:00:00"}}},
      {"targets", ordered_json::array({{{"table", "bi_skusn_inout"},
                                        {"key", {"sku_sn", "io_id"}},
                                        {"version", "modified_time"},
                                        {"create_table", true},
                                        {"columns", columns}}})}};
  return {{"mysql", mysql_section(db)},
          {"sources", {{"jst", source_section(port)}}},
          {"jobs", ordered_json::array({job})},
          {"log", {{"level", "info"}}}};
}

ordered_json orders_config(std::uint16_t port, const test_database& db) {
  ordered_json orders = {{"o_id", column("o_id", "bigint")},
                         {"so_id", column("so_id", "varchar(64)")},
                         {"shop_id", column("shop_id", "bigint")},
                         {"shop_name", column("shop_name", "varchar(128)")},
                         {"status", column("status", "varchar(32)")},
                         {"order_date", column("order_date", "datetime")},
                         {"modified", column("modified", "datetime")},
                         {"pay_amount", column("pay_amount", "decimal(18,4)")},
                         {"freight", column("freight", "decimal(18,4)")},
                         {"buyer_message", column("buyer_message", "varchar(1024)")}};
  ordered_json items = {{"o_id", column("$.o_id", "bigint")},
                        {"oi_id", column("oi_id", "bigint")},
                        {"sku_id", column("sku_id", "varchar(64)")},
                        {"name", column("name", "varchar(255)")},
                        {"qty", column("qty", "int")},
                        {"price", column("price", "decimal(18,4)")},
                        {"amount", column("amount", "decimal(18,4)")},
                        {"modified", column("$.modified", "datetime")}};
  ordered_json job = {
      {"id", "orders"},
      {"source", "jst"},
      {"api", orders_api},
      {"list_key", "orders"},
      {"page_size", 100},
      {"request", {{"modified_begin", "{{LAST_SYNC_TIME|datetime}}"}, {"modified_end", "{{CURRENT_TIME|datetime}}"}}},
      {"window", {{"start", "2026-01-01 00:00:00"}, {"max_span", "6d"}, {"end", "2026-02-01 00:00:00"}}},
      {"targets", ordered_json::array({{{"table", "bi_orders"}, {"key", {"o_id"}}, {"version", "modified"},
                                        {"create_table", true}, {"columns", orders}},
                                       {{"table", "bi_order_items"}, {"key", {"o_id", "oi_id"}},
                                        {"version", "modified"}, {"explode", "items"}, {"create_table", true},
                                        {"columns", items}}})}};
  return {{"mysql", mysql_section(db)}, {"sources", {{"jst", source_section(port)}}}, {"jobs", ordered_json::array({job})}};
}

std::optional<std::string> metric_sample(const std::string& exposition, const std::string& series) {
  const auto line = "\n" + series + " ";
  const auto at = exposition.starts_with(series + " ") ? 0 : exposition.find(line);
  if (at == std::string::npos) return std::nullopt;
  const auto value = at == 0 ? series.size() + 1 : at + line.size();
  return exposition.substr(value, exposition.find('\n', value) - value);
}

std::filesystem::path write_config(const std::string& name, const ordered_json& config) {
  const auto dir = std::filesystem::temp_directory_path() / "ferry-engine-tests";
  std::filesystem::create_directories(dir);
  const auto path = dir / (name + ".json");
  std::ofstream{path} << config.dump(2);
  return path;
}

void set_source_env(const std::string& secret) {
  ::setenv("JST_APP_SECRET", secret.c_str(), 1);
  ::setenv("JST_ACCESS_TOKEN", "demo-access-token", 1);
  ::setenv("JST_REFRESH_TOKEN", "demo-refresh-token", 1);
}

ferryd_daemon::ferryd_daemon(const std::filesystem::path& config)
    : process_{FERRYD_PATH, {"--config", config.string()}} {
  const std::string marker = "ferryd admin listening on 127.0.0.1:";
  for (int i = 0; i < 200 && port_ == 0; ++i) {
    const auto line = process_.read_line(std::chrono::seconds{30});
    if (!line) break;
    if (const auto at = line->find(marker); at != std::string::npos)
      port_ = static_cast<std::uint16_t>(std::stoi(line->substr(at + marker.size())));
  }
  if (port_ == 0) throw std::runtime_error("ferryd did not report its admin port");
}

int ferryd_daemon::terminate() {
  ::kill(process_.pid(), SIGTERM);
  const auto status = process_.wait_for(std::chrono::seconds{60});
  return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

namespace {

ferryd_result run_child(test_support::child_process& ferryd, const std::vector<std::string>& args,
                        std::chrono::seconds timeout);

}  // namespace

ferryd_result run_ferryd(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  test_support::child_process ferryd{FERRYD_PATH, args};
  return run_child(ferryd, args, timeout);
}

ferryd_result run_ferryd_with_log(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  // The shell only joins stderr to stdout and then becomes ferryd.
  std::vector<std::string> shell_args{"-c", "exec \"$0\" \"$@\" 2>&1", FERRYD_PATH};
  shell_args.insert(shell_args.end(), args.begin(), args.end());
  test_support::child_process ferryd{"/bin/sh", shell_args};
  return run_child(ferryd, args, timeout);
}

namespace {

ferryd_result run_child(test_support::child_process& ferryd, const std::vector<std::string>& args,
                        std::chrono::seconds timeout) {
  ferryd_result result;
  result.out = ferryd.read_all(timeout);
  const auto code = ferryd.wait_for(std::chrono::seconds{10});
  // wait_for reports the raw wait status.
  if (code && WIFEXITED(*code)) result.exit_code = WEXITSTATUS(*code);
  else if (code && WIFSIGNALED(*code)) result.exit_code = -WTERMSIG(*code);
  UNSCOPED_INFO("ferryd " << (args.empty() ? "" : args.back()) << " exit " << result.exit_code << ":\n" << result.out);
  return result;
}

}  // namespace

std::optional<std::string> sql_text(const json& value) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return value.get<std::string>();
  if (auto number = ferry::json::number_text(value)) return *number;
  return ferry::json::dump_exact(value);
}

const std::vector<std::string> flow_key{"sku_sn", "io_id"};
const std::vector<std::string> flow_columns{"sku_sn", "io_id", "o_id", "inout_type", "sku_id", "cost_price",
                                            "cost_amount", "remark", "create_time", "modified_time",
                                            "supplier_id", "supplier_name"};

comparison compare_flow(const test_database& db, sim& s, const std::string& from, const std::string& to) {
  return compare(db, "bi_skusn_inout", flow_key, flow_columns, s.truth(flow_api, from, to));
}

std::string comparison::describe() const {
  std::string out = std::to_string(matching) + " matching, " + std::to_string(missing) + " missing, " +
                    std::to_string(extra) + " extra, " + std::to_string(stale) + " stale";
  for (const auto& e : examples) out += "\n  " + e;
  return out;
}

comparison compare(const test_database& db, const std::string& table, const std::vector<std::string>& key,
                   const std::vector<std::string>& columns, const std::vector<json>& expected_rows) {
  using row_text = std::vector<std::optional<std::string>>;
  auto key_of = [&](const auto& get) {
    std::string k;
    for (const auto& name : key) k += get(name).value_or("NULL") + "\x1f";
    return k;
  };
  std::map<std::string, row_text> expected;
  for (const auto& r : expected_rows) {
    row_text values;
    for (const auto& c : columns) values.push_back(sql_text(r.contains(c) ? r.at(c) : json{}));
    expected[key_of([&](const std::string& n) { return sql_text(r.at(n)); })] = std::move(values);
  }
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < columns.size(); ++i) sql += (i ? ",`" : "`") + columns[i] + "`";
  sql += " FROM `" + table + "`";
  mysql::connection conn{db.options};
  comparison result;
  std::map<std::string, bool> seen;
  for (auto& row : conn.query(sql)) {
    const auto k = key_of([&](const std::string& n) {
      const auto at = std::find(columns.begin(), columns.end(), n) - columns.begin();
      return row[static_cast<std::size_t>(at)];
    });
    const auto it = expected.find(k);
    if (it == expected.end()) {
      ++result.extra;
      if (result.examples.size() < 5) result.examples.push_back("extra " + k);
    } else if (it->second != row) {
      ++result.stale;
      if (result.examples.size() < 5) result.examples.push_back("stale " + k);
    } else {
      ++result.matching;
    }
    seen[k] = true;
  }
  for (const auto& [k, v] : expected)
    if (!seen.count(k)) {
      ++result.missing;
      if (result.examples.size() < 5) result.examples.push_back("missing " + k);
    }
  return result;
}

}  // namespace ferry::test
