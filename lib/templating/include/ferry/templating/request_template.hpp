#pragma once
// A job's request parameters (the `biz` object of a Jushuitan call), compiled
// from the config's `request`: either a plain JSON object
//   {"create_time_start": "{{LAST_SYNC_TIME|datetime}}", "wms_co_id": 12345}
// or a QEasy list
//   [{"field": "create_time_start", "label": "...", "type": "datetime",
//     "value": "{{LAST_SYNC_TIME|datetime}}", "describe": "..."}, ...].
// Strings are templates (see template.hpp); other JSON values are sent as
// written. Field order is kept. Built once at config load, then immutable:
// render() is thread-safe.
#include "ferry/templating/template.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace ferry::templating {

// One request parameter: a template that needs rendering, or a JSON value
// sent as is (numbers, booleans, arrays, objects, null and plain strings).
struct request_field {
  std::string name;
  std::variant<compiled_value, nlohmann::ordered_json> value;
};

// The paging entries of a QEasy source's request list (page_index,
// page_size), which ferry reads instead of sending: their values as written
// and where they were.
struct paging_entries {
  struct entry {
    std::string value;  // "1000", "{{PAGINATION_PAGE_SIZE}}", ...
    std::size_t index = 0;
  };
  std::optional<entry> page_index, page_size;
};

class request_template {
 public:
  request_template() = default;

  // Compiles `request`. Errors name their path below `path` ("jobs[0].request[1].value")
  // and are appended to `errors`; then the result is nullopt.
  //
  // QEasy list rules: `field` and `value` are required; `label`, `describe`,
  // `is_required`, `id` and `parent` are ignored, `children` must be empty
  // and `parser` is refused (ferry has no value parsers); an entry whose value is "" or null is left out of the request.
  // `type` is optional; "int", "integer", "long" and "number" turn a string of
  // digits into a JSON number (a template there must be a whole-value
  // timestamp or timestamp_ms), "bool"/"boolean" turn "true"/"false" into a
  // JSON boolean, every other known type leaves the value as written.
  // In both forms field names must be unique and page_index/page_size are
  // refused: the engine sets them; unless `paging` is given (a QEasy
  // source block), which then receives them.
  static std::optional<request_template> from_json(const nlohmann::ordered_json& request,
                                                   std::string_view path,
                                                   std::vector<template_error>& errors,
                                                   paging_entries* paging = nullptr);

  // The `biz` object for one window, fields in the order they were written.
  nlohmann::ordered_json render(const template_context& context) const;

  // True when some field takes LAST_SYNC_TIME or CURRENT_TIME.
  bool has_window_fields() const;

  std::vector<std::string> field_names() const;
  const std::vector<request_field>& fields() const { return fields_; }

 private:
  std::vector<request_field> fields_;
};

// The QEasy `type` values a request entry may carry, for hints and docs.
std::string_view valid_field_types_hint();

}  // namespace ferry::templating
