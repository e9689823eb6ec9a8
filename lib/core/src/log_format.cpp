#include "ferry/core/log_format.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace ferry::core {
namespace {

bool key_start(char c) { return c >= 'a' && c <= 'z'; }
bool key_char(char c) { return key_start(c) || (c >= '0' && c <= '9') || c == '_'; }

constexpr std::array reserved_keys{std::string_view{"ts"}, std::string_view{"time"}, std::string_view{"level"},
                                   std::string_view{"logger"}, std::string_view{"msg"}};

// One field at the start of `rest`; moves `rest` past it and its spaces.
bool take_field(std::string_view& rest, log_field& out) {
  std::size_t i = 0;
  if (rest.empty() || !key_start(rest[0])) return false;
  while (i < rest.size() && key_char(rest[i])) ++i;
  if (i == rest.size() || rest[i] != '=') return false;
  log_field field{std::string{rest.substr(0, i)}, {}};
  ++i;
  if (i < rest.size() && rest[i] == '"') {
    ++i;
    bool closed = false;
    while (i < rest.size()) {
      const char c = rest[i++];
      if (c == '\\' && i < rest.size()) {
        field.value.push_back(rest[i++]);
      } else if (c == '"') {
        closed = true;
        break;
      } else {
        field.value.push_back(c);
      }
    }
    if (!closed || (i < rest.size() && rest[i] != ' ')) return false;
  } else {
    const auto end = std::min(rest.find(' ', i), rest.size());
    field.value = std::string{rest.substr(i, end - i)};
    i = end;
  }
  while (i < rest.size() && rest[i] == ' ') ++i;
  rest.remove_prefix(i);
  out = std::move(field);
  return true;
}

void append(spdlog::memory_buf_t& dest, std::string_view text) { dest.append(text.data(), text.data() + text.size()); }

constexpr char hex[] = "0123456789abcdef";

void append_control(spdlog::memory_buf_t& dest, unsigned char c) {
  append(dest, "\\u00");
  dest.push_back(hex[c >> 4]);
  dest.push_back(hex[c & 0x0f]);
}

// The length of the well-formed UTF-8 sequence at the start of `text`
// (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF), or 0.
std::size_t utf8_length(std::string_view text) {
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto lead = at(0);
  std::size_t n = 0;
  unsigned char low = 0x80, high = 0xbf;  // the second byte's range
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) n = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    n = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    n = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (text.size() < n || at(1) < low || at(1) > high) return 0;
  for (std::size_t i = 2; i < n; ++i)
    if (at(i) < 0x80 || at(i) > 0xbf) return 0;
  return n;
}

// `text` between double quotes, as JSON strings and logfmt values both write
// it: \" \\ \n \r \t, other control characters as \u00XX, and each byte that
// is not part of well-formed UTF-8 as \ufffd, so a log shipper never meets a
// line it cannot decode (a message cut in the middle of a character).
void append_quoted(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.push_back('"');
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    const auto n = utf8_length(text.substr(i));
    if (n == 0) {
      append(dest, "\\ufffd");
      ++i;
      continue;
    }
    if (n > 1) {
      append(dest, text.substr(i, n));
    } else if (c == '"' || c == '\\') {
      dest.push_back('\\');
      dest.push_back(c);
    } else if (c == '\n') {
      append(dest, "\\n");
    } else if (c == '\r') {
      append(dest, "\\r");
    } else if (c == '\t') {
      append(dest, "\\t");
    } else if (u < 0x20 || u == 0x7f) {
      append_control(dest, u);
    } else {
      dest.push_back(c);
    }
    i += n;
  }
  dest.push_back('"');
}

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (std::size_t i = 0; i < value.size();) {
    const auto n = utf8_length(value.substr(i));
    if (n == 0) return true;
    const char c = value[i];
    const auto u = static_cast<unsigned char>(c);
    if (n == 1 && (c == ' ' || c == '=' || c == '"' || c == '\\' || u < 0x20 || u == 0x7f)) return true;
    i += n;
  }
  return false;
}

// A logfmt value: bare when it can be, else quoted as append_quoted writes it.
void append_logfmt(spdlog::memory_buf_t& dest, std::string_view value) {
  if (needs_quotes(value)) append_quoted(dest, value);
  else append(dest, value);
}

// RFC 3339 local time with milliseconds and the offset: 2026-12-07T13:09:12.123+08:00.
std::string rfc3339_time(spdlog::log_clock::time_point at) {
  const auto since = at.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since - seconds).count();
  std::time_t t = seconds.count();
  if (millis < 0) {  // before 1970: keep the fraction positive
    millis += 1000;
    --t;
  }
  std::tm local{};
  localtime_r(&t, &local);
  std::array<char, 48> text{};
  auto n = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &local);
  const long offset = local.tm_gmtoff / 60;
  const long magnitude = offset < 0 ? -offset : offset;
  n += static_cast<std::size_t>(std::snprintf(text.data() + n, text.size() - n, ".%03d%c%02ld:%02ld",
                                              static_cast<int>(millis), offset < 0 ? '-' : '+', magnitude / 60,
                                              magnitude % 60));
  return std::string{text.data(), n};
}

class line_formatter final : public spdlog::formatter {
 public:
  line_formatter(log_style style, bool journal) : style_(style), journal_(journal) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    if (journal_) {
      dest.push_back('<');
      dest.push_back(static_cast<char>('0' + syslog_priority(msg.level)));
      dest.push_back('>');
    }
    const auto split = split_log_fields(std::string_view{msg.payload.data(), msg.payload.size()});
    const auto level = spdlog::level::to_string_view(msg.level);
    const bool json = style_ == log_style::json;
    member(dest, json ? "time" : "ts", rfc3339_time(msg.time), true);
    member(dest, "level", {level.data(), level.size()});
    member(dest, "logger", {msg.logger_name.data(), msg.logger_name.size()});
    for (const auto& f : split.fields) member(dest, f.key, f.value);
    member(dest, "msg", split.text);
    if (json) dest.push_back('}');
    append(dest, "\n");
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<line_formatter>(style_, journal_);
  }

 private:
  // One member of the line: "key":"value" in JSON (the first opens the
  // object), key=value in logfmt (the value quoted when it needs it).
  void member(spdlog::memory_buf_t& dest, std::string_view key, std::string_view value, bool first = false) const {
    if (style_ == log_style::json) {
      dest.push_back(first ? '{' : ',');
      append_quoted(dest, key);
      dest.push_back(':');
      append_quoted(dest, value);
    } else {
      if (!first) dest.push_back(' ');
      append(dest, key);
      dest.push_back('=');
      append_logfmt(dest, value);
    }
  }

  log_style style_;
  bool journal_;
};

}  // namespace

split_log_message split_log_fields(std::string_view message) {
  split_log_message out;
  std::string_view rest = message;
  for (;;) {
    auto before = rest;
    log_field field;
    if (!take_field(rest, field)) break;
    const bool reserved = std::find(reserved_keys.begin(), reserved_keys.end(), field.key) != reserved_keys.end();
    const bool repeated = std::any_of(out.fields.begin(), out.fields.end(),
                                      [&](const log_field& seen) { return seen.key == field.key; });
    if (reserved || repeated) {
      rest = before;
      break;
    }
    out.fields.push_back(std::move(field));
  }
  out.text = rest;
  return out;
}

std::string log_quote(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('"');
  for (const char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::unique_ptr<spdlog::formatter> make_log_formatter(log_style style, bool journal_priority) {
  return std::make_unique<line_formatter>(style, journal_priority);
}

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return 7;
    case spdlog::level::info: return 6;
    case spdlog::level::warn: return 4;
    case spdlog::level::err: return 3;
    case spdlog::level::critical: return 2;
    default: return 6;
  }
}

bool is_journal_stream(int fd) {
  const char* named = std::getenv("JOURNAL_STREAM");
  if (named == nullptr) return false;
  unsigned long long device = 0, inode = 0;
  char tail = 0;
  if (std::sscanf(named, "%llu:%llu%c", &device, &inode, &tail) != 2) return false;
  struct stat st {};
  if (fstat(fd, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == device && static_cast<unsigned long long>(st.st_ino) == inode;
}

}  // namespace ferry::core
