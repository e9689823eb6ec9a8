#pragma once
// ferry's version, as configured by CMake from project(VERSION) and git.
#include <string_view>

namespace ferry::core {

// "0.1.0" — the release version.
std::string_view version();

// "abc1234" (git describe) when built from a git checkout, else "".
std::string_view git_describe();

// "0.1.0 (git abc1234)" when built from a git checkout, else the version.
std::string_view version_long();

}  // namespace ferry::core
