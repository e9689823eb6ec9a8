#include "ferry/config/load.hpp"

#include <ostream>

namespace ferry::config {
namespace {

std::string counted(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string{n == 1 ? one : many};
}

// "config OK: 1 source (jst), 2 jobs (skusn_inout → bi_skusn_inout; orders → bi_orders, bi_order_items)"
std::string summary(const config& c) {
  std::string sources;
  for (const auto& s : c.sources) sources += (sources.empty() ? "" : ", ") + s.name;
  std::string jobs;
  for (const auto& j : c.jobs) {
    jobs += (jobs.empty() ? "" : "; ") + j.id + (j.enabled ? "" : " (disabled)") + " →";
    for (std::size_t i = 0; i < j.targets.size(); ++i) jobs += (i == 0 ? " " : ", ") + j.targets[i].table;
  }
  return "config OK: " + counted(c.sources.size(), "source", "sources") + " (" + sources + "), " +
         counted(c.jobs.size(), "job", "jobs") + " (" + jobs + ")";
}

}  // namespace

int check_config_main(const std::filesystem::path& file, std::ostream& out, std::ostream& err,
                      const env_lookup& env) {
  const auto result = load_config_file(file, env);
  if (!result.value) {
    for (const auto& e : result.errors) err << e.to_string() << '\n';
    err << counted(result.errors.size(), "error", "errors") << " in " << file.string() << '\n';
    return 2;
  }
  out << summary(*result.value) << '\n';
  for (const auto& job : result.value->jobs) {
    if (!job.qeasy) continue;
    out << "job " << job.id << " from a QEasy pair (ferryd --config FILE --print-job " << job.id
        << " prints the job it became):\n";
    for (const auto& line : job.qeasy->report) out << "  " << line << '\n';
  }
  return 0;
}

}  // namespace ferry::config
