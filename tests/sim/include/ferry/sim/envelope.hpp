#pragma once
// The JSON answers of jst-sim's business endpoints: pages in each envelope
// shape the real platform uses, refusals, and the token answer.
// Pure functions; thread-safe.
#include "ferry/sim/store.hpp"

#include <string>
#include <string_view>

namespace ferry::sim {

struct endpoint_spec;  // ferry/sim/catalogue.hpp

enum class envelope_shape {
  standard,  // {"code","msg","data":{page fields, LIST:[...]}}
  bare,      // {"code","msg","data":[...]}, no page fields
  toplevel,  // {"code","msg","issuccess":true, page fields, LIST:[...]}
};

// How a page with no rows says so in the bare shape: "data": null (what live
// /open/webapi answers do), "data": [], or no "data" at all.
enum class empty_data { null, array, omit };

struct envelope_style {
  envelope_shape shape = envelope_shape::standard;
  bool omit_has_next = false;
  bool omit_counts = false;  // no data_count and page_count (店铺查询 answers page fields and has_next only)
  empty_data empty = empty_data::null;
};

inline constexpr std::string_view success_msg = "执行成功";

// A successful page; `list_key` is "datas" or "orders".
std::string render_page(const envelope_style& style, std::string_view list_key, const page_rows& page,
                        std::int64_t page_index, std::int64_t page_size);

// A page of a catalogue endpoint, in its documented envelope with exactly
// its documented page fields (a bare page without rows as `empty` says).
// `shape` is spec.envelope, or its alternative (--alternative-envelopes).
std::string render_catalogue_page(const endpoint_spec& spec, std::string_view shape, const page_rows& page,
                                  std::int64_t page_index, std::int64_t page_size, empty_data empty);

// {"code":code,"msg":msg,"data":null}
std::string render_refusal(int code, std::string_view msg);

// The answer of /openWeb/auth/refreshToken.
std::string render_tokens(std::string_view access_token, std::string_view refresh_token,
                          std::int64_t expires_in);

}  // namespace ferry::sim
