#pragma once
// One MySQL/MariaDB connection through MariaDB Connector/C (the MySQL C API).
//
// Blocking: use it only on a pool thread (see pool.hpp), never on the event
// loop. Not thread-safe: one thread at a time. Every session is set to
// utf8mb4, time_zone '+08:00' (Jushuitan datetimes are Beijing wall time, so
// TIMESTAMP columns and NOW() agree with DATETIME ones) and strict SQL mode,
// so a bad value is an error instead of a silent truncation.
#include "ferry/core/secret.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct st_mysql;
struct st_mysql_stmt;

namespace ferry::mysql {

enum class tls_mode { disabled, preferred, required, verify_ca, verify_identity };

// How upserts send their rows: `array` is MariaDB's bulk array binding (one
// prepared statement executed for an array of rows, COM_STMT_BULK_EXECUTE);
// `multi_row` is one text INSERT with many VALUES tuples, for MySQL 8, TiDB
// and anything else; `automatic` takes array when the server offers bulk
// operations (MariaDB 10.2+), decided at connect time.
enum class write_mode { automatic, array, multi_row };

struct connection_options {
  std::string host = "127.0.0.1";
  unsigned port = 3306;
  std::string socket;  // used instead of host:port when set
  std::string user;
  core::secret password;  // revealed only to connect
  std::string database;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds read_timeout{60};
  std::chrono::seconds write_timeout{60};
  tls_mode tls = tls_mode::disabled;
  std::string ca_file;
  write_mode writes = write_mode::automatic;
};

// What a caller may do about a failed statement.
enum class error_kind {
  connection_lost,  // reconnect and redo the transaction
  retryable,        // deadlock, lock wait timeout, read-only server: redo the transaction later
  too_large,        // packet over max_allowed_packet: split the batch
  fatal,            // bad SQL, bad data, missing privilege: fail with the message
};

class error : public std::runtime_error {
 public:
  error(unsigned code, std::string sqlstate, const std::string& message);
  unsigned code() const { return code_; }
  const std::string& sqlstate() const { return sqlstate_; }
  error_kind kind() const { return kind_; }

 private:
  unsigned code_;
  std::string sqlstate_;
  error_kind kind_;
};

error_kind classify(unsigned code);

using cell = std::optional<std::string>;  // nullopt = SQL NULL
using result_row = std::vector<cell>;

// What an INSERT ... ON DUPLICATE KEY UPDATE did, from affected rows and mysql_info().
struct upsert_counts {
  std::uint64_t inserted = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  // Rows of an exploded target deleted because their parent record no longer
  // lists them (sink::upsert_writer); never set by upsert() itself.
  std::uint64_t deleted = 0;
};

// The rows of one bulk statement, column by column (what Connector/C's
// column-wise array binding reads): for column c and row r, `data[c][r]`
// points at `length[c][r]` bytes, or the value is SQL NULL when
// `null[c][r]` is 1. The bytes must stay alive until bulk_upsert returns.
struct bulk_params {
  std::size_t rows = 0;
  std::vector<std::vector<const char*>> data;
  std::vector<std::vector<unsigned long>> length;
  std::vector<std::vector<char>> null;
  // Sizes the arrays for `columns` columns of `row_count` rows.
  void resize(std::size_t columns, std::size_t row_count);
};

class connection {
 public:
  explicit connection(connection_options options);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // Connects (or reconnects after a loss). Throws error.
  void connect();
  bool connected() const { return handle_ != nullptr; }
  void close();

  // Runs one statement; returns affected rows. Throws error.
  std::uint64_t execute(std::string_view sql);
  // Runs a query and returns every row as text. Throws error.
  std::vector<result_row> query(std::string_view sql);
  // Runs an INSERT ... ON DUPLICATE KEY UPDATE of `rows` rows and splits the
  // outcome into inserted/updated/unchanged. Throws error.
  upsert_counts upsert(std::string_view sql, std::uint64_t rows);
  // Runs the prepared statement `sql` (one `?` per column, prepared once per
  // connection and kept) once for every row of `params` with bulk array
  // binding, and splits the outcome like upsert(). Values travel as bound
  // bytes, never inside the SQL text. Throws error.
  upsert_counts bulk_upsert(const std::string& sql, const bulk_params& params);
  // Whether upserts on this connection use bulk array binding: options'
  // write_mode and, for automatic, the server's capabilities. Connects if
  // needed; throws error when write_mode is array and the server cannot.
  bool bulk_arrays();

  void begin();
  void commit();
  void rollback() noexcept;
  // Whether the session has a transaction open (the server says so with
  // every answer); false when not connected.
  bool in_transaction() const;

  // Appends `text` quoted and escaped for this connection's charset.
  void append_quoted(std::string& sql, std::string_view text);
  // Appends a value or NULL.
  void append_value(std::string& sql, const cell& value);

  std::string server_version() const;
  bool is_mariadb() const;
  std::uint64_t max_allowed_packet();

 private:
  [[noreturn]] void fail();
  [[noreturn]] void fail(st_mysql_stmt* stmt);
  st_mysql_stmt* statement(const std::string& sql);
  void decide_bulk();
  st_mysql* handle_ = nullptr;
  connection_options options_;
  std::optional<std::uint64_t> max_allowed_packet_;
  bool bulk_ = false;  // decided at connect
  // Prepared statements of this session, by their SQL; dropped with it.
  std::vector<std::pair<std::string, st_mysql_stmt*>> statements_;
};

// "`name`" for an identifier that has already been validated; throws
// std::invalid_argument for anything but [A-Za-z0-9_] (ferry never quotes
// names it did not validate).
std::string quote_identifier(std::string_view name);

}  // namespace ferry::mysql
