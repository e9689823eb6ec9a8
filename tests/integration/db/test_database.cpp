#include "test_database.hpp"

#include "mysql_test_env.hpp"

namespace ferry::test {

test_database::test_database(const std::string& name) {
  const auto env = mysql_settings_from_env();
  const std::string database = "ferry_t_" + name;
  auto admin = connect_test_mysql(env);
  exec(admin.get(), "DROP DATABASE IF EXISTS `" + database + "`");
  exec(admin.get(), "CREATE DATABASE `" + database + "` CHARACTER SET utf8mb4");
  options.host = env.host;
  options.port = env.port;
  options.user = env.user;
  options.password = core::secret{env.password};
  options.database = database;
}

std::string test_database::scalar(const std::string& sql) const {
  mysql::connection conn{options};
  const auto rows = conn.query(sql);
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return "NULL";
  return *rows[0][0];
}

}  // namespace ferry::test
