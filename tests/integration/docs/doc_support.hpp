#pragma once
// What the docs tests share: the pages, reading files, running bash.
#include "support/child_process.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ferry::test::docs {

inline const std::filesystem::path repo{FERRY_SOURCE_DIR};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// README.md and every docs/*.md, as paths relative to the repository, sorted.
inline std::vector<std::string> doc_pages() {
  std::vector<std::string> pages{"README.md"};
  for (const auto& entry : std::filesystem::directory_iterator{repo / "docs"})
    if (entry.path().extension() == ".md") pages.push_back("docs/" + entry.path().filename().string());
  std::sort(pages.begin() + 1, pages.end());
  return pages;
}

inline std::string single_quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

// Runs `script` in bash; its exit code and stdout.
inline std::pair<int, std::string> run_bash(const std::string& script) {
  using namespace std::chrono_literals;
  ferry::test_support::child_process bash{"/bin/bash", {"-c", script}};
  auto out = bash.read_all(60s);
  const auto status = bash.wait_for(60s);
  return {status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, std::move(out)};
}

}  // namespace ferry::test::docs
