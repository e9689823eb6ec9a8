#include "process.hpp"

#include "families.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace ferry::metrics::detail {
namespace {

// One unlabelled series of a new family.
template <class Builder>
auto& one(Builder builder, prometheus::Registry& registry, const char* name, const char* help) {
  return add(builder, registry, name, help).Add({});
}

// The fields of /proc/self/stat after the command name (which may hold spaces):
// [0] is field 3 (state), so field N is at [N - 3].
std::vector<std::string> stat_fields() {
  std::ifstream in{"/proc/self/stat"};
  std::string text;
  std::getline(in, text);
  const auto close = text.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream rest{text.substr(close + 1)};
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

// The system's boot time, Unix seconds ("btime" of /proc/stat); 0 if unknown.
double boot_time() {
  std::ifstream in{"/proc/stat"};
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double value = 0;
      in >> value;
      return value;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

}  // namespace

process_metrics::process_metrics(prometheus::Registry& r)
    : cpu_(one(prometheus::BuildCounter(), r, "process_cpu_seconds_total",
               "Total user and system CPU time spent in seconds.")),
      resident_(one(prometheus::BuildGauge(), r, "process_resident_memory_bytes", "Resident memory size in bytes.")),
      virtual_(one(prometheus::BuildGauge(), r, "process_virtual_memory_bytes", "Virtual memory size in bytes.")),
      open_fds_(one(prometheus::BuildGauge(), r, "process_open_fds", "Number of open file descriptors.")),
      max_fds_(one(prometheus::BuildGauge(), r, "process_max_fds", "Maximum number of open file descriptors.")),
      start_time_(one(prometheus::BuildGauge(), r, "process_start_time_seconds",
                      "Start time of the process since unix epoch in seconds.")) {
  refresh();
}

void process_metrics::refresh() {
  std::lock_guard lock(mutex_);
  const auto ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const auto page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  const auto f = stat_fields();
  // utime 14, stime 15, starttime 22, vsize 23, rss 24.
  if (f.size() > 24 - 3 && ticks > 0) {
    const double cpu = (std::stod(f[14 - 3]) + std::stod(f[15 - 3])) / ticks;
    if (cpu > cpu_seen_) {
      cpu_.Increment(cpu - cpu_seen_);
      cpu_seen_ = cpu;
    }
    if (const auto boot = boot_time(); boot > 0) start_time_.Set(boot + std::stod(f[22 - 3]) / ticks);
    virtual_.Set(std::stod(f[23 - 3]));
    resident_.Set(std::stod(f[24 - 3]) * page);
  }
  std::error_code ec;
  double fds = 0;
  for (std::filesystem::directory_iterator it{"/proc/self/fd", ec}, end; !ec && it != end; it.increment(ec)) ++fds;
  if (!ec) open_fds_.Set(fds);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) max_fds_.Set(static_cast<double>(limit.rlim_cur));
}

}  // namespace ferry::metrics::detail
