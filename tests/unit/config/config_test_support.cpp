#include "config_test_support.hpp"

#include <atomic>
#include <fstream>

#include <unistd.h>

#include <catch2/catch.hpp>

namespace ferry::config::test {

const char* const documented_example = R"json({
  "mysql": {"host": "127.0.0.1", "port": 3307, "user": "ferry", "password_env": "FERRY_MYSQL_PASSWORD",
            "database": "ferry", "pool_size": 4},
  "sources": {"jst": {"type": "jushuitan", "base_url": "http://127.0.0.1:9400", "app_key": "demo",
            "app_secret_env": "JST_APP_SECRET", "access_token_env": "JST_ACCESS_TOKEN",
            "refresh_token_env": "JST_REFRESH_TOKEN",
            "rate_limits": [{"calls": 5, "per": "1s"}, {"calls": 100, "per": "1m"}],
            "timeout": "30s", "max_in_flight": 4}},
  "jobs": [{"id": "skusn_inout", "source": "jst", "api": "/open/webapi/wmsapi/skusn/queryinoutitemskusns",
            "list_key": "datas", "page_size": 1000,
            "request": [{"field": "create_time_start", "value": "{{LAST_SYNC_TIME|datetime}}"},
                        {"field": "create_time_end", "value": "{{CURRENT_TIME|datetime}}"}],
            "window": {"start": "2026-01-01 00:00:00", "max_span": "29d", "lag": "60s", "lookback": "5m"},
            "schedule": {"every": "5m"},
            "targets": [{"table": "bi_skusn_inout", "key": ["sku_sn", "io_id"], "create_table": true,
                         "columns": {"sku_sn": {"path": "sku_sn", "type": "varchar(64)"},
                                     "io_id": {"path": "io_id", "type": "bigint"},
                                     "create_time": {"path": "create_time", "type": "datetime"}}}]}]
})json";

env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string{name});
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

env_lookup example_env() {
  return fake_env({{"FERRY_MYSQL_PASSWORD", "mysql-pw"},
                   {"JST_APP_SECRET", "app-secret-value"},
                   {"JST_ACCESS_TOKEN", "access-token-value"},
                   {"JST_REFRESH_TOKEN", "refresh-token-value"}});
}

document example_document() { return document::parse(documented_example); }

load_result load(const document& doc, const std::filesystem::path& base_dir) {
  return load_config_text(doc.dump(), example_env(), base_dir);
}

load_result load_text(std::string_view text, const std::filesystem::path& base_dir) {
  return load_config_text(text, example_env(), base_dir);
}

config_error single_error(const std::function<void(document&)>& change) {
  auto doc = example_document();
  change(doc);
  const auto result = load(doc);
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.errors.size() == 1);
  CHECK_FALSE(result.value);
  return result.errors.front();
}

scratch_dir::scratch_dir() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("ferry-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(path_);
}

scratch_dir::~scratch_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path scratch_dir::write(const std::string& name, const std::string& content) const {
  const auto file = path_ / name;
  std::ofstream{file, std::ios::binary} << content;
  return file;
}

}  // namespace ferry::config::test
