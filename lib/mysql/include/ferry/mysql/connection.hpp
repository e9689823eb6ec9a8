#pragma once
// One MySQL/MariaDB connection through MariaDB Connector/C (the MySQL C API).
//
// Blocking: use it only on a pool thread (see pool.hpp), never on the event
// loop. Not thread-safe: one thread at a time. Every session is set to
// utf8mb4, time_zone '+08:00' (Jushuitan datetimes are Beijing wall time, so
// TIMESTAMP columns and NOW() agree with DATETIME ones) and strict SQL mode,
// so a bad value is an error instead of a silent truncation.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct st_mysql;

namespace ferry::mysql {

enum class tls_mode { disabled, preferred, required, verify_ca, verify_identity };

struct connection_options {
  std::string host = "127.0.0.1";
  unsigned port = 3306;
  std::string socket;  // used instead of host:port when set
  std::string user;
  std::string password;
  std::string database;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds read_timeout{60};
  std::chrono::seconds write_timeout{60};
  tls_mode tls = tls_mode::disabled;
  std::string ca_file;
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

  void begin();
  void commit();
  void rollback() noexcept;

  // Appends `text` quoted and escaped for this connection's charset.
  void append_quoted(std::string& sql, std::string_view text);
  // Appends a value or NULL.
  void append_value(std::string& sql, const cell& value);

  std::string server_version() const;
  bool is_mariadb() const;
  std::uint64_t max_allowed_packet();

 private:
  [[noreturn]] void fail();
  st_mysql* handle_ = nullptr;
  connection_options options_;
  std::optional<std::uint64_t> max_allowed_packet_;
};

// "`name`" for an identifier that has already been validated; throws
// std::invalid_argument for anything but [A-Za-z0-9_] (ferry never quotes
// names it did not validate).
std::string quote_identifier(std::string_view name);

}  // namespace ferry::mysql
