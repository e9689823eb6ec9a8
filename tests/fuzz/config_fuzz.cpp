// Fuzz target: the config loader ferryd runs on its config file's text
// (ferry::config::load_config_text, which load_config_file calls after
// reading the file). Invariants: it never throws; it gives a config exactly
// when it reports no error; every error has a message, and one about a JSON
// object names the path it is about; no error repeats a secret it read; a
// config it accepts is consistent (jobs name declared sources, ids unique,
// every target has a key).
#include "fuzz_check.hpp"

#include "ferry/config/load.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <set>
#include <string>

namespace {

using ferry::fuzz::as_text;

// Secrets from the environment carry this prefix, so an error that leaks one is visible.
constexpr std::string_view secret_mark = "s3cr3t-env-";

std::optional<std::string> fuzz_env(std::string_view name) {
  if (name.find("MISSING") != std::string_view::npos) return std::nullopt;
  return std::string{secret_mark} + std::string{name};
}

// The first member of an error's path ("jobs" of "jobs[0].id"), "" when it starts with [.
std::string_view first_member(std::string_view path) {
  return path.substr(0, path.find_first_of(".["));
}

void check_errors(std::string_view text, const ferry::config::load_result& result) {
  const auto root = nlohmann::json::parse(text, nullptr, false, true);
  constexpr std::array<std::string_view, 5> root_keys{"mysql", "sources", "jobs", "log", "admin"};
  const bool input_has_secret = text.find(secret_mark) != std::string_view::npos;
  for (const auto& error : result.errors) {
    const auto line = error.to_string();
    FUZZ_CHECK(!error.message.empty(), line);
    FUZZ_CHECK(input_has_secret || line.find(secret_mark) == std::string::npos, line);
    if (root.is_discarded() || !root.is_object()) continue;
    FUZZ_CHECK(!error.path.empty(), line);
    const auto member = first_member(error.path);
    if (member.empty()) continue;  // a quoted key: ["odd key"]
    const bool known = std::find(root_keys.begin(), root_keys.end(), member) != root_keys.end();
    FUZZ_CHECK(known || root.contains(member), line);
  }
}

void check_config(const ferry::config::config& c) {
  std::set<std::string> ids;
  for (const auto& job : c.jobs) {
    FUZZ_CHECK(c.find_source(job.source) != nullptr, job.id + " -> " + job.source);
    FUZZ_CHECK(ids.insert(job.id).second, job.id);
    for (const auto& target : job.targets) FUZZ_CHECK(!target.key.empty(), target.table);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = as_text(data, size);
  const auto result = ferry::config::load_config_text(text, fuzz_env, "/nonexistent/ferry-fuzz");
  FUZZ_CHECK(result.value.has_value() == result.errors.empty(), std::to_string(result.errors.size()));
  check_errors(text, result);
  if (result.value) check_config(*result.value);
  return 0;
}
