#pragma once
// Fault injection settings of jst-sim and the deterministic choice of a fault
// for each business call.
//
// pick_fault is a pure function of (rates, seed, call sequence number): the same
// seed and the same order of calls give the same faults, so a failing test can
// be replayed. fault_settings is plain data owned by the engine.
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::sim {

// code_100: a business refusal worded as /open/webapi endpoints word them
// under code 100 ("上架仓位不能为空"), which is not the token error.
enum class fault_kind { none, http_500, http_502, http_503, reset, timeout, malformed, code_150, code_100 };

// Every kind but none, in the order their probabilities are stacked.
inline constexpr std::array<fault_kind, 8> all_faults{
    fault_kind::http_500, fault_kind::http_502, fault_kind::http_503, fault_kind::reset,
    fault_kind::timeout,  fault_kind::malformed, fault_kind::code_150, fault_kind::code_100};

// The /__sim/faults key of a kind: "http_500", "reset", ...
std::string_view fault_name(fault_kind kind);

struct fault_settings {
  std::array<double, all_faults.size()> rates{};  // indexed like all_faults
  std::int64_t token_expire_after_calls = 0;      // 0 = never
  std::int64_t drift_rows_per_call = 0;           // 0 = no drift
  bool drift_changes_items = false;               // orders moved by drift also change their items

  double& rate(fault_kind kind);
  double rate(fault_kind kind) const;
};

// The fault for call number `sequence` (from 1): a uniform draw from
// hash(seed, sequence) against the stacked rates; none when it falls past them.
fault_kind pick_fault(const fault_settings& settings, std::uint64_t seed, std::uint64_t sequence);

// Applies the keys of `update` (a JSON object) to `settings`. Keys left out
// keep their value. Returns an error naming the key and leaves `settings`
// unchanged when a key is unknown or a value is out of range (rates in
// [0, 1] summing to at most 1, counts >= 0).
std::string apply_fault_update(fault_settings& settings, const nlohmann::json& update);

nlohmann::json to_json(const fault_settings& settings);

}  // namespace ferry::sim
