#include "ferry/mysql/connection.hpp"

#include "upsert_counts.hpp"

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include <cstdlib>

namespace ferry::mysql {

error_kind classify(unsigned code) {
  switch (code) {
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_LOST_EXTENDED:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
    case ER_QUERY_INTERRUPTED:
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
      return error_kind::connection_lost;
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_OPTION_PREVENTS_STATEMENT:  // --read-only
    case 1836:                          // ER_READ_ONLY_MODE
    case ER_TOO_MANY_USER_CONNECTIONS:
    case ER_CON_COUNT_ERROR:
      return error_kind::retryable;
    case ER_NET_PACKET_TOO_LARGE:
    case CR_NET_PACKET_TOO_LARGE:
      return error_kind::too_large;
    default:
      return error_kind::fatal;
  }
}

error::error(unsigned code, std::string sqlstate, const std::string& message)
    : std::runtime_error("MySQL error " + std::to_string(code) + " (" + sqlstate + "): " + message),
      code_(code),
      sqlstate_(std::move(sqlstate)),
      kind_(classify(code)) {}

connection::connection(connection_options options) : options_(std::move(options)) {}

connection::~connection() { close(); }

void connection::close() {
  for (auto& [sql, stmt] : statements_) mysql_stmt_close(stmt);
  statements_.clear();
  if (handle_ != nullptr) mysql_close(handle_);
  handle_ = nullptr;
  // A new session takes the server's current max_allowed_packet.
  max_allowed_packet_.reset();
}

void connection::fail() {
  const unsigned code = mysql_errno(handle_);
  error e{code, mysql_sqlstate(handle_), mysql_error(handle_)};
  // After a client-side or connection error the handle is not trusted again;
  // the server also hangs up after a packet over its max_allowed_packet.
  if (e.kind() == error_kind::connection_lost || e.kind() == error_kind::too_large || code >= 2000) close();
  throw e;
}

void connection::connect() {
  close();
  handle_ = mysql_init(nullptr);
  if (handle_ == nullptr) throw error{CR_OUT_OF_MEMORY, "HY000", "mysql_init failed"};
  const unsigned connect_timeout = static_cast<unsigned>(options_.connect_timeout.count());
  const unsigned read_timeout = static_cast<unsigned>(options_.read_timeout.count());
  const unsigned write_timeout = static_cast<unsigned>(options_.write_timeout.count());
  mysql_options(handle_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_options(handle_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_options(handle_, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_options(handle_, MYSQL_OPT_WRITE_TIMEOUT, &write_timeout);
  mysql_options(handle_, MYSQL_INIT_COMMAND,
                "SET time_zone = '+08:00', sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')");
  if (options_.tls != tls_mode::disabled) {
    const my_bool enforce = options_.tls != tls_mode::preferred;
    const my_bool verify = options_.tls == tls_mode::verify_ca || options_.tls == tls_mode::verify_identity;
    mysql_optionsv(handle_, MYSQL_OPT_SSL_ENFORCE, &enforce);
    mysql_optionsv(handle_, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    if (!options_.ca_file.empty()) mysql_optionsv(handle_, MYSQL_OPT_SSL_CA, options_.ca_file.c_str());
  }
  // A socket given is the way in: libmariadb takes it only when the host is
  // null or "localhost", and would otherwise go to host:port over TCP.
  const char* socket = options_.socket.empty() ? nullptr : options_.socket.c_str();
  const char* host = socket != nullptr ? nullptr : options_.host.c_str();
  if (mysql_real_connect(handle_, host, options_.user.c_str(),
                         options_.password.reveal().c_str(), options_.database.c_str(), options_.port,
                         socket, CLIENT_MULTI_RESULTS) == nullptr)
    fail();
  decide_bulk();
}

std::uint64_t connection::execute(std::string_view sql) {
  if (handle_ == nullptr) connect();
  if (mysql_real_query(handle_, sql.data(), sql.size()) != 0) fail();
  if (MYSQL_RES* res = mysql_store_result(handle_)) mysql_free_result(res);
  else if (mysql_field_count(handle_) != 0) fail();
  return mysql_affected_rows(handle_);
}

std::vector<result_row> connection::query(std::string_view sql) {
  if (handle_ == nullptr) connect();
  if (mysql_real_query(handle_, sql.data(), sql.size()) != 0) fail();
  MYSQL_RES* res = mysql_store_result(handle_);
  if (res == nullptr) {
    if (mysql_field_count(handle_) != 0) fail();
    return {};
  }
  std::vector<result_row> rows;
  const unsigned fields = mysql_num_fields(res);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    const unsigned long* lengths = mysql_fetch_lengths(res);
    result_row out;
    out.reserve(fields);
    for (unsigned i = 0; i < fields; ++i)
      out.push_back(row[i] == nullptr ? cell{} : cell{std::string(row[i], lengths[i])});
    rows.push_back(std::move(out));
  }
  mysql_free_result(res);
  return rows;
}

upsert_counts connection::upsert(std::string_view sql, std::uint64_t rows) {
  const std::uint64_t affected = execute(sql);
  return detail::split_upsert(affected, mysql_info(handle_), rows);
}

void connection::begin() { execute("START TRANSACTION"); }
void connection::commit() { execute("COMMIT"); }

void connection::rollback() noexcept {
  if (handle_ != nullptr && mysql_rollback(handle_) != 0) close();
}

bool connection::in_transaction() const {
  return handle_ != nullptr && (handle_->server_status & SERVER_STATUS_IN_TRANS) != 0;
}

void connection::append_quoted(std::string& sql, std::string_view text) {
  if (handle_ == nullptr) connect();
  const auto start = sql.size();
  sql.resize(start + text.size() * 2 + 3);
  sql[start] = '\'';
  const auto written = mysql_real_escape_string(handle_, sql.data() + start + 1, text.data(), text.size());
  sql.resize(start + 1 + written);
  sql += '\'';
}

void connection::append_value(std::string& sql, const cell& value) {
  if (value) append_quoted(sql, *value);
  else sql += "NULL";
}

std::string connection::server_version() const {
  return handle_ != nullptr ? mysql_get_server_info(handle_) : "";
}

bool connection::is_mariadb() const {
  return server_version().find("MariaDB") != std::string::npos;
}

std::uint64_t connection::max_allowed_packet() {
  if (!max_allowed_packet_) {
    const auto rows = query("SELECT @@max_allowed_packet");
    max_allowed_packet_ = rows.empty() || !rows[0][0] ? 4u << 20 : std::stoull(*rows[0][0]);
  }
  return *max_allowed_packet_;
}

std::string quote_identifier(std::string_view name) {
  if (name.empty() || name.size() > 64) throw std::invalid_argument("identifier must be 1..64 characters");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) throw std::invalid_argument("identifier '" + std::string{name} + "' has characters other than A-Z, a-z, 0-9, _");
  }
  return "`" + std::string{name} + "`";
}

}  // namespace ferry::mysql
