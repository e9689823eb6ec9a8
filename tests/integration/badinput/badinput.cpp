#include "badinput.hpp"

#include <sys/wait.h>

#include <fstream>

namespace ferry::test {

ferryd_result run_ferryd_all(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  // The shell only joins stderr to stdout and then becomes ferryd.
  std::vector<std::string> shell_args{"-c", "exec \"$0\" \"$@\" 2>&1", FERRYD_PATH};
  shell_args.insert(shell_args.end(), args.begin(), args.end());
  test_support::child_process ferryd{"/bin/sh", shell_args};
  ferryd_result result;
  try {
    result.out = ferryd.read_all(timeout);
  } catch (const std::runtime_error&) {
    result.out = "(still running after " + std::to_string(timeout.count()) + " s)";
    ferryd.stop();
    return result;
  }
  const auto status = ferryd.wait_for(std::chrono::seconds{10});
  if (status && WIFEXITED(*status)) result.exit_code = WEXITSTATUS(*status);
  else if (status && WIFSIGNALED(*status)) result.exit_code = -WTERMSIG(*status);
  return result;
}

scratch_files make_scratch_files() {
  const auto dir = std::filesystem::temp_directory_path() / "ferry-badinput";
  std::filesystem::create_directories(dir / "a_directory");
  scratch_files files{dir / "secret", dir / "no_such_file", dir / "a_directory", dir / "empty"};
  std::ofstream{files.secret} << "demo-secret\n";
  std::ofstream{files.empty};
  std::filesystem::remove(files.missing);
  return files;
}

nlohmann::json sim_bad_records(std::uint16_t sim_port) {
  test_support::http_client client{"127.0.0.1", sim_port};
  const auto r = client.get("/__sim/bad-records");
  if (!r.ok() || r.response.status != 200) throw std::runtime_error("bad-records failed: " + r.response.body);
  return nlohmann::json::parse(r.response.body);
}

}  // namespace ferry::test
