#pragma once
// jst-sim's settings, parsed from its command line (Boost.Program_options).
// Plain data; the parser is a pure function of argv and the start instant.
#include "ferry/sim/dataset.hpp"
#include "ferry/sim/envelope.hpp"
#include "ferry/sim/faults.hpp"
#include "ferry/sim/query.hpp"
#include "ferry/source/jushuitan/signing.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace ferry::sim {

struct credentials {
  std::string app_key = "demo";
  std::string app_secret = "demo-secret";
  std::string access_token = "demo-access-token";
  std::string refresh_token = "demo-refresh-token";
};

// Self-built (自研) apps refresh and mint tokens; service-provider (服务商)
// apps are refused every refresh (code 150, since 2023-08-15).
enum class app_kind { self_built, isv };

struct sim_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  credentials creds;
  std::chrono::seconds timestamp_tolerance{600};
  source::jushuitan::empty_fields empties = source::jushuitan::empty_fields::keep;
  data_options data;
  std::int64_t limit_per_second = 5;
  std::int64_t limit_per_minute = 100;
  // The documented shapes: the flow query answers a bare array (no page
  // fields, "data": null when empty), orders the standard envelope.
  envelope_style flow_envelope{envelope_shape::bare};
  envelope_style orders_envelope{envelope_shape::standard};
  // 店铺查询 as the SDK's model has it: page_index, page_size, has_next, datas.
  envelope_style shops_envelope{envelope_shape::standard, false, true};
  fault_settings faults;
  // The order of a start_ts query's rows: no source says they come by ts.
  ts_order cursor_order = ts_order::o_id;
  // Rows of each catalogue endpoint served from its spec (per value of a per-value field).
  std::int64_t catalogue_rows = 200;
  // Where sources disagree on an answer's shape (the in/out water query: the
  // SDK's top level, carp's data{...}), answer in the other one.
  bool alternative_envelopes = false;
  // A window of exactly an endpoint's documented cap ("at most 30 days"): the
  // docs do not say whether it is taken; refused by default, the stricter way.
  bool accept_cap_edge = false;
  std::chrono::milliseconds fault_delay{35000};
  std::chrono::seconds token_ttl{std::chrono::days{30}};  // expires_in: 2592000, as documented
  bool refresh_outlives = false;  // the refresh token stays good past the access token's expiry
  app_kind kind = app_kind::self_built;
  bool token_calls_limited = true;  // refreshToken and getInitToken count against the limits
  // Accounts (app keys) served, each with its own secret, tokens and limits;
  // the first is `creds`, account k (from 2) adds "-k" to each of its values.
  std::int64_t accounts = 1;
};

// The credentials of every account `o` serves, the first being o.creds.
std::vector<credentials> account_credentials(const sim_options& o);

// What `jst-sim truth` prints.
struct truth_request {
  endpoint_kind endpoint = endpoint_kind::flow;
  time_window window;
};

enum class run_mode { serve, truth, help };

struct command_line {
  run_mode mode = run_mode::serve;
  sim_options options;
  truth_request truth;
  std::string help;  // the --help text when mode is help
};

// A command line that cannot be used; what() says which flag and why.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses `jst-sim [flags]` or `jst-sim truth --endpoint P --from T --to T [flags]`.
// Times ("now", "now-2h", "yyyy-MM-dd HH:mm:ss") are evaluated against `now`.
command_line parse_command_line(int argc, const char* const argv[], sys_seconds now);

// "now", "now-<duration>" or an Asia/Shanghai datetime; nullopt when none of them.
std::optional<sys_seconds> parse_time_flag(std::string_view text, sys_seconds now);

// The endpoint of a business path, or nullopt for any other path.
std::optional<endpoint_kind> endpoint_of(std::string_view path);

inline constexpr std::string_view flow_path = "/open/webapi/wmsapi/skusn/queryinoutitemskusns";
inline constexpr std::string_view orders_path = "/open/orders/single/query";
inline constexpr std::string_view shops_path = "/open/shops/query";
inline constexpr std::string_view refresh_path = "/openWeb/auth/refreshToken";
inline constexpr std::string_view init_token_path = "/openWeb/auth/getInitToken";

}  // namespace ferry::sim
