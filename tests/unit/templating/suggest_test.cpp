#include "ferry/templating/suggest.hpp"

#include <array>

#include <catch2/catch.hpp>

using ferry::templating::closest_match;
using ferry::templating::join_names;

namespace {
constexpr std::array<std::string_view, 5> keys{"host", "port", "pool_size", "database", "user"};
}

TEST_CASE("close typos get a suggestion", "[suggest]") {
  CHECK(closest_match("pool_sze", keys) == "pool_size");
  CHECK(closest_match("pool_siez", keys) == "pool_size");  // a swap counts once
  CHECK(closest_match("POOL_SIZE", keys) == "pool_size");
  CHECK(closest_match("databse", keys) == "database");
  CHECK(closest_match("hots", keys) == "host");
}

TEST_CASE("far words get none", "[suggest]") {
  CHECK_FALSE(closest_match("timeout", keys));
  CHECK_FALSE(closest_match("p", keys));
  CHECK_FALSE(closest_match("", keys));
  CHECK_FALSE(closest_match("pool", keys));
}

TEST_CASE("names join for hints", "[suggest]") {
  CHECK(join_names(keys) == "host, port, pool_size, database, user");
  CHECK(join_names(std::span<const std::string_view>{}) == "");
}
