#include "ferry/templating/template.hpp"

#include "ferry/core/time.hpp"

#include <catch2/catch.hpp>

using namespace ferry::templating;
using std::chrono::sys_seconds;

namespace {

sys_seconds at(const char* beijing) {
  const auto t = ferry::core::parse_shanghai_datetime(beijing);
  REQUIRE(t);
  return *t;
}

// Window 2026-01-01 00:00:00 .. 2026-01-02 12:30:45 (Beijing), now 2026-03-10 08:00:00.
template_context sample_context() {
  return {at("2026-01-01 00:00:00"), at("2026-01-02 12:30:45"), at("2026-03-10 08:00:00")};
}

compiled_value compiled(std::string_view text) {
  template_error error;
  auto value = compile(text, error);
  INFO(text << ": " << error.message << " / " << error.hint);
  REQUIRE(value);
  return *value;
}

template_error compile_error(std::string_view text) {
  template_error error;
  CHECK_FALSE(compile(text, error));
  return error;
}

nlohmann::json rendered(std::string_view text) { return render(compiled(text), sample_context()); }

}  // namespace

TEST_CASE("LAST_SYNC_TIME is the window's start in every format", "[template]") {
  CHECK(rendered("{{LAST_SYNC_TIME|datetime}}") == "2026-01-01 00:00:00");
  CHECK(rendered("{{LAST_SYNC_TIME|date}}") == "2026-01-01");
  // 2026-01-01 00:00:00 Beijing is 2025-12-31 16:00:00 UTC.
  CHECK(rendered("{{LAST_SYNC_TIME|timestamp}}") == 1767196800);
  CHECK(rendered("{{LAST_SYNC_TIME|timestamp_ms}}") == 1767196800000);
}

TEST_CASE("CURRENT_TIME is the window's end in every format", "[template]") {
  CHECK(rendered("{{CURRENT_TIME|datetime}}") == "2026-01-02 12:30:45");
  CHECK(rendered("{{CURRENT_TIME|date}}") == "2026-01-02");
  CHECK(rendered("{{CURRENT_TIME|timestamp}}") == 1767196800 + 86400 + 12 * 3600 + 30 * 60 + 45);
  CHECK(rendered("{{CURRENT_TIME|timestamp_ms}}") == (1767196800LL + 131445) * 1000);
}

TEST_CASE("DAYS_AGO_N counts whole days back from now", "[template]") {
  CHECK(rendered("{{DAYS_AGO_0|datetime}}") == "2026-03-10 08:00:00");
  CHECK(rendered("{{DAYS_AGO_1|datetime}}") == "2026-03-09 08:00:00");
  CHECK(rendered("{{DAYS_AGO_10|date}}") == "2026-02-28");
  CHECK(rendered("{{DAYS_AGO_1|timestamp}}") == at("2026-03-09 08:00:00").time_since_epoch().count());
  CHECK(rendered("{{DAYS_AGO_3650|date}}") == "2016-03-12");
  CHECK_FALSE(uses_window(compiled("{{DAYS_AGO_7|date}}")));
}

TEST_CASE("whole-value timestamps are numbers, everything else strings", "[template]") {
  CHECK(rendered("{{CURRENT_TIME|timestamp}}").is_number_integer());
  CHECK(rendered("{{CURRENT_TIME|timestamp_ms}}").is_number_integer());
  CHECK(rendered("{{CURRENT_TIME|datetime}}").is_string());
  CHECK(rendered("{{CURRENT_TIME|date}}").is_string());
  CHECK(rendered("t={{CURRENT_TIME|timestamp}}") == "t=1767328245");
  CHECK(rendered(" {{CURRENT_TIME|timestamp}}") == " 1767328245");
  CHECK(rendered("{{LAST_SYNC_TIME|timestamp}}{{CURRENT_TIME|timestamp}}") == "17671968001767328245");
}

TEST_CASE("templates embed in text and repeat", "[template]") {
  CHECK(rendered("since {{LAST_SYNC_TIME|date}}") == "since 2026-01-01");
  CHECK(rendered("{{LAST_SYNC_TIME|date}} to {{CURRENT_TIME|date}}!") == "2026-01-01 to 2026-01-02!");
  CHECK(rendered("plain text") == "plain text");
  CHECK(rendered("") == "");
  CHECK(rendered("{ not a template }") == "{ not a template }");
  const auto value = compiled("a{{CURRENT_TIME|date}}b");
  REQUIRE(value.pieces().size() == 3);
  CHECK(std::get<std::string>(value.pieces()[0]) == "a");
  CHECK(std::get<placeholder>(value.pieces()[1]).format == time_format::date);
  CHECK(value.text() == "a{{CURRENT_TIME|date}}b");
}

TEST_CASE("white space inside the braces is tolerated", "[template]") {
  CHECK(rendered("{{ CURRENT_TIME | datetime }}") == "2026-01-02 12:30:45");
  CHECK(rendered("{{\tLAST_SYNC_TIME|\tdate }}") == "2026-01-01");
  CHECK(rendered("{{ CURRENT_TIME | timestamp }}").is_number_integer());
}

TEST_CASE("uses_window tells window templates from the rest", "[template]") {
  CHECK(uses_window(compiled("{{LAST_SYNC_TIME|datetime}}")));
  CHECK(uses_window(compiled("x {{CURRENT_TIME|date}}")));
  CHECK_FALSE(uses_window(compiled("no template")));
  CHECK_FALSE(compiled("no template").has_placeholders());
  CHECK(compiled("{{DAYS_AGO_2|date}}").has_placeholders());
}

TEST_CASE("unknown names are refused with the valid names listed", "[template][errors]") {
  const auto e = compile_error("{{LAST_SYNC|datetime}}");
  CHECK(e.message == R"("{{LAST_SYNC|datetime}}": unknown template name "LAST_SYNC")");
  CHECK(e.hint == "valid names: " + std::string{valid_names_hint()});
  CHECK(compile_error("{{last_sync_time|date}}").hint.starts_with("did you mean LAST_SYNC_TIME? "));
  CHECK(compile_error("{{CURRENT_TIM|date}}").hint.starts_with("did you mean CURRENT_TIME? "));
  CHECK(compile_error("x {{NOW|date}} y").message == R"("{{NOW|date}}": unknown template name "NOW")");
  CHECK(compile_error("{{|date}}").message == R"("{{|date}}": unknown template name "")");
}

TEST_CASE("DAYS_AGO_N needs N within 0..3650", "[template][errors]") {
  for (const char* text : {"{{DAYS_AGO_|date}}", "{{DAYS_AGO_3651|date}}", "{{DAYS_AGO_x|date}}",
                           "{{DAYS_AGO_-1|date}}", "{{DAYS_AGO_99999|date}}", "{{DAYS_AGO_1 2|date}}"}) {
    INFO(text);
    CHECK(compile_error(text).message.ends_with("needs a whole number of days 0..3650"));
  }
}

TEST_CASE("unknown formats are refused with the valid formats listed", "[template][errors]") {
  const auto e = compile_error("{{CURRENT_TIME|datetim}}");
  CHECK(e.message == R"("{{CURRENT_TIME|datetim}}": unknown template format "datetim")");
  CHECK(e.hint == "did you mean datetime? valid formats: " + std::string{valid_formats_hint()});
  CHECK(compile_error("{{CURRENT_TIME|iso8601}}").hint.starts_with("valid formats: datetime"));
  CHECK(compile_error("{{CURRENT_TIME|}}").message == R"("{{CURRENT_TIME|}}": unknown template format "")");
  CHECK(compile_error("{{CURRENT_TIME|date|date}}").message.find("unknown template format \"date|date\"") !=
        std::string::npos);
}

TEST_CASE("a missing format is refused with an example", "[template][errors]") {
  const auto e = compile_error("{{CURRENT_TIME}}");
  CHECK(e.message == R"("{{CURRENT_TIME}}" has no format)");
  CHECK(e.hint.starts_with("write {{NAME|FORMAT}}, e.g. {{CURRENT_TIME|datetime}}"));
}

TEST_CASE("unbalanced braces are refused", "[template][errors]") {
  CHECK(compile_error("{{CURRENT_TIME|date").message ==
        R"("{{CURRENT_TIME|date": unbalanced braces ("{{" without "}}"))");
  CHECK(compile_error("CURRENT_TIME|date}}").message ==
        R"("CURRENT_TIME|date}}": unbalanced braces ("}}" without "{{"))");
  CHECK(compile_error("{{{CURRENT_TIME|date}}}").message.ends_with("(a brace inside {{...}})"));
  CHECK(compile_error("{{CURRENT_TIME|date}} and {{").message.ends_with(R"(("{{" without "}}"))"));
  CHECK(compile_error("{{a}}}}").message == R"("{{a}}" has no format)");  // the first error wins
}
