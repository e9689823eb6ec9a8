#include "ferry/source/jushuitan/codes.hpp"

#include <array>

namespace ferry::source::jushuitan {
namespace {

using retry::outcome;

constexpr std::array<code_info, 9> table{{
    {0, outcome::success, "success", ""},
    {10, outcome::fatal, "invalid signature",
     "check the source's app_key and app_secret (app_secret_env / app_secret_file)"},
    {100, outcome::token_expired, "access_token invalid or expired",
     "ferry refreshes it once; if that fails, set a new access and refresh token"},
    {110, outcome::fatal, "caller IP is not on the app's whitelist",
     "add this machine's public IP to the app's whitelist on the Jushuitan open platform"},
    {140, outcome::fatal, "parameters not valid (or the time window is too wide)",
     "check the job's request fields, page_size and window.max_span against the endpoint's limits"},
    {150, outcome::transient, "internal error on the platform", ""},
    {190, outcome::fatal, "no permission for this API (often a wrong path)",
     "check the job's api path and that the app is authorised for it"},
    {199, outcome::throttle, "over 5 calls a second", ""},
    {200, outcome::throttle, "over 100 calls a minute (code 200 is not success)", ""},
}};

}  // namespace

std::span<const code_info> known_codes() { return table; }

bool is_token_message(std::string_view message) {
  return message.find("access_token") != std::string_view::npos || message.find("accesstoken") != std::string_view::npos;
}

bool refresh_forbidden(long long code, std::string_view message) {
  return code == 150 && message.find("禁止刷新") != std::string_view::npos;
}

code_info classify(long long code, std::string_view message) {
  if (code == 100 && !is_token_message(message))
    return {100, outcome::fatal, "the platform refused the request (a business error under code 100)",
            "see the platform's message and requestId; the tokens were not touched"};
  return lookup(code);
}

code_info lookup(long long code) {
  for (const auto& entry : table)
    if (entry.code == code) return entry;
  return {code, outcome::fatal, "unknown error code", "see the platform's answer message; ferry does not retry it"};
}

}  // namespace ferry::source::jushuitan
