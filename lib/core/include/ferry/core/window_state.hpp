#pragma once
// What ferry's window ledger says of one window of a run, in ferry_windows'
// `state` column and in the admin API's ?state= filter: one spelling, one
// parser. Pure; thread-safe.
#include <array>
#include <optional>
#include <string_view>

namespace ferry::core {

enum class window_state { complete, incomplete, failed };

inline constexpr std::array<window_state, 3> all_window_states{window_state::complete, window_state::incomplete,
                                                                window_state::failed};

constexpr std::string_view to_string(window_state s) {
  switch (s) {
    case window_state::complete: return "complete";
    case window_state::incomplete: return "incomplete";
    case window_state::failed: return "failed";
  }
  return "failed";
}

// "complete", "incomplete" or "failed"; nullopt for anything else.
constexpr std::optional<window_state> parse_window_state(std::string_view text) {
  for (const auto s : all_window_states)
    if (text == to_string(s)) return s;
  return std::nullopt;
}

}  // namespace ferry::core
