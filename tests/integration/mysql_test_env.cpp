#include "mysql_test_env.hpp"

#include <cstdlib>
#include <stdexcept>

namespace ferry::test {
namespace {

std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0')
    throw std::runtime_error(std::string{name} +
                             " is not set: start the test server with deploy/mariadb-local.sh start "
                             "and eval \"$(deploy/mariadb-local.sh env)\" (deploy/test.sh does both)");
  return value;
}

}  // namespace

mysql_settings mysql_settings_from_env() {
  mysql_settings s;
  s.host = required_env("FERRY_MYSQL_HOST");
  s.port = static_cast<unsigned>(std::stoul(required_env("FERRY_MYSQL_PORT")));
  s.user = required_env("FERRY_MYSQL_USER");
  s.password = required_env("FERRY_MYSQL_PASSWORD");
  s.database = required_env("FERRY_MYSQL_DATABASE");
  return s;
}

mysql_handle connect_test_mysql(const mysql_settings& s) {
  mysql_handle m{mysql_init(nullptr)};
  if (!m) throw std::runtime_error("mysql_init failed");
  mysql_options(m.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const unsigned timeout = 10;
  mysql_options(m.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (mysql_real_connect(m.get(), s.host.c_str(), s.user.c_str(), s.password.c_str(),
                         s.database.c_str(), s.port, nullptr, 0) == nullptr)
    throw std::runtime_error("cannot connect to MariaDB at " + s.host + ":" + std::to_string(s.port) +
                             ": " + mysql_error(m.get()) +
                             " (is deploy/mariadb-local.sh start running?)");
  return m;
}

void exec(MYSQL* m, const std::string& sql) {
  if (mysql_real_query(m, sql.data(), sql.size()) != 0)
    throw std::runtime_error("MariaDB refused `" + sql + "`: " + mysql_error(m));
  // Drain any result so the connection stays usable.
  if (MYSQL_RES* res = mysql_store_result(m)) mysql_free_result(res);
}

}  // namespace ferry::test
