#include "ferry/sim/faults.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace ferry;

namespace {

std::vector<sim::fault_kind> draws(const sim::fault_settings& s, std::uint64_t seed, int count) {
  std::vector<sim::fault_kind> out;
  for (int i = 1; i <= count; ++i) out.push_back(sim::pick_fault(s, seed, static_cast<std::uint64_t>(i)));
  return out;
}

sim::fault_settings mixed() {
  sim::fault_settings s;
  REQUIRE(sim::apply_fault_update(s, {{"http_500", 0.1}, {"http_502", 0.05}, {"http_503", 0.05}, {"reset", 0.05},
                                      {"timeout", 0.02}, {"malformed", 0.03}, {"code_150", 0.05}})
              .empty());
  return s;
}

}  // namespace

TEST_CASE("fault draws are fixed by seed and call number") {
  const auto s = mixed();
  CHECK(draws(s, 42, 500) == draws(s, 42, 500));
  CHECK(draws(s, 42, 500) != draws(s, 43, 500));
}

TEST_CASE("fault draws match the configured rates over 10k calls") {
  const auto s = mixed();
  std::map<sim::fault_kind, int> seen;
  for (const auto kind : draws(s, 7, 10000)) ++seen[kind];
  for (const auto kind : sim::all_faults) {
    INFO(sim::fault_name(kind));
    const double expected = s.rate(kind) * 10000;
    // Binomial standard deviation is below 31 for p <= 0.1; allow about 4 of them.
    CHECK(std::abs(seen[kind] - expected) < 120);
  }
  CHECK(std::abs(seen[sim::fault_kind::none] - 6500) < 200);
}

TEST_CASE("no fault when every rate is zero, always one when a rate is 1") {
  sim::fault_settings s;
  for (const auto kind : draws(s, 1, 1000)) REQUIRE(kind == sim::fault_kind::none);
  s.rate(sim::fault_kind::reset) = 1.0;
  for (const auto kind : draws(s, 1, 1000)) REQUIRE(kind == sim::fault_kind::reset);
}

TEST_CASE("fault updates: partial, validated, unknown keys named") {
  sim::fault_settings s;
  CHECK(sim::apply_fault_update(s, {{"timeout", 0.5}, {"drift_rows_per_call", 3}}).empty());
  CHECK(s.rate(sim::fault_kind::timeout) == 0.5);
  CHECK(s.drift_rows_per_call == 3);
  CHECK(sim::apply_fault_update(s, {{"reset", 0.1}}).empty());
  CHECK(s.rate(sim::fault_kind::timeout) == 0.5);
  const auto error = sim::apply_fault_update(s, {{"http_504", 0.1}});
  CHECK(error.find("http_504") != std::string::npos);
  CHECK_FALSE(sim::apply_fault_update(s, {{"reset", 1.5}}).empty());
  CHECK_FALSE(sim::apply_fault_update(s, {{"http_500", 0.6}}).empty());  // sum > 1
  CHECK_FALSE(sim::apply_fault_update(s, {{"token_expire_after_calls", -1}}).empty());
  CHECK_FALSE(sim::apply_fault_update(s, nlohmann::json::array()).empty());
  CHECK(s.rate(sim::fault_kind::http_500) == 0.0);
  CHECK(sim::to_json(s)["reset"] == 0.1);
  CHECK(sim::apply_fault_update(s, {{"drift_changes_items", true}}).empty());
  CHECK(s.drift_changes_items);
  CHECK(sim::to_json(s)["drift_changes_items"] == true);
  CHECK(sim::apply_fault_update(s, {{"drift_changes_items", 1}}).find("true or false") != std::string::npos);
  CHECK(s.drift_changes_items);
}
