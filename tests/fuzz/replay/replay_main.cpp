// Runs a fuzz target's LLVMFuzzerTestOneInput over every file of the
// directories given (the seed corpus, then the regressions), so the ordinary
// build checks each target's invariants on every input kept. A broken
// invariant aborts (the test fails); a missing directory or no input at all
// fails too, so the test cannot pass by finding nothing.
#include "../fuzz_check.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> inputs_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && !entry.path().filename().string().starts_with('.')) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void replay(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  const std::vector<char> bytes{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  std::cout << "replay " << file.string() << " (" << bytes.size() << " bytes)" << std::endl;
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path dir{argv[i]};
    if (!fs::is_directory(dir)) {
      std::cerr << "replay: " << dir.string() << " is not a directory\n";
      return 2;
    }
    for (const auto& file : inputs_in(dir)) {
      replay(file);
      ++replayed;
    }
  }
  if (replayed == 0) {
    std::cerr << "replay: no inputs\n";
    return 2;
  }
  std::cout << "replay: " << replayed << " inputs, every invariant held\n";
  return 0;
}
