#pragma once
// What ferry knows about Jushuitan endpoints, as data: the page size cap and
// the widest time window each accepts (the API answers code 140 past it).
// Config validation uses it for defaults and limits. Pure; thread-safe.
#include <chrono>
#include <span>
#include <string_view>

namespace ferry::config {

struct endpoint_limits {
  std::string_view api;          // path, e.g. "/open/orders/single/query"
  std::string_view description;  // for messages and docs
  int max_page_size = 0;
  std::chrono::milliseconds max_span{};  // the documented cap of a window ("at most 30 days")
  std::string_view list_key = "datas";   // the member of `data` holding the rows
  // The row-version cursor (docs/configuration.md, "Cursor"): the request
  // field taking it ("" when the endpoint has none), whether the request has
  // is_get_total, and whether the rows carry the version (`ts`) that moves it.
  std::string_view cursor_field = "";
  bool total_field = false;
  bool rows_have_ts = false;
  // Whether its answers carry data_count (to prove a cursor walk by), asked
  // for by is_get_total or not.
  bool answers_count = false;
  // The span ferry uses when the job sets none: a day under the cap, since
  // whether a window of exactly the cap is accepted is not documented.
  // (An hour under a cap of one day.)
  std::chrono::milliseconds default_span() const {
    return max_span > std::chrono::days{1} ? max_span - std::chrono::days{1} : max_span - std::chrono::hours{1};
  }
};

// Used for endpoints not in the table: page_size up to 1000 (the widest cap
// seen; the API refuses more), a default window span of 6 days (most
// queries cap windows at 7) and no span cap.
inline constexpr int unknown_endpoint_max_page_size = 1000;
inline constexpr std::chrono::milliseconds unknown_endpoint_default_span = std::chrono::days{6};

std::span<const endpoint_limits> known_endpoints();

// The limits of `api`, or nullptr when ferry does not know it.
const endpoint_limits* find_endpoint(std::string_view api);

}  // namespace ferry::config
