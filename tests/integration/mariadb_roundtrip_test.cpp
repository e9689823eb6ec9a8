// The private MariaDB answers ferry's tests through Connector/C and keeps
// utf8mb4 text (Chinese, emoji, quotes, backslashes) byte for byte, both as
// bound parameters and as escaped literals.
#include "mysql_test_env.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <vector>

using namespace ferry::test;

namespace {

const std::vector<std::string> tricky_texts{
    "棉袜 男士 中筒 黑色 XL",           "杭州市某某供应链管理有限公司",
    "emoji 😀🚚📦 and a flag 🇨🇳",      "quote \" apostrophe ' backslash \\ end",
    "line\nbreak\ttab\r\nwindows",      std::string("nul\0inside", 10),
    "",                                 "4-byte 𠀀 CJK extension B"};

// Each test has a table of its own: ctest runs them side by side in one database.
std::vector<std::string> read_back(MYSQL* m, const std::string& table) {
  exec(m, "SELECT 1");  // keeps the handle's state clean before a new query
  const std::string sql = "SELECT body FROM " + table + " ORDER BY id";
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) FAIL(mysql_error(m));
  MYSQL_RES* res = mysql_store_result(m);
  REQUIRE(res != nullptr);
  std::vector<std::string> out;
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    const unsigned long* lengths = mysql_fetch_lengths(res);
    out.emplace_back(row[0], lengths[0]);
  }
  mysql_free_result(res);
  return out;
}

void reset_table(MYSQL* m, const std::string& table) {
  exec(m, "DROP TABLE IF EXISTS " + table);
  exec(m, "CREATE TABLE " + table + " (id INT PRIMARY KEY, body TEXT NOT NULL) "
          "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
}

}  // namespace

TEST_CASE("the test server is reachable and speaks utf8mb4", "[mariadb]") {
  auto m = connect_test_mysql(mysql_settings_from_env());
  CHECK(std::string{mysql_character_set_name(m.get())} == "utf8mb4");
  CHECK(mysql_get_server_version(m.get()) >= 100500);
}

TEST_CASE("escaped literals round-trip utf8mb4 text", "[mariadb]") {
  auto m = connect_test_mysql(mysql_settings_from_env());
  const std::string table = "ferry_roundtrip_escaped";
  reset_table(m.get(), table);
  for (std::size_t i = 0; i < tricky_texts.size(); ++i) {
    const auto& text = tricky_texts[i];
    std::string escaped(text.size() * 2 + 1, '\0');
    escaped.resize(mysql_real_escape_string(m.get(), escaped.data(), text.data(), text.size()));
    exec(m.get(), "INSERT INTO " + table + " VALUES (" + std::to_string(i) + ", '" + escaped + "')");
  }
  CHECK(read_back(m.get(), table) == tricky_texts);
  exec(m.get(), "DROP TABLE " + table);
}

TEST_CASE("bound parameters round-trip utf8mb4 text", "[mariadb]") {
  auto m = connect_test_mysql(mysql_settings_from_env());
  const std::string table = "ferry_roundtrip_bound";
  reset_table(m.get(), table);
  MYSQL_STMT* stmt = mysql_stmt_init(m.get());
  const std::string sql = "INSERT INTO " + table + " VALUES (?, ?)";
  REQUIRE(mysql_stmt_prepare(stmt, sql.data(), sql.size()) == 0);
  for (std::size_t i = 0; i < tricky_texts.size(); ++i) {
    int id = static_cast<int>(i);
    unsigned long length = tricky_texts[i].size();
    std::array<MYSQL_BIND, 2> bind{};
    bind[0].buffer_type = MYSQL_TYPE_LONG;
    bind[0].buffer = &id;
    bind[1].buffer_type = MYSQL_TYPE_STRING;
    bind[1].buffer = const_cast<char*>(tricky_texts[i].data());
    bind[1].buffer_length = length;
    bind[1].length = &length;
    REQUIRE(mysql_stmt_bind_param(stmt, bind.data()) == 0);
    INFO(mysql_stmt_error(stmt));
    REQUIRE(mysql_stmt_execute(stmt) == 0);
  }
  mysql_stmt_close(stmt);
  CHECK(read_back(m.get(), table) == tricky_texts);
  exec(m.get(), "DROP TABLE " + table);
}

TEST_CASE("a wrong password is refused with the server's reason", "[mariadb]") {
  auto settings = mysql_settings_from_env();
  settings.password += "-wrong";
  CHECK_THROWS_WITH(connect_test_mysql(settings), Catch::Contains("Access denied"));
}
