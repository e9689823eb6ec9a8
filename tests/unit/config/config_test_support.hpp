#pragma once
// Helpers shared by the config tests: a fake environment, the documented
// example as a mutable document, and a scratch folder for *_file secrets.
#include "ferry/config/load.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace ferry::config::test {

using document = nlohmann::ordered_json;

// An environment holding exactly `vars`.
env_lookup fake_env(std::map<std::string, std::string> vars);

// The environment the documented example needs.
env_lookup example_env();

// The documented example of issue 3 (docs/configuration.md), as text and as a document.
extern const char* const documented_example;
document example_document();

// Loads `doc` with example_env() from `base_dir`.
load_result load(const document& doc, const std::filesystem::path& base_dir = "/nonexistent");
load_result load_text(std::string_view text, const std::filesystem::path& base_dir = "/nonexistent");

// The example with `change` applied; REQUIREs exactly one error and returns it.
config_error single_error(const std::function<void(document&)>& change);

// A fresh folder under the system temp dir, removed when the object dies.
class scratch_dir {
 public:
  scratch_dir();
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace ferry::config::test
