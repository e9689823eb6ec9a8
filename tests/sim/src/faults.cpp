#include "ferry/sim/faults.hpp"

#include "ferry/sim/random.hpp"

namespace ferry::sim {
namespace {

constexpr std::uint64_t stream_faults = 0xfa017;

std::size_t index_of(fault_kind kind) {
  return static_cast<std::size_t>(kind) - 1;
}

std::string set_count(std::int64_t& target, const std::string& key, const nlohmann::json& value) {
  if (!value.is_number_integer() || value.get<std::int64_t>() < 0)
    return "faults key \"" + key + "\" must be an integer >= 0";
  target = value.get<std::int64_t>();
  return {};
}

std::string set_rate(fault_settings& settings, const std::string& key, const nlohmann::json& value) {
  for (const auto kind : all_faults) {
    if (fault_name(kind) != key) continue;
    if (!value.is_number() || value.get<double>() < 0.0 || value.get<double>() > 1.0)
      return "faults key \"" + key + "\" must be a probability in [0, 1]";
    settings.rate(kind) = value.get<double>();
    return {};
  }
  return "unknown faults key \"" + key + "\"";
}

}  // namespace

std::string_view fault_name(fault_kind kind) {
  switch (kind) {
    case fault_kind::none: return "none";
    case fault_kind::http_500: return "http_500";
    case fault_kind::http_502: return "http_502";
    case fault_kind::http_503: return "http_503";
    case fault_kind::reset: return "reset";
    case fault_kind::timeout: return "timeout";
    case fault_kind::malformed: return "malformed";
    case fault_kind::code_150: return "code_150";
    case fault_kind::code_100: return "code_100";
  }
  return "none";
}

double& fault_settings::rate(fault_kind kind) { return rates[index_of(kind)]; }
double fault_settings::rate(fault_kind kind) const { return rates[index_of(kind)]; }

fault_kind pick_fault(const fault_settings& settings, std::uint64_t seed, std::uint64_t sequence) {
  const double draw = to_unit(hash3(seed, stream_faults, sequence));
  double upper = 0.0;
  for (const auto kind : all_faults) {
    upper += settings.rate(kind);
    if (draw < upper) return kind;
  }
  return fault_kind::none;
}

std::string apply_fault_update(fault_settings& settings, const nlohmann::json& update) {
  if (!update.is_object()) return "faults must be a JSON object";
  fault_settings next = settings;
  for (const auto& [key, value] : update.items()) {
    std::string error;
    if (key == "token_expire_after_calls") error = set_count(next.token_expire_after_calls, key, value);
    else if (key == "drift_rows_per_call") error = set_count(next.drift_rows_per_call, key, value);
    else if (key == "drift_changes_items") {
      if (!value.is_boolean()) error = "faults key \"" + key + "\" must be true or false";
      else next.drift_changes_items = value.get<bool>();
    }
    else error = set_rate(next, key, value);
    if (!error.empty()) return error;
  }
  double sum = 0.0;
  for (const double r : next.rates) sum += r;
  if (sum > 1.0 + 1e-9) return "fault probabilities sum to more than 1";
  settings = next;
  return {};
}

nlohmann::json to_json(const fault_settings& settings) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto kind : all_faults) out[std::string{fault_name(kind)}] = settings.rate(kind);
  out["token_expire_after_calls"] = settings.token_expire_after_calls;
  out["drift_rows_per_call"] = settings.drift_rows_per_call;
  out["drift_changes_items"] = settings.drift_changes_items;
  return out;
}

}  // namespace ferry::sim
