#include "sections.hpp"

#include <array>

namespace ferry::config::detail {
namespace {

// "password" is listed so that an inline password is refused by name rather than as unknown.
constexpr std::array<std::string_view, 16> mysql_keys{
    "host",         "port",          "socket",     "user",        "password",
    "password_env", "password_file", "database",   "pool_size",   "connect_timeout",
    "read_timeout", "write_timeout", "batch_rows", "batch_bytes", "write_mode",
    "tls"};
constexpr std::array<std::string_view, 2> tls_keys{"mode", "ca_file"};
constexpr std::array<std::string_view, 3> write_modes{"auto", "array", "multi_row"};
constexpr std::array<std::string_view, 5> tls_modes{"disabled", "preferred", "required", "verify_ca",
                                                    "verify_identity"};
constexpr std::array<std::string_view, 5> log_levels{"trace", "debug", "info", "warn", "error"};
constexpr std::array<std::string_view, 2> log_formats{"text", "json"};
constexpr std::array<std::string_view, 2> log_keys{"level", "format"};

mysql_tls read_tls(const json& value, const location& where, const load_context& ctx) {
  const object_reader r{value, where, ctx.diag, tls_keys};
  mysql_tls tls;
  if (const auto mode = r.choice("mode", tls_modes)) tls.mode = static_cast<mysql_tls_mode>(*mode);
  tls.ca_file = r.ca_bundle("ca_file", ctx.base_dir);
  return tls;
}

void read_connection(const object_reader& r, mysql_config& m, const load_context& ctx) {
  assign(m.host, r.string("host"));
  assign(m.port, r.integer("port", 1, 65535));
  if (const auto socket = r.string("socket")) m.socket = ctx.base_dir / *socket;
  assign(m.user, r.string("user", "the MySQL account ferry logs in as, e.g. \"ferry\""));
  if (auto password = read_secret(r, "password", false, "the MySQL password", ctx))
    m.password = std::move(*password);
  if (const auto database = r.string("database", "the schema ferry writes to, e.g. \"ferry\"")) {
    if (is_sql_identifier(*database))
      m.database = *database;
    else
      r.report("database", json(*database).dump() + " is not a plain identifier",
               "letters, digits and '_', not starting with a digit, at most 64");
  }
  if (const auto* tls = r.find("tls")) m.tls = read_tls(*tls, r.at("tls"), ctx);
}

}  // namespace

mysql_config read_mysql(const json& value, const location& where, const load_context& ctx) {
  const object_reader r{value, where, ctx.diag, mysql_keys};
  mysql_config m;
  if (!r.is_object()) return m;
  read_connection(r, m, ctx);
  assign(m.pool_size, r.integer("pool_size", 1, 64));
  assign(m.connect_timeout, r.duration("connect_timeout", std::chrono::milliseconds{1}));
  assign(m.read_timeout, r.duration("read_timeout", std::chrono::milliseconds{1}));
  assign(m.write_timeout, r.duration("write_timeout", std::chrono::milliseconds{1}));
  assign(m.batch_rows, r.integer("batch_rows", 1, 100000));
  assign(m.batch_bytes, r.integer("batch_bytes", 1024, 1073741824));
  if (const auto mode = r.choice("write_mode", write_modes)) m.mode = static_cast<write_mode>(*mode);
  return m;
}

log_config read_log(const json& value, const location& where, const load_context& ctx) {
  const object_reader r{value, where, ctx.diag, log_keys};
  log_config log;
  if (const auto level = r.choice("level", log_levels)) log.level = static_cast<log_level>(*level);
  if (const auto format = r.choice("format", log_formats)) log.format = static_cast<log_format>(*format);
  return log;
}

}  // namespace ferry::config::detail
