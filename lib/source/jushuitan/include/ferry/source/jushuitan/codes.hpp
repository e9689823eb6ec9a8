#pragma once
// The Jushuitan error-code table, as data: what each code means, how ferry
// reacts (the retry outcome class) and what an operator should do about it.
// Pure; thread-safe.
#include "ferry/retry/policy.hpp"

#include <span>
#include <string_view>

namespace ferry::source::jushuitan {

struct code_info {
  long long code;
  retry::outcome outcome;
  std::string_view meaning;
  std::string_view hint;  // what to do; empty when ferry handles it alone
};

// Every code ferry knows. Unknown non-zero codes are fatal: ferry never
// hammers an API with a request it does not understand the refusal of.
std::span<const code_info> known_codes();

// The entry for `code`, or one built for an unknown code.
code_info lookup(long long code);

}  // namespace ferry::source::jushuitan
