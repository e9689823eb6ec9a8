#pragma once
// Request templates in the QEasy (轻易云) dialect: "{{LAST_SYNC_TIME|datetime}}",
// "{{CURRENT_TIME|timestamp_ms}}", "{{DAYS_AGO_1|date}}", alone or inside text
// ("since {{LAST_SYNC_TIME|date}}"). A string is compiled once, when the config
// is loaded, and rendered for every window. Pure: the instants come from the
// caller's template_context, never from a clock. Thread-safe (values are
// immutable once compiled).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace ferry::templating {

// The instants a template may name. `now` is the run's clock reading, used by
// DAYS_AGO_N only; the window bounds are what LAST_SYNC_TIME/CURRENT_TIME mean.
struct template_context {
  std::chrono::sys_seconds window_start;
  std::chrono::sys_seconds window_end;
  std::chrono::sys_seconds now;
};

enum class time_name {
  last_sync_time,  // LAST_SYNC_TIME: the window's start
  current_time,    // CURRENT_TIME: the window's end
  days_ago,        // DAYS_AGO_N: now minus N whole days
};

enum class time_format {
  datetime,      // "yyyy-MM-dd HH:mm:ss", Asia/Shanghai wall time
  date,          // "yyyy-MM-dd", Asia/Shanghai
  timestamp,     // Unix seconds
  timestamp_ms,  // Unix milliseconds
};

struct placeholder {
  time_name name = time_name::current_time;
  int days = 0;  // DAYS_AGO_N's N, 0..3650
  time_format format = time_format::datetime;
};

// What a template could not be compiled for: a message that quotes the
// offending "{{...}}" and a hint that lists what is valid.
struct template_error {
  std::string path;       // where in the config, filled in by request_template
  std::size_t entry = 0;  // index of the request entry (list element or object key)
  std::string message;
  std::string hint;
};

// A compiled template string: literal pieces and placeholders in order.
class compiled_value {
 public:
  using piece = std::variant<std::string, placeholder>;

  const std::string& text() const { return text_; }
  const std::vector<piece>& pieces() const { return pieces_; }
  bool has_placeholders() const;

 private:
  friend std::optional<compiled_value> compile(std::string_view text, template_error& error);
  std::string text_;
  std::vector<piece> pieces_;
};

// Compiles `text`. On failure returns nullopt and fills error.message/hint.
std::optional<compiled_value> compile(std::string_view text, template_error& error);

// Renders to a JSON value: a number when the whole text is one timestamp or
// timestamp_ms placeholder, a string otherwise.
nlohmann::json render(const compiled_value& value, const template_context& context);

// Renders to text whatever the formats are.
std::string render_text(const compiled_value& value, const template_context& context);

// True when LAST_SYNC_TIME or CURRENT_TIME appears, i.e. the value moves with the window.
bool uses_window(const compiled_value& value);

// The names and formats, for hints and docs.
std::string_view valid_names_hint();
std::string_view valid_formats_hint();

}  // namespace ferry::templating
