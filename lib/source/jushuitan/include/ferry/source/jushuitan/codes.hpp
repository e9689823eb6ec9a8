#pragma once
// The Jushuitan error-code table, as data: what each code means, how ferry
// reacts (the retry outcome class) and what an operator should do about it.
// Pure; thread-safe.
#include "ferry/retry/policy.hpp"

#include <optional>
#include <span>
#include <string>
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

// The entry for a refusal with its message. Code 100 is two things on the
// platform: the token error ("无效的access_token或access_token已过期") and,
// from /open/webapi endpoints, business validation errors ("上架仓位不能为空").
// Only the token message is token_expired; any other code-100 answer is a
// fatal business error whose message is the platform's.
code_info classify(long long code, std::string_view message);

// The IPv4 address a refusal's message names (code 110 may say which
// address the platform saw), if any.
std::optional<std::string> address_in(std::string_view message);

// Whether a code-100 message speaks of the access token.
bool is_token_message(std::string_view message);

// Whether a refusal of a token refresh says the app may never refresh
// (code 150 "服务商应用禁止刷新access_token": service-provider apps since
// 2023-08-15), so that asking again cannot help.
bool refresh_forbidden(long long code, std::string_view message);

}  // namespace ferry::source::jushuitan
