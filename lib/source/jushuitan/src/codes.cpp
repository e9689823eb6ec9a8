#include "ferry/source/jushuitan/codes.hpp"

#include <array>
#include <cctype>

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
     "add the address the platform sees to the app's IP whitelist on the Jushuitan open platform; calls "
     "through a proxy (the source's proxy, HTTPS_PROXY) come from the proxy's egress address: check the "
     "whitelist and the proxy"},
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

std::optional<std::string> address_in(std::string_view message) {
  // The first run of digits and dots shaped like an IPv4 address.
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] < '0' || message[i] > '9' || (i > 0 && (std::isalnum(static_cast<unsigned char>(message[i - 1])) ||
                                                           message[i - 1] == '.')))
      continue;
    std::size_t end = i, dots = 0, digits = 0;
    bool ok = true;
    while (end < message.size() && (std::isdigit(static_cast<unsigned char>(message[end])) || message[end] == '.')) {
      if (message[end] == '.') {
        ok = ok && digits > 0 && digits <= 3;
        ++dots;
        digits = 0;
      } else {
        ++digits;
      }
      ++end;
    }
    if (ok && dots == 3 && digits > 0 && digits <= 3) return std::string{message.substr(i, end - i)};
    i = end;
  }
  return std::nullopt;
}

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
