#pragma once
// "Did you mean ...?" for names a user mistyped: config keys, template names.
// Pure; thread-safe.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ferry::templating {

// The candidate closest to `word` by edit distance (insertions, deletions,
// substitutions and swaps of neighbours, case-insensitive), if it is close
// enough to be a plausible typo: at most a third of the word's length, and at
// least 1. Ties go to the earliest candidate.
std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates);

// Joins names with ", " for hints: "a, b, c".
std::string join_names(std::span<const std::string_view> names);

}  // namespace ferry::templating
