// Bulk array binding: one prepared INSERT executed for an array of rows
// (MariaDB's COM_STMT_BULK_EXECUTE), the fast path of ferry's upserts.
#include "ferry/mysql/connection.hpp"

#include "upsert_counts.hpp"

#include <mysql.h>
#include <errmsg.h>

#include <cstring>

namespace ferry::mysql {

static_assert(STMT_INDICATOR_NONE == 0 && STMT_INDICATOR_NULL == 1,
              "bulk_params::null doubles as Connector/C's indicator array");

void bulk_params::resize(std::size_t columns, std::size_t row_count) {
  rows = row_count;
  data.resize(columns);
  length.resize(columns);
  null.resize(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    data[c].resize(row_count);
    length[c].resize(row_count);
    null[c].resize(row_count);
  }
}

void connection::decide_bulk() {
  unsigned long caps = 0;
  mariadb_get_infov(handle_, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &caps);
  const bool mysql_server = (handle_->server_capabilities & CLIENT_MYSQL) != 0;
  const bool server_can = !mysql_server && (caps & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32)) != 0;
  switch (options_.writes) {
    case write_mode::multi_row: bulk_ = false; return;
    case write_mode::automatic: bulk_ = server_can; return;
    case write_mode::array:
      if (!server_can) {
        const std::string version = mysql_get_server_info(handle_);
        close();
        throw error{CR_NOT_IMPLEMENTED, "HY000",
                    "mysql.write_mode is array but the server (" + version +
                        ") has no bulk array binding (MariaDB 10.2 or later); use automatic or multi_row"};
      }
      bulk_ = true;
      return;
  }
}

bool connection::bulk_arrays() {
  if (handle_ == nullptr) connect();
  return bulk_;
}

void connection::fail(MYSQL_STMT* stmt) {
  const unsigned code = mysql_stmt_errno(stmt);
  error e{code, mysql_stmt_sqlstate(stmt), mysql_stmt_error(stmt)};
  // close() also drops every prepared statement of the session.
  if (e.kind() == error_kind::connection_lost || code >= 2000) close();
  throw e;
}

MYSQL_STMT* connection::statement(const std::string& sql) {
  if (handle_ == nullptr) connect();
  for (const auto& [text, stmt] : statements_)
    if (text == sql) return stmt;
  MYSQL_STMT* stmt = mysql_stmt_init(handle_);
  if (stmt == nullptr) fail();
  if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
    const unsigned code = mysql_stmt_errno(stmt);
    error e{code, mysql_stmt_sqlstate(stmt), mysql_stmt_error(stmt)};
    mysql_stmt_close(stmt);
    if (e.kind() == error_kind::connection_lost || code >= 2000) close();
    throw e;
  }
  statements_.emplace_back(sql, stmt);
  return stmt;
}

upsert_counts connection::bulk_upsert(const std::string& sql, const bulk_params& params) {
  if (params.rows == 0) return {};
  MYSQL_STMT* stmt = statement(sql);
  const std::size_t columns = params.data.size();
  if (mysql_stmt_param_count(stmt) != columns)
    throw std::logic_error("bulk_upsert: statement has " + std::to_string(mysql_stmt_param_count(stmt)) +
                           " parameters for " + std::to_string(columns) + " columns");
  std::vector<MYSQL_BIND> binds(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    std::memset(&binds[c], 0, sizeof(MYSQL_BIND));
    binds[c].buffer_type = MYSQL_TYPE_STRING;
    binds[c].buffer = const_cast<const char**>(params.data[c].data());
    binds[c].length = const_cast<unsigned long*>(params.length[c].data());
    binds[c].u.indicator = const_cast<char*>(params.null[c].data());
  }
  unsigned int size = static_cast<unsigned int>(params.rows);
  if (mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &size) != 0) fail(stmt);
  if (mysql_stmt_bind_param(stmt, binds.data()) != 0) fail(stmt);
  if (mysql_stmt_execute(stmt) != 0) fail(stmt);
  const auto affected = static_cast<std::uint64_t>(mysql_stmt_affected_rows(stmt));
  return detail::split_upsert(affected, mysql_info(handle_), params.rows);
}

}  // namespace ferry::mysql
