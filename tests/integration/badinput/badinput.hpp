#pragma once
// What the bad-input tests share: ferryd run with stdout and stderr together,
// and the table of bad configs. Each test reports how many bad inputs it
// tried with a WARN line ("bad inputs tried: config=95").
#include "harness.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ferry::test {

// ferryd's exit code and everything it printed (stdout and stderr).
ferryd_result run_ferryd_all(const std::vector<std::string>& args, std::chrono::seconds timeout);

// Files the config cases point at: a good secret, a missing path, a
// directory (unreadable as a file, even for root) and an empty file.
struct scratch_files {
  std::filesystem::path secret, missing, directory, empty;
};
scratch_files make_scratch_files();

// A bad config: a good one changed by `change_json`, then its text by
// `change_text`; ferryd must exit 2 and print a line that starts with `expect`.
struct config_case {
  std::string name;
  std::string expect;
  std::function<void(nlohmann::ordered_json&)> change_json;
  std::function<std::string(const std::string&)> change_text;
  std::size_t errors = 1;  // how many errors --check-config counts
};
std::vector<config_case> config_cases(const scratch_files& files);

// jst-sim's GET /__sim/bad-records: the rows it serves with a defect.
nlohmann::json sim_bad_records(std::uint16_t sim_port);

}  // namespace ferry::test
