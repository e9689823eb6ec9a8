// Fuzz target: the Jushuitan envelope parser (parse_envelope), which turns
// every response body ferry fetches into records, paging fields or an API
// error. Input: the body, optionally after a first line "@<list_key>" (the
// job's list_key; "datas" otherwise). Invariants: it never throws; a body
// that is not JSON is malformed; a refusal has a non-zero code; a malformed
// answer says why; a page's records survive ferry's exact JSON writer
// unchanged (what the sink and the dead-letter table store), and a bare
// "data" list gives all of its elements.
#include "fuzz_check.hpp"

#include "ferry/json/exact.hpp"
#include "ferry/json/tape.hpp"
#include "ferry/source/jushuitan/envelope.hpp"

#include <optional>
#include <string>

namespace {

namespace jst = ferry::source::jushuitan;
using ferry::fuzz::as_text;

struct input {
  std::string_view list_key = "datas";
  std::string_view body;
};

input split(std::string_view text) {
  input in{"datas", text};
  if (text.starts_with('@')) {
    const auto end = text.find('\n');
    if (end != std::string_view::npos) in = {text.substr(1, end - 1), text.substr(end + 1)};
  }
  return in;
}

std::optional<nlohmann::json> reparse(std::string_view body) {
  try {
    return ferry::json::parse_exact(body);
  } catch (const ferry::json::parse_error&) {
    return std::nullopt;
  }
}

void check_page(const jst::page& p, const nlohmann::json& doc) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto record = p.record(i);
    const auto written = ferry::json::dump_exact(record);
    FUZZ_CHECK(ferry::json::parse_exact(written) == record, written);
  }
  const auto data = doc.find("data");
  if (data != doc.end() && data->is_array()) {
    FUZZ_CHECK(p.size() == data->size(), data->dump());
    for (std::size_t i = 0; i < p.size(); ++i) FUZZ_CHECK(p.record(i) == (*data)[i], data->dump());
  }
}

// The page's tape against the nlohmann roads: the fast parser (simdjson), the
// SAX reference and parse_exact accept the same texts, and agree on them.
void check_tape(std::string_view body, const std::optional<nlohmann::json>& doc) {
  std::optional<ferry::json::tape> fast, reference;
  try {
    fast = ferry::json::parse_tape(body);
  } catch (const ferry::json::parse_error&) {
  }
  try {
    reference = ferry::json::parse_tape_reference(body);
  } catch (const ferry::json::parse_error&) {
  }
  const std::string text{body};
  FUZZ_CHECK(fast.has_value() == doc.has_value(), text);
  FUZZ_CHECK(reference.has_value() == doc.has_value(), text);
  if (const auto simd = ferry::json::parse_tape_simd(body)) {
    FUZZ_CHECK(doc.has_value(), text);
    FUZZ_CHECK(reference && *simd == *reference, text);
  }
  if (!doc) return;
  FUZZ_CHECK(*fast == *reference, text);
  FUZZ_CHECK(fast->to_json(0) == *doc, text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = split(as_text(data, size));
  const auto result = jst::parse_envelope(in.body, in.list_key);
  const auto doc = reparse(in.body);
  check_tape(in.body, doc);
  if (const auto* bad = std::get_if<jst::malformed>(&result)) {
    FUZZ_CHECK(!bad->reason.empty(), in.body);
    FUZZ_CHECK(doc.has_value() || bad->reason.starts_with("not JSON"), bad->reason);
    return 0;
  }
  FUZZ_CHECK(doc.has_value(), in.body);
  if (const auto* refusal = std::get_if<jst::api_error>(&result)) {
    FUZZ_CHECK(refusal->code != 0, in.body);
    return 0;
  }
  check_page(std::get<jst::page>(result), *doc);
  return 0;
}
