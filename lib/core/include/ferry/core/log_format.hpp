#pragma once
// How ferryd writes a log line.
//
// ferry's log calls lead their message with the things it is about, as
// key=value: "job=skusn_inout run=12 window=\"2026-02-01 00:00:00 .. 2026-02-01
// 01:00:00\" state=complete pages=3 ...". Those leading fields become fields
// of the line and the rest its message, so a log store can filter on
// job, run, window, source or request_id without parsing text:
//   logfmt  ts=2026-12-07T13:09:12.123+08:00 level=info logger=sync job=skusn_inout run=12 msg="verified"
//   json    {"time":"2026-12-07T13:09:12.123+08:00","level":"info","logger":"sync","job":"skusn_inout",
//            "run":"12","msg":"verified"}
// Field values are strings. logfmt quotes a value that is empty or holds a
// space, '=', '"', '\', a control character or bytes that are not UTF-8,
// escaping '"', '\' and control characters; JSON escapes as RFC 8259
// requires. Both write a byte that is not part of well-formed UTF-8 as
// \ufffd, so every line decodes.
//
// With journal_priority each line starts with "<N>", its syslog priority
// (sd-daemon(3)), which journald reads from a stream it gave the process:
// `journalctl -p err` then shows errors and worse.
#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::core {

struct log_field {
  std::string key;
  std::string value;
  bool operator==(const log_field&) const = default;
};

struct split_log_message {
  std::vector<log_field> fields;
  std::string_view text;  // the message after its fields
};

// The leading fields of a message. A key is [a-z][a-z0-9_]*; a value runs to
// the next space, or is written in double quotes with \" and \\ escaped.
// Extraction stops at the first token that is not such a field, at a key
// that repeats or names a field of the line itself (ts, time, level,
// logger, msg), and at a quoted value without its closing quote.
split_log_message split_log_fields(std::string_view message);

// A value for a log message's fields, in double quotes with '"' and '\'
// escaped, so that split_log_fields reads it back whole (error texts, URLs).
std::string log_quote(std::string_view value);

enum class log_style { logfmt, json };

// The formatter of ferryd's lines, for spdlog::logger::set_formatter.
std::unique_ptr<spdlog::formatter> make_log_formatter(log_style style, bool journal_priority);

// The syslog priority of a level: trace and debug 7, info 6, warn 4, error 3, critical 2.
int syslog_priority(spdlog::level::level_enum level);

// True when `fd` is the stream journald connected this process to: the
// device and inode that $JOURNAL_STREAM names (systemd.exec(5)). A process
// whose output was redirected elsewhere keeps lines without priorities.
bool is_journal_stream(int fd);

}  // namespace ferry::core
