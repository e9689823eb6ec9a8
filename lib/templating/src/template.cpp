#include "ferry/templating/template.hpp"

#include "ferry/core/time.hpp"
#include "ferry/templating/suggest.hpp"

#include <array>
#include <charconv>

namespace ferry::templating {
namespace {

using core::sys_seconds;

constexpr std::string_view open_mark = "{{";
constexpr std::string_view close_mark = "}}";
constexpr std::string_view days_ago_prefix = "DAYS_AGO_";
constexpr int max_days_ago = 3650;

constexpr std::array<std::string_view, 3> name_spellings{"LAST_SYNC_TIME", "CURRENT_TIME", "DAYS_AGO_N"};
constexpr std::array<std::string_view, 4> format_spellings{"datetime", "date", "timestamp", "timestamp_ms"};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string quoted(std::string_view text) { return "\"" + std::string{text} + "\""; }

bool fail(template_error& error, std::string message, std::string hint) {
  error.message = std::move(message);
  error.hint = std::move(hint);
  return false;
}

// "DAYS_AGO_7" -> 7; nullopt when the suffix is not a whole number in range.
std::optional<int> days_ago(std::string_view name) {
  const auto digits = name.substr(days_ago_prefix.size());
  int days = -1;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), days);
  if (digits.empty() || digits.size() > 4 || ec != std::errc{} || ptr != digits.data() + digits.size() ||
      days < 0 || days > max_days_ago)
    return std::nullopt;
  return days;
}

bool parse_name(std::string_view name, std::string_view whole, placeholder& out, template_error& error) {
  if (name == "LAST_SYNC_TIME") {
    out.name = time_name::last_sync_time;
  } else if (name == "CURRENT_TIME") {
    out.name = time_name::current_time;
  } else if (name.starts_with(days_ago_prefix)) {
    const auto days = days_ago(name);
    if (!days)
      return fail(error, quoted(whole) + ": " + quoted(name) + " needs a whole number of days 0..3650",
                  "e.g. {{DAYS_AGO_1|datetime}}");
    out.name = time_name::days_ago;
    out.days = *days;
  } else {
    std::string hint;
    if (auto near = closest_match(name, name_spellings)) hint = "did you mean " + *near + "? ";
    return fail(error, quoted(whole) + ": unknown template name " + quoted(name),
                hint + "valid names: " + std::string{valid_names_hint()});
  }
  return true;
}

bool parse_format(std::string_view format, std::string_view whole, placeholder& out, template_error& error) {
  constexpr std::array<time_format, 4> formats{time_format::datetime, time_format::date,
                                               time_format::timestamp, time_format::timestamp_ms};
  for (std::size_t i = 0; i < formats.size(); ++i) {
    if (format == format_spellings[i]) {
      out.format = formats[i];
      return true;
    }
  }
  std::string hint;
  if (auto near = closest_match(format, format_spellings)) hint = "did you mean " + *near + "? ";
  return fail(error, quoted(whole) + ": unknown template format " + quoted(format),
              hint + "valid formats: " + std::string{valid_formats_hint()});
}

// Parses the inside of "{{ NAME | FORMAT }}".
bool parse_placeholder(std::string_view inner, std::string_view whole, placeholder& out,
                       template_error& error) {
  if (trim(inner).starts_with("PAGINATION_"))
    return fail(error, quoted(whole) + ": ferry pages by itself",
                "a paging template belongs in a QEasy source's page_index or page_size entry, which ferry reads "
                "instead of sending; elsewhere it has no value");
  const auto bar = inner.find('|');
  if (bar == std::string_view::npos)
    return fail(error, quoted(whole) + " has no format",
                "write {{NAME|FORMAT}}, e.g. {{" + std::string{trim(inner)} +
                    "|datetime}}; valid formats: " + std::string{valid_formats_hint()});
  return parse_name(trim(inner.substr(0, bar)), whole, out, error) &&
         parse_format(trim(inner.substr(bar + 1)), whole, out, error);
}

bool unbalanced(template_error& error, std::string_view text, std::string_view what) {
  return fail(error, quoted(text) + ": unbalanced braces (" + std::string{what} + ")",
              "a template reads {{NAME|FORMAT}}, e.g. {{LAST_SYNC_TIME|datetime}}; "
              "\"{{\" and \"}}\" are reserved in request strings");
}

sys_seconds instant(const placeholder& p, const template_context& context) {
  switch (p.name) {
    case time_name::last_sync_time:
      return context.window_start;
    case time_name::current_time:
      return context.window_end;
    case time_name::days_ago:
      return context.now - std::chrono::days{p.days};
  }
  return context.now;
}

std::string format_instant(const placeholder& p, sys_seconds t) {
  const auto seconds = t.time_since_epoch().count();
  switch (p.format) {
    case time_format::datetime:
      return core::format_shanghai_datetime(t);
    case time_format::date:
      return core::format_shanghai_date(t);
    case time_format::timestamp:
      return std::to_string(seconds);
    case time_format::timestamp_ms:
      return std::to_string(seconds * 1000);
  }
  return {};
}

}  // namespace

bool compiled_value::has_placeholders() const {
  for (const auto& p : pieces_)
    if (std::holds_alternative<placeholder>(p)) return true;
  return false;
}

std::optional<compiled_value> compile(std::string_view text, template_error& error) {
  compiled_value out;
  out.text_ = std::string{text};
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find(open_mark, pos);
    const auto stray_close = text.find(close_mark, pos);
    if (stray_close < open) {
      unbalanced(error, text, "\"}}\" without \"{{\"");
      return std::nullopt;
    }
    if (open == std::string_view::npos) {
      out.pieces_.emplace_back(std::string{text.substr(pos)});
      break;
    }
    if (open > pos) out.pieces_.emplace_back(std::string{text.substr(pos, open - pos)});
    const auto close = text.find(close_mark, open + open_mark.size());
    if (close == std::string_view::npos) {
      unbalanced(error, text, "\"{{\" without \"}}\"");
      return std::nullopt;
    }
    const auto inner = text.substr(open + open_mark.size(), close - open - open_mark.size());
    if (inner.find_first_of("{}") != std::string_view::npos) {
      unbalanced(error, text, "a brace inside {{...}}");
      return std::nullopt;
    }
    placeholder p;
    if (!parse_placeholder(inner, text.substr(open, close + close_mark.size() - open), p, error))
      return std::nullopt;
    out.pieces_.emplace_back(p);
    pos = close + close_mark.size();
  }
  return out;
}

std::string render_text(const compiled_value& value, const template_context& context) {
  std::string out;
  for (const auto& piece : value.pieces()) {
    if (const auto* literal = std::get_if<std::string>(&piece))
      out += *literal;
    else
      out += format_instant(std::get<placeholder>(piece), instant(std::get<placeholder>(piece), context));
  }
  return out;
}

nlohmann::json render(const compiled_value& value, const template_context& context) {
  if (value.pieces().size() == 1) {
    if (const auto* p = std::get_if<placeholder>(&value.pieces().front())) {
      const auto seconds = instant(*p, context).time_since_epoch().count();
      if (p->format == time_format::timestamp) return std::int64_t{seconds};
      if (p->format == time_format::timestamp_ms) return std::int64_t{seconds} * 1000;
    }
  }
  return render_text(value, context);
}

bool uses_window(const compiled_value& value) {
  for (const auto& piece : value.pieces()) {
    const auto* p = std::get_if<placeholder>(&piece);
    if (p != nullptr && p->name != time_name::days_ago) return true;
  }
  return false;
}

std::string_view valid_names_hint() {
  return "LAST_SYNC_TIME (the window's start), CURRENT_TIME (the window's end), "
         "DAYS_AGO_N (now minus N days, N = 0..3650)";
}

std::string_view valid_formats_hint() {
  return "datetime (yyyy-MM-dd HH:mm:ss, Beijing time), date (yyyy-MM-dd), "
         "timestamp (Unix seconds), timestamp_ms (Unix milliseconds)";
}

}  // namespace ferry::templating
