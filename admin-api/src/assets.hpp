#pragma once
// The status page's files, compiled into ferryd by assets/embed.cmake (the
// generated assets_data.cpp defines embedded_assets()). Immutable data, safe
// from any thread.
#include <span>
#include <string_view>

namespace ferry::admin::detail {

struct embedded_asset {
  std::string_view name;          // "status.js" under /static/; "" is the page itself (GET /)
  std::string_view content_type;  // "text/javascript; charset=utf-8", ...
  std::string_view body;
  std::string_view version;       // the ?v= the page links it with (a content hash); "" for the page
};

std::span<const embedded_asset> embedded_assets();

// The asset called `name` ("" for the page), or null.
const embedded_asset* find_asset(std::string_view name);

}  // namespace ferry::admin::detail
