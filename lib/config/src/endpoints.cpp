#include "ferry/config/endpoints.hpp"

#include <array>

namespace ferry::config {
namespace {

using std::chrono::days;

// From jushuitan-api.md: page caps and window limits the platform enforces
// (code 140 past the span). Add an endpoint here when a job needs it.
constexpr std::array<endpoint_limits, 3> table{{
    {"/open/webapi/wmsapi/skusn/queryinoutitemskusns", "the unique-code in/out flow query", 1000, days{30}},
    {"/open/orders/single/query", "the order query", 100, days{7}, "orders"},
    // A master list: no time filter (read by a full refresh), so no span.
    {"/open/shops/query", "the shop query (店铺查询)", 100, days{0}},
}};

}  // namespace

std::span<const endpoint_limits> known_endpoints() { return table; }

const endpoint_limits* find_endpoint(std::string_view api) {
  for (const auto& e : table)
    if (e.api == api) return &e;
  return nullptr;
}

}  // namespace ferry::config
