#include "ferry/transform/sql_type.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>

namespace ferry::transform {
namespace {

std::string lower_trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    // Collapse runs of white space so "bigint  unsigned" reads like "bigint unsigned".
    if (std::isspace(u)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::tolower(u));
    }
  }
  return out;
}

// Splits "name(args) rest" into its parts; args empty when there are no parentheses.
struct pieces { std::string name; std::string args; std::string rest; bool has_args = false; };

std::optional<pieces> split(const std::string& text) {
  pieces p;
  const auto open = text.find('(');
  if (open == std::string::npos) {
    const auto space = text.find(' ');
    p.name = text.substr(0, space);
    if (space != std::string::npos) p.rest = text.substr(space + 1);
    return p;
  }
  const auto close = text.find(')', open);
  if (close == std::string::npos) return std::nullopt;
  p.name = text.substr(0, open);
  while (!p.name.empty() && p.name.back() == ' ') p.name.pop_back();
  p.args = text.substr(open + 1, close - open - 1);
  p.has_args = true;
  p.rest = text.substr(close + 1);
  if (!p.rest.empty() && p.rest.front() == ' ') p.rest.erase(0, 1);
  return p;
}

std::optional<int> read_int(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

struct integer_kind { std::string_view name; int bits; };
constexpr std::array<integer_kind, 6> integer_kinds{{
    {"tinyint", 8}, {"smallint", 16}, {"mediumint", 24}, {"int", 32}, {"integer", 32}, {"bigint", 64}}};

std::optional<sql_type> integer_type(const pieces& p, int bits, std::string& error) {
  sql_type t;
  t.cast = cast_kind::integer;
  if (p.has_args && !read_int(p.args)) {
    error = "display width '" + p.args + "' is not a number";
    return std::nullopt;
  }
  if (p.rest == "unsigned") {
    t.is_unsigned = true;
    t.min_integer = 0;
    t.max_integer = bits == 64 ? std::numeric_limits<std::uint64_t>::max() : (std::uint64_t{1} << bits) - 1;
  } else if (p.rest.empty()) {
    t.min_integer = bits == 64 ? std::numeric_limits<std::int64_t>::min() : -(std::int64_t{1} << (bits - 1));
    t.max_integer = (std::uint64_t{1} << (bits - 1)) - 1;
  } else {
    error = "unexpected '" + p.rest + "' after " + p.name + " (only 'unsigned' may follow)";
    return std::nullopt;
  }
  const std::string base = p.name == "integer" ? "int" : p.name;
  t.sql = base + (t.is_unsigned ? " unsigned" : "");
  return t;
}

std::optional<sql_type> decimal_type(const pieces& p, std::string& error) {
  sql_type t;
  t.cast = cast_kind::decimal;
  t.precision = 10;
  t.scale = 0;
  if (p.has_args) {
    const auto comma = p.args.find(',');
    const auto precision = read_int(std::string_view{p.args}.substr(0, comma));
    const auto scale = comma == std::string::npos ? std::optional<int>{0}
                                                  : read_int(std::string_view{p.args}.substr(comma + 1));
    if (!precision || !scale) {
      error = "decimal needs (precision,scale) as numbers, e.g. decimal(18,4)";
      return std::nullopt;
    }
    t.precision = *precision;
    t.scale = *scale;
  }
  if (t.precision < 1 || t.precision > 65) {
    error = "decimal precision " + std::to_string(t.precision) + " is outside 1..65";
    return std::nullopt;
  }
  if (t.scale < 0 || t.scale > 30 || t.scale > t.precision) {
    error = "decimal scale " + std::to_string(t.scale) + " must be within 0..30 and at most the precision";
    return std::nullopt;
  }
  if (!p.rest.empty()) {
    error = "unexpected '" + p.rest + "' after decimal";
    return std::nullopt;
  }
  t.sql = "decimal(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
  return t;
}

std::optional<sql_type> string_type(const pieces& p, std::string& error) {
  sql_type t;
  t.cast = cast_kind::text;
  const int length = p.has_args ? read_int(p.args).value_or(0) : 0;
  const int max_length = p.name == "char" ? 255 : 16383;  // varchar: 65535 bytes / 4 for utf8mb4
  if (length < 1 || length > max_length) {
    error = p.name + " needs a length within 1.." + std::to_string(max_length) + ", e.g. " + p.name + "(64)";
    return std::nullopt;
  }
  if (!p.rest.empty()) {
    error = "unexpected '" + p.rest + "' after " + p.name + "(N)";
    return std::nullopt;
  }
  t.max_chars = static_cast<std::size_t>(length);
  t.sql = p.name + "(" + std::to_string(length) + ")";
  return t;
}

std::optional<sql_type> plain_type(const pieces& p, std::string& error) {
  struct plain { std::string_view name; cast_kind cast; std::size_t max_bytes; std::string_view sql; };
  static constexpr std::array<plain, 11> plains{{
      {"tinytext", cast_kind::text, 255, "tinytext"},
      {"text", cast_kind::text, 65535, "text"},
      {"mediumtext", cast_kind::text, 16777215, "mediumtext"},
      {"longtext", cast_kind::text, 4294967295, "longtext"},
      {"json", cast_kind::json, 4294967295, "json"},
      {"datetime", cast_kind::datetime, 0, "datetime"},
      {"timestamp", cast_kind::datetime, 0, "timestamp"},
      {"date", cast_kind::date, 0, "date"},
      {"bool", cast_kind::boolean, 0, "tinyint(1)"},
      {"boolean", cast_kind::boolean, 0, "tinyint(1)"},
      {"double", cast_kind::real, 0, "double"}}};
  for (const auto& candidate : plains) {
    if (p.name != candidate.name) continue;
    if (p.has_args || !p.rest.empty()) {
      error = std::string{candidate.name} + " takes no arguments";
      return std::nullopt;
    }
    sql_type t;
    t.cast = candidate.cast;
    t.sql = candidate.sql;
    if (candidate.max_bytes != 0) t.max_bytes = candidate.max_bytes;
    if (t.cast == cast_kind::boolean) {
      t.min_integer = 0;
      t.max_integer = 1;
    }
    return t;
  }
  error = "unknown type '" + p.name + "'; supported: " + std::string{supported_sql_types()};
  return std::nullopt;
}

}  // namespace

std::string_view supported_sql_types() {
  return "varchar(N), char(N), tinytext, text, mediumtext, longtext, tinyint, smallint, mediumint, "
         "int, bigint (each optionally unsigned), decimal(P,S), double, datetime, timestamp, date, "
         "bool, json";
}

std::optional<sql_type> parse_sql_type(std::string_view text, std::string& error) {
  const auto normal = lower_trimmed(text);
  if (normal.empty()) {
    error = "empty type; supported: " + std::string{supported_sql_types()};
    return std::nullopt;
  }
  const auto p = split(normal);
  if (!p) {
    error = "unbalanced parentheses in '" + std::string{text} + "'";
    return std::nullopt;
  }
  for (const auto& kind : integer_kinds)
    if (p->name == kind.name) {
      if (p->name == "tinyint" && p->args == "1" && p->rest.empty()) return plain_type({"bool", "", "", false}, error);
      return integer_type(*p, kind.bits, error);
    }
  if (p->name == "decimal" || p->name == "numeric") return decimal_type(*p, error);
  if (p->name == "varchar" || p->name == "char") return string_type(*p, error);
  return plain_type(*p, error);
}

}  // namespace ferry::transform
