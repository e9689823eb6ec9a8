#pragma once
// A scratch database per test case (ferry_t_<name>), dropped and recreated so
// that every test starts from nothing, plus connection options for ferry's
// own MySQL layer pointing at it.
#include "ferry/mysql/connection.hpp"

#include <string>

namespace ferry::test {

struct test_database {
  explicit test_database(const std::string& name);
  mysql::connection_options options;
  // Runs one query on a fresh connection and returns its first cell.
  std::string scalar(const std::string& sql) const;
};

}  // namespace ferry::test
