#pragma once
// Connection settings for the private test MariaDB, read from FERRY_MYSQL_*
// (printed by `deploy/mariadb-local.sh env`). A missing variable or server is a
// test failure with a message that says how to start it, never a skip.
#include <mysql.h>

#include <memory>
#include <string>

namespace ferry::test {

struct mysql_settings {
  std::string host;
  unsigned port = 0;
  std::string user;
  std::string password;
  std::string database;
};

// Throws std::runtime_error naming the missing variable.
mysql_settings mysql_settings_from_env();

struct mysql_closer {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
using mysql_handle = std::unique_ptr<MYSQL, mysql_closer>;

// Connects with utf8mb4; throws std::runtime_error with the server's message.
mysql_handle connect_test_mysql(const mysql_settings& settings);

// Runs a statement; throws std::runtime_error with the statement and error.
void exec(MYSQL* m, const std::string& sql);

}  // namespace ferry::test
