#pragma once
// Builds signed request bodies the way a Jushuitan client does, for jst-sim's
// integration tests and load tool. Pure functions; thread-safe.
#include "ferry/core/time.hpp"
#include "ferry/sim/options.hpp"

#include <string>
#include <string_view>

namespace ferry::sim {

// The form body of a business call: app_key, access_token, timestamp,
// charset=utf-8, version=2, biz and sign (keep-empties rule).
std::string signed_business_body(const credentials& creds, std::string_view access_token, std::string_view biz,
                                 core::sys_seconds now);

// The form body of /openWeb/auth/refreshToken with `refresh_token`.
std::string signed_refresh_body(const credentials& creds, std::string_view refresh_token, core::sys_seconds now);
// A getInitToken form with `code` (any six characters).
std::string signed_init_token_body(const credentials& creds, std::string_view code, core::sys_seconds now);

}  // namespace ferry::sim
