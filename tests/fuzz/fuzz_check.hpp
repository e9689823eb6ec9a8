#pragma once
// What every fuzz target shares: the libFuzzer entry point's declaration and
// FUZZ_CHECK, which ends the process (a crash to libFuzzer, a failed test to
// the replay runner) when an invariant of the code under test is broken.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace ferry::fuzz {

[[noreturn]] inline void broken(const char* what, const char* file, int line, std::string_view detail) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n  %.*s\n", file, line, what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace ferry::fuzz

// Checks `condition`; `detail` (a string_view-convertible) is printed when it fails.
#define FUZZ_CHECK(condition, detail) \
  ((condition) ? void(0) : ::ferry::fuzz::broken(#condition, __FILE__, __LINE__, (detail)))
