#include "ferry/transform/sql_type.hpp"

#include <catch2/catch.hpp>

using namespace ferry::transform;

namespace {
sql_type parse_ok(std::string_view text) {
  std::string error;
  auto t = parse_sql_type(text, error);
  INFO(text << ": " << error);
  REQUIRE(t);
  return *t;
}
std::string parse_error(std::string_view text) {
  std::string error;
  CHECK_FALSE(parse_sql_type(text, error));
  return error;
}
}  // namespace

TEST_CASE("string types carry their length in characters", "[sql_type]") {
  const auto t = parse_ok(" VarChar( 64 ) ");
  CHECK(t.sql == "varchar(64)");
  CHECK(t.cast == cast_kind::text);
  CHECK(t.max_chars == 64u);
  CHECK(parse_ok("text").max_bytes == 65535u);
  CHECK(parse_error("varchar") .find("varchar(64)") != std::string::npos);
  CHECK(parse_error("varchar(0)").find("1..16383") != std::string::npos);
  CHECK(parse_error("char(300)").find("1..255") != std::string::npos);
}

TEST_CASE("integer types know their ranges", "[sql_type]") {
  const auto bigint = parse_ok("bigint");
  CHECK(bigint.cast == cast_kind::integer);
  CHECK(bigint.min_integer == std::numeric_limits<std::int64_t>::min());
  CHECK(bigint.max_integer == static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
  const auto u = parse_ok("BIGINT  UNSIGNED");
  CHECK(u.sql == "bigint unsigned");
  CHECK(u.max_integer == std::numeric_limits<std::uint64_t>::max());
  const auto tiny = parse_ok("tinyint");
  CHECK(tiny.min_integer == -128);
  CHECK(tiny.max_integer == 127u);
  CHECK(parse_ok("integer(11)").sql == "int");
  CHECK(parse_ok("smallint unsigned").max_integer == 65535u);
  CHECK(parse_error("int signed").find("unsigned") != std::string::npos);
}

TEST_CASE("decimals are exact with precision and scale", "[sql_type]") {
  const auto d = parse_ok("decimal(18, 4)");
  CHECK(d.sql == "decimal(18,4)");
  CHECK(d.cast == cast_kind::decimal);
  CHECK(d.precision == 18);
  CHECK(d.scale == 4);
  CHECK(parse_ok("numeric").sql == "decimal(10,0)");
  CHECK(parse_ok("decimal(5)").scale == 0);
  CHECK(parse_error("decimal(66,2)").find("precision 66") != std::string::npos);
  CHECK(parse_error("decimal(10,12)").find("scale 12") != std::string::npos);
  CHECK(parse_error("decimal(a,b)").find("decimal(18,4)") != std::string::npos);
}

TEST_CASE("dates, booleans and json", "[sql_type]") {
  CHECK(parse_ok("datetime").cast == cast_kind::datetime);
  CHECK(parse_ok("timestamp").cast == cast_kind::datetime);
  CHECK(parse_ok("date").cast == cast_kind::date);
  CHECK(parse_ok("bool").sql == "tinyint(1)");
  CHECK(parse_ok("tinyint(1)").cast == cast_kind::boolean);
  CHECK(parse_ok("json").cast == cast_kind::json);
  CHECK(parse_ok("double").cast == cast_kind::real);
}

TEST_CASE("unknown or malformed types name the problem", "[sql_type]") {
  CHECK(parse_error("varchar2(10)").find("unknown type 'varchar2'") != std::string::npos);
  CHECK(parse_error("").find("empty type") != std::string::npos);
  CHECK(parse_error("decimal(10,2").find("unbalanced") != std::string::npos);
  CHECK(parse_error("datetime(3)").find("takes no arguments") != std::string::npos);
  CHECK(parse_error("int; drop table x").find("unknown") != std::string::npos);
}
