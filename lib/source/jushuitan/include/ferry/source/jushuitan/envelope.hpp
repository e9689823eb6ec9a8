#pragma once
// The answers of the Jushuitan open platform, in every shape it uses:
//   standard  {"code":0,"msg":"执行成功","data":{"page_index",...,"has_next","datas":[...]}}
//   bare      {"code":0,"data":[...]}                       (no paging fields)
//   top level {"code":0,"issuccess":true,"page_index",...,"datas":[...]}
// Code 0 with "data" null or missing (and no list at the top level) is an
// empty page: the documented /open/webapi answers say so for a window with
// no rows. Every answer may carry "requestId" (or "request_id"), the id a
// ticket to the platform cites; it is kept when present.
// The list's key differs per endpoint (datas, orders, ...) and comes from the
// job's config. Paging fields may be numbers or numeric strings, and
// has_next may be missing. Non-integer numbers are kept exact (the answer
// is read into a ferry::json::tape, which reads as parse_exact does). Pure;
// thread-safe.
#include "ferry/json/tape.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ferry::source::jushuitan {

struct page {
  // A parsed answer keeps its records where the parser left them: record i
  // is node rows[i] of *tape, mapped from there with no DOM. A page built
  // by hand (tests, fakes) fills `records` instead and has no tape.
  std::shared_ptr<const ferry::json::tape> tape;
  std::vector<std::uint32_t> rows;
  std::vector<nlohmann::json> records;
  std::optional<std::uint64_t> page_index;
  std::optional<std::uint64_t> page_size;
  std::optional<std::uint64_t> data_count;
  std::optional<std::uint64_t> page_count;
  std::optional<bool> has_next;
  std::string request_id;  // empty when the answer had none

  // How many records the page holds, either way.
  std::size_t size() const noexcept { return tape ? rows.size() : records.size(); }
  // Record i as a DOM, either way.
  nlohmann::json record(std::size_t i) const;
  // Moves every record into `records` as a DOM and drops the tape: for the
  // steps that reshape or add to records.
  void to_dom();
};

// A well-formed refusal: a non-zero code with its message.
struct api_error {
  long long code = 0;
  std::string message;
  std::string request_id;  // empty when the answer had none
};

// A body that is not a Jushuitan answer at all (truncated JSON, no code, no list).
struct malformed {
  std::string reason;
};

using envelope = std::variant<page, api_error, malformed>;

// `readable`: bytes that may be read from body.data(), 0 when unknown; with
// room past the end (an http::client body has it) the page is read where it
// lies, else from a copy (see json::parse_tape).
envelope parse_envelope(std::string_view body, std::string_view list_key, std::size_t readable = 0);

// The answer's requestId ("requestId", or the SDK's "request_id"); "" when none.
std::string request_id_of(const nlohmann::json& body);

}  // namespace ferry::source::jushuitan
