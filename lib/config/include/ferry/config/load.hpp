#pragma once
// Loading and checking ferry's config file. Every problem is collected, not
// only the first: each error names its JSON path and says how to fix it.
// Secrets are read here (from the environment or files) and never appear in
// an error. Loading is a start-up step: it reads files but touches no network
// or database. Thread-safe as long as `env` is.
#include "ferry/config/config.hpp"

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::config {

// Looks up an environment variable; nullopt when unset. Injected so tests
// never touch the process environment.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (std::getenv).
std::optional<std::string> process_env(std::string_view name);

struct config_error {
  std::string path;     // "jobs[0].targets[0].key"; empty for the file as a whole
  std::string message;  // what is wrong
  std::string hint;     // how to fix it; may be empty

  // "path: message — hint"
  std::string to_string() const;
};

struct load_result {
  std::optional<config> value;       // set exactly when errors is empty
  std::vector<config_error> errors;  // in file order
};

// Reads and validates `file`; relative *_file and ca_file paths are taken
// from the file's directory.
load_result load_config_file(const std::filesystem::path& file, const env_lookup& env = process_env);

// Validates config text; relative paths are taken from `base_dir`.
load_result load_config_text(std::string_view text, const env_lookup& env,
                             const std::filesystem::path& base_dir);

// `ferryd --check-config FILE`: prints every error to `err`, one a line, then
// "N errors in FILE", and returns 2; or prints a one-line summary to `out`
// and returns 0.
int check_config_main(const std::filesystem::path& file, std::ostream& out, std::ostream& err,
                      const env_lookup& env = process_env);

}  // namespace ferry::config
