// Fuzz target: the request template compiler and renderer (ferry::templating),
// which turn a job's `request` into the `biz` of every call. The input is
// compiled as one template string and, when it is a JSON object or array,
// also as a whole `request` (plain object or QEasy list); both are rendered
// for three windows (2026, the Unix epoch, the last day of 9999). Invariants: no
// exception; a refused template says why and how to fix it; an accepted one
// keeps its text, renders a placeholder-free text as itself, never leaves
// "{{" or "}}" behind, and renders a lone placeholder to the instant it names
// (datetime read back by core::parse_shanghai_datetime); a request either
// compiles or reports errors below its path, and renders its fields in order.
#include "fuzz_check.hpp"

#include "ferry/core/time.hpp"
#include "ferry/templating/request_template.hpp"
#include "ferry/templating/template.hpp"

#include <array>
#include <string>

namespace {

namespace tpl = ferry::templating;
using ferry::fuzz::as_text;
using std::chrono::sys_seconds;

constexpr sys_seconds at(long long seconds) { return sys_seconds{std::chrono::seconds{seconds}}; }

const std::array<tpl::template_context, 3> contexts{{
    {at(1767196800), at(1767801600), at(1767801660)},        // 2026-01-01 .. 2026-01-08 (UTC)
    {at(0), at(0), at(0)},                                   // the epoch; DAYS_AGO reaches into the 1960s
    {at(253402185600), at(253402271999), at(253402271999)},  // 9999-12-31, Beijing time: the latest a config can name
}};

sys_seconds instant(const tpl::placeholder& p, const tpl::template_context& c) {
  switch (p.name) {
    case tpl::time_name::last_sync_time: return c.window_start;
    case tpl::time_name::current_time: return c.window_end;
    case tpl::time_name::days_ago: return c.now - std::chrono::days{p.days};
  }
  return c.now;
}

// A template that is one placeholder renders exactly the instant it names.
void check_lone_placeholder(const tpl::placeholder& p, const tpl::compiled_value& value,
                            const tpl::template_context& c) {
  const auto t = instant(p, c);
  const auto text = tpl::render_text(value, c);
  const auto seconds = t.time_since_epoch().count();
  switch (p.format) {
    case tpl::time_format::datetime:
      FUZZ_CHECK(ferry::core::parse_shanghai_datetime(text) == t, text);
      break;
    case tpl::time_format::date:
      FUZZ_CHECK(text == ferry::core::format_shanghai_datetime(t).substr(0, 10), text);
      break;
    case tpl::time_format::timestamp:
      FUZZ_CHECK(tpl::render(value, c) == seconds, text);
      break;
    case tpl::time_format::timestamp_ms:
      FUZZ_CHECK(tpl::render(value, c) == seconds * 1000, text);
      break;
  }
}

void check_string(std::string_view text) {
  tpl::template_error error;
  const auto value = tpl::compile(text, error);
  if (!value) {
    FUZZ_CHECK(!error.message.empty() && !error.hint.empty(), text);
    return;
  }
  FUZZ_CHECK(value->text() == text, text);
  for (const auto& c : contexts) {
    const auto rendered = tpl::render_text(*value, c);
    FUZZ_CHECK(rendered.find("{{") == std::string::npos && rendered.find("}}") == std::string::npos, rendered);
    if (!value->has_placeholders()) FUZZ_CHECK(rendered == text, rendered);
    const auto& pieces = value->pieces();
    if (pieces.size() == 1 && std::holds_alternative<tpl::placeholder>(pieces.front()))
      check_lone_placeholder(std::get<tpl::placeholder>(pieces.front()), *value, c);
  }
}

void check_request(const nlohmann::ordered_json& request) {
  constexpr std::string_view path = "jobs[0].request";
  std::vector<tpl::template_error> errors;
  const auto compiled = tpl::request_template::from_json(request, path, errors);
  FUZZ_CHECK(compiled.has_value() == errors.empty(), request.dump());
  for (const auto& e : errors) {
    FUZZ_CHECK(!e.message.empty(), e.path);
    FUZZ_CHECK(e.path.starts_with(path), e.path);
  }
  if (!compiled) return;
  const auto names = compiled->field_names();
  for (const auto& c : contexts) {
    const auto biz = compiled->render(c);
    FUZZ_CHECK(biz.is_object() && biz.size() == names.size(), biz.dump());
    std::size_t i = 0;
    for (const auto& [key, unused] : biz.items()) FUZZ_CHECK(key == names[i++], key);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = as_text(data, size);
  check_string(text);
  const auto request = nlohmann::ordered_json::parse(text, nullptr, false);
  if (request.is_object() || request.is_array()) check_request(request);
  return 0;
}
