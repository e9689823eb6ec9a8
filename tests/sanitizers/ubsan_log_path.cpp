// Linked into every binary of a FERRY_SANITIZE=address,undefined build (see
// cmake/sanitizers.cmake), so that UBSan honours log_path like ASan does.
//
// g++ links ASan and UBSan as two shared runtimes, each with its own report
// file. At start-up libubsan passes UBSAN_OPTIONS' log_path to
// __sanitizer_set_report_path, but that call binds to libasan's export of the
// same name, so libubsan's own report file stays stderr. A report on stderr is
// lost whenever a test drops a child's stderr; deploy/test.sh collects report
// files instead. This constructor hands log_path to libubsan's own copy.
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

// The value of `log_path=` in a sanitizer option string such as
// "print_stacktrace=1:log_path=/x/report:log_exe_name=1"; empty when absent.
std::string log_path_in(std::string_view options) {
  constexpr std::string_view key = "log_path=";
  for (std::size_t at = 0; at <= options.size();) {
    const std::size_t end = std::min(options.find(':', at), options.size());
    const std::string_view option = options.substr(at, end - at);
    if (option.substr(0, key.size()) == key) return std::string{option.substr(key.size())};
    at = end + 1;
  }
  return {};
}

__attribute__((constructor)) void point_ubsan_at_log_path() {
  const char* options = std::getenv("UBSAN_OPTIONS");
  if (options == nullptr) return;
  const std::string path = log_path_in(options);
  if (path.empty()) return;
  void* ubsan = ::dlopen("libubsan.so.1", RTLD_LAZY | RTLD_NOLOAD);
  if (ubsan == nullptr) return;
  using set_report_path = void (*)(const char*);
  if (auto set = reinterpret_cast<set_report_path>(::dlsym(ubsan, "__sanitizer_set_report_path"))) set(path.c_str());
  ::dlclose(ubsan);
}

}  // namespace
