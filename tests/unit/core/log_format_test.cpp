#include "ferry/core/log_format.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/details/log_msg.h>

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace {

using ferry::core::log_field;
using ferry::core::log_style;

// Runs `body` with TZ set to a POSIX rule (no tzdata needed), then restores it.
template <class F>
void in_zone(const char* tz, F body) {
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  setenv("TZ", tz, 1);
  tzset();
  body();
  if (old) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
}

std::string line(log_style style, bool journal, spdlog::level::level_enum level, std::string_view text,
                 spdlog::log_clock::time_point at) {
  spdlog::details::log_msg msg{at, spdlog::source_loc{}, "sync", level, spdlog::string_view_t{text.data(), text.size()}};
  spdlog::memory_buf_t out;
  ferry::core::make_log_formatter(style, journal)->format(msg, out);
  return {out.data(), out.size()};
}

// 2026-12-07 05:09:12.045 UTC
const auto at = spdlog::log_clock::time_point{std::chrono::milliseconds{1'796'620'152'045}};

}  // namespace

TEST_CASE("a message's leading key=value fields are split from its text") {
  auto s = ferry::core::split_log_fields(
      R"(job=skusn_inout run=12 window="2026-02-01 00:00:00 .. 2026-02-01 01:00:00" state=complete pages=3)");
  CHECK(s.fields == std::vector<log_field>{{"job", "skusn_inout"},
                                           {"run", "12"},
                                           {"window", "2026-02-01 00:00:00 .. 2026-02-01 01:00:00"},
                                           {"state", "complete"},
                                           {"pages", "3"}});
  CHECK(s.text.empty());

  s = ferry::core::split_log_fields("job=orders run=3 kind=scheduled success: fetched=10 inserted=9");
  CHECK(s.fields.size() == 3);
  CHECK(s.text == "success: fetched=10 inserted=9");  // fields after the text stay text

  s = ferry::core::split_log_fields(R"(source=jst detail="say \"hi\" \\ bye" gave up)");
  CHECK(s.fields == std::vector<log_field>{{"source", "jst"}, {"detail", R"(say "hi" \ bye)"}});
  CHECK(s.text == "gave up");

  SECTION("what stops the fields") {
    CHECK(ferry::core::split_log_fields("ferryd started: 2 jobs").fields.empty());
    CHECK(ferry::core::split_log_fields("Job=x rest").fields.empty());           // keys are lower case
    s = ferry::core::split_log_fields(R"(job=a window="2026-02-01 00:00:00 never closed)");
    CHECK(s.fields == std::vector<log_field>{{"job", "a"}});
    CHECK(s.text == R"(window="2026-02-01 00:00:00 never closed)");
    s = ferry::core::split_log_fields("job=a job=b again");
    CHECK(s.fields.size() == 1);
    CHECK(s.text == "job=b again");
    s = ferry::core::split_log_fields("job=a msg=hijack level=error");
    CHECK(s.fields.size() == 1);
    CHECK(s.text == "msg=hijack level=error");
    s = ferry::core::split_log_fields(R"(job=a note="x"y rest)");  // a quote closed inside a token
    CHECK(s.text == R"(note="x"y rest)");
  }
  SECTION("a value quoted by log_quote reads back whole") {
    const std::string detail = R"(refused: "bad \ token" [requestId 1])";
    s = ferry::core::split_log_fields("origin=jst detail=" + ferry::core::log_quote(detail) + " failed");
    CHECK(s.fields == std::vector<log_field>{{"origin", "jst"}, {"detail", detail}});
    CHECK(s.text == "failed");
  }
  SECTION("an empty value") {
    s = ferry::core::split_log_fields(R"(job= source="" rest)");
    CHECK(s.fields == std::vector<log_field>{{"job", ""}, {"source", ""}});
    CHECK(s.text == "rest");
  }
}

TEST_CASE("logfmt lines: ts with its offset, the fields, and a quoted msg") {
  in_zone("CST-8", [] {
    CHECK(line(log_style::logfmt, false, spdlog::level::info,
               R"(job=skusn_inout run=12 window="2026-02-01 00:00:00 .. 2026-02-01 01:00:00" verified: 3 keys, "none" new)",
               at) ==
          "ts=2026-12-07T13:09:12.045+08:00 level=info logger=sync job=skusn_inout run=12 "
          R"(window="2026-02-01 00:00:00 .. 2026-02-01 01:00:00" msg="verified: 3 keys, \"none\" new")"
          "\n");
    CHECK(line(log_style::logfmt, false, spdlog::level::warn, "ferryd stopped", at) ==
          "ts=2026-12-07T13:09:12.045+08:00 level=warning logger=sync msg=\"ferryd stopped\"\n");
    CHECK(line(log_style::logfmt, false, spdlog::level::info, "job=a", at) ==
          "ts=2026-12-07T13:09:12.045+08:00 level=info logger=sync job=a msg=\"\"\n");
    CHECK(line(log_style::logfmt, false, spdlog::level::err, "source=jst x=\"a=b\" multi\nline\ttab\x01", at) ==
          "ts=2026-12-07T13:09:12.045+08:00 level=error logger=sync source=jst x=\"a=b\" "
          "msg=\"multi\\nline\\ttab\\u0001\"\n");
  });
  in_zone("NST+3:30", [] {  // west of Greenwich, with minutes
    CHECK(line(log_style::logfmt, false, spdlog::level::info, "done", at) ==
          "ts=2026-12-07T01:39:12.045-03:30 level=info logger=sync msg=done\n");
  });
  in_zone("UTC0", [] {
    CHECK(line(log_style::logfmt, false, spdlog::level::info, "done", at).starts_with("ts=2026-12-07T05:09:12.045+00:00 "));
  });
}

TEST_CASE("JSON lines carry the fields as members, and parse") {
  in_zone("CST-8", [] {
    const auto text = line(log_style::json, false, spdlog::level::err,
                           "source=jst api=/open/x attempt=2 request_id=a1b2 gave up: code 100 \"bad\"\n\\", at);
    REQUIRE(text.back() == '\n');
    const auto j = nlohmann::json::parse(text);
    CHECK(j == nlohmann::json{{"time", "2026-12-07T13:09:12.045+08:00"},
                              {"level", "error"},
                              {"logger", "sync"},
                              {"source", "jst"},
                              {"api", "/open/x"},
                              {"attempt", "2"},
                              {"request_id", "a1b2"},
                              {"msg", "gave up: code 100 \"bad\"\n\\"}});
    // Members in the order written: time, level, logger, the fields, msg.
    CHECK(text.starts_with(R"({"time":"2026-12-07T13:09:12.045+08:00","level":"error","logger":"sync","source":"jst",)"));
    const auto controls = nlohmann::json::parse(line(log_style::json, false, spdlog::level::info, "a\x01\x7f", at));
    CHECK(controls["msg"] == "a\x01\x7f");
  });
}

TEST_CASE("bytes that are not UTF-8 become U+FFFD, and well-formed text stays as it is") {
  // 店铺 is 3 bytes a character; the message is cut after the first byte of its second one.
  const std::string chinese = "\xe5\xba\x97\xe9\x93\xba";
  const std::string cut = "\xe5\xba\x97\xe9";
  const auto json = [](std::string_view msg) {
    return nlohmann::json::parse(line(log_style::json, false, spdlog::level::info, msg, at))["msg"].get<std::string>();
  };
  CHECK(json(chinese + " ok") == chinese + " ok");
  CHECK(json("shop " + cut) == "shop \xe5\xba\x97\xef\xbf\xbd");
  CHECK(json("overlong \xc0\x80 surrogate \xed\xa0\x80 too high \xf4\x90\x80\x80 lone \x80") ==
        "overlong \xef\xbf\xbd\xef\xbf\xbd surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd too high "
        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd lone \xef\xbf\xbd");
  CHECK(json("\xf0\x9f\x9a\xa2 4 bytes") == "\xf0\x9f\x9a\xa2 4 bytes");
  // logfmt: a bare value stays bare when it is UTF-8, and is quoted when it is not.
  const auto logfmt = line(log_style::logfmt, false, spdlog::level::info, "shop=" + chinese + " bad=" + cut + " x", at);
  CHECK_THAT(logfmt, Catch::Contains(" shop=" + chinese + " bad=\"\xe5\xba\x97\\ufffd\" msg=x"));
}

TEST_CASE("each line starts with its syslog priority for journald") {
  CHECK(line(log_style::logfmt, true, spdlog::level::err, "x", at).starts_with("<3>ts="));
  CHECK(line(log_style::json, true, spdlog::level::warn, "x", at).starts_with("<4>{"));
  CHECK(line(log_style::logfmt, true, spdlog::level::info, "x", at).starts_with("<6>"));
  CHECK(line(log_style::logfmt, true, spdlog::level::debug, "x", at).starts_with("<7>"));
  CHECK(line(log_style::logfmt, true, spdlog::level::critical, "x", at).starts_with("<2>"));
  CHECK(line(log_style::logfmt, false, spdlog::level::err, "x", at).starts_with("ts="));
}

TEST_CASE("the journal stream is recognised by the device and inode JOURNAL_STREAM names") {
  std::FILE* file = std::tmpfile();
  std::FILE* other = std::tmpfile();
  REQUIRE(file);
  REQUIRE(other);
  struct stat st {};
  REQUIRE(fstat(fileno(file), &st) == 0);
  const std::string named = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  unsetenv("JOURNAL_STREAM");
  CHECK_FALSE(ferry::core::is_journal_stream(fileno(file)));
  setenv("JOURNAL_STREAM", named.c_str(), 1);
  CHECK(ferry::core::is_journal_stream(fileno(file)));
  CHECK_FALSE(ferry::core::is_journal_stream(fileno(other)));  // output redirected elsewhere
  setenv("JOURNAL_STREAM", (named + "x").c_str(), 1);
  CHECK_FALSE(ferry::core::is_journal_stream(fileno(file)));
  setenv("JOURNAL_STREAM", "garbage", 1);
  CHECK_FALSE(ferry::core::is_journal_stream(fileno(file)));
  unsetenv("JOURNAL_STREAM");
  std::fclose(file);
  std::fclose(other);
}
