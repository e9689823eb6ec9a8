#include "doc_checks.hpp"

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

namespace ferry::test::docs {
namespace {

using nlohmann::ordered_json;

struct word {
  std::string text;
  bool op = false;  // | || && ; &
};

// The index of the ')' that closes the '(' at `open`, or npos.
std::size_t closing_paren(const std::string& s, std::size_t open) {
  int depth = 0;
  for (auto i = open; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')' && --depth == 0) return i;
  }
  return std::string::npos;
}

// Splits like the shell: quotes removed, `$(...)` kept whole inside its word,
// an unquoted '#' at a word's start ends the line. nullopt on an unclosed quote.
std::optional<std::vector<word>> split_words(const std::string& s) {
  std::vector<word> out;
  std::string current;
  bool in_word = false;
  const auto flush = [&] {
    if (in_word) out.push_back({current, false});
    current.clear();
    in_word = false;
  };
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == ' ' || c == '\t') {
      flush();
      ++i;
    } else if (!in_word && c == '#') {
      break;
    } else if (c == '|' || c == '&' || c == ';') {
      flush();
      std::string op(1, c);
      if (c != ';' && i + 1 < s.size() && s[i + 1] == c) op += s[++i];
      out.push_back({op, true});
      ++i;
    } else if (c == '\'') {
      const auto end = s.find('\'', i + 1);
      if (end == std::string::npos) return std::nullopt;
      current += s.substr(i + 1, end - i - 1);
      in_word = true;
      i = end + 1;
    } else if (c == '"') {
      in_word = true;
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) current += s[++i];
        else current += s[i];
      }
      if (i >= s.size()) return std::nullopt;
      ++i;
    } else if (c == '$' && i + 1 < s.size() && s[i + 1] == '(') {
      const auto end = closing_paren(s, i + 1);
      if (end == std::string::npos) return std::nullopt;
      current += s.substr(i, end - i + 1);
      in_word = true;
      i = end + 1;
    } else {
      if (c == '\\' && i + 1 < s.size()) ++i;
      current += s[i++];
      in_word = true;
    }
  }
  flush();
  return out;
}

bool is_assignment(const std::string& w) {
  static const std::regex assignment{"[A-Za-z_][A-Za-z0-9_]*=.*"};
  return std::regex_match(w, assignment);
}

void add_segment(const std::vector<std::string>& seg, std::vector<invocation>& out, std::string& problem);

// What the `$(...)` parts of a word run.
void add_substitutions(const std::string& text, std::vector<invocation>& out, std::string& problem) {
  for (auto at = text.find("$("); at != std::string::npos; at = text.find("$(", at + 2)) {
    const auto end = closing_paren(text, at + 1);
    if (end == std::string::npos) return;
    for (auto& inner : invocations(text.substr(at + 2, end - at - 2), problem)) out.push_back(std::move(inner));
  }
}

void add_segment(const std::vector<std::string>& seg, std::vector<invocation>& out, std::string& problem) {
  static const std::set<std::string> prefixes{"sudo", "do", "then", "else", "!", "time"};
  for (const auto& w : seg) add_substitutions(w, out, problem);
  if (seg.empty() || std::regex_match(seg[0], std::regex{"[A-Za-z_][A-Za-z0-9_]*=\\(.*"})) return;
  std::size_t i = 0;
  while (i < seg.size() && (prefixes.count(seg[i]) || is_assignment(seg[i]))) ++i;
  if (i == seg.size()) return;
  invocation inv{seg[i], {seg.begin() + static_cast<std::ptrdiff_t>(i) + 1, seg.end()}};
  const auto name = program_name(inv.program);
  if (name == "sh" || name == "bash") {
    const auto c = std::find(inv.args.begin(), inv.args.end(), "-c");
    if (c != inv.args.end() && c + 1 != inv.args.end())
      for (auto& inner : invocations(*(c + 1), problem)) out.push_back(std::move(inner));
  }
  out.push_back(std::move(inv));
}

}  // namespace

std::string program_name(const std::string& program) {
  const auto slash = program.rfind('/');
  return slash == std::string::npos ? program : program.substr(slash + 1);
}

std::vector<invocation> invocations(const std::string& command, std::string& problem) {
  std::vector<invocation> out;
  const auto words = split_words(command);
  if (!words) {
    problem = "an unclosed quote or $( in: " + command;
    return out;
  }
  std::vector<std::string> seg;
  for (const auto& w : *words) {
    if (!w.op) {
      seg.push_back(w.text);
      continue;
    }
    add_segment(seg, out, problem);
    seg.clear();
  }
  add_segment(seg, out, problem);
  return out;
}

std::vector<console_step> console_steps(const std::vector<std::string>& lines, std::string& problem) {
  std::vector<console_step> steps;
  for (const auto& line : lines) {
    if (line.rfind("$ ", 0) == 0) {
      steps.push_back({line.substr(2), {}});
    } else if (steps.empty()) {
      if (!line.empty()) problem = "text before the first \"$ \" line: " + line;
    } else {
      steps.back().output += (steps.back().output.empty() ? "" : "\n") + line;
    }
  }
  if (steps.empty() && problem.empty()) problem = "no \"$ \" command line";
  return steps;
}

std::string quote_problem(const std::vector<std::string>& quoted, const std::string& file) {
  const auto rstrip = [](std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
    return s;
  };
  std::vector<std::string> lines;
  std::istringstream in{file};
  for (std::string line; std::getline(in, line);) lines.push_back(rstrip(line));
  if (quoted.empty()) return "the block quotes nothing";
  std::size_t best = 0;
  for (std::size_t start = 0; start < lines.size(); ++start) {
    std::size_t n = 0;
    while (n < quoted.size() && start + n < lines.size() && lines[start + n] == rstrip(quoted[n])) ++n;
    if (n == quoted.size()) return {};
    best = std::max(best, n);
  }
  return "not in the file, in this order: " + quoted[best];
}

std::optional<ordered_json> place_config_example(const std::string& block_text, const ordered_json& base,
                                                 std::string& problem) {
  static const std::set<std::string> top{"mysql", "sources", "log", "admin", "$schema"};
  static const std::set<std::string> job{"id", "source", "api", "list_key", "page_size", "max_pages", "request",
                                         "window", "full_refresh", "cursor", "for_each", "schedule", "dead_letter_max_ratio",
                                         "enabled",
                                         "targets",
                                         "verify", "verify_after", "filter", "flatten", "catch_up"};
  static const std::set<std::string> source{"type", "base_url", "app_key", "app_secret_env", "app_secret_file",
                                            "access_token_env", "access_token_file", "refresh_token_env",
                                            "refresh_token_file", "rate_limits", "timeout", "connect_timeout",
                                            "max_in_flight", "max_response_bytes", "retry", "tls"};
  auto example = ordered_json::parse(block_text, nullptr, false, true);
  if (example.is_discarded()) example = ordered_json::parse("{" + block_text + "}", nullptr, false, true);
  if (example.is_discarded() || !example.is_object()) {
    problem = "not a JSON object, nor \"key\": value members of one";
    return std::nullopt;
  }
  if (example.contains("jobs")) return example;
  auto config = base;
  // A whole job given as a QEasy pair, a full refresh or a cursor job (which take no window from the base job).
  if (example.contains("qeasy") ||
      ((example.contains("full_refresh") || example.contains("cursor")) && example.contains("id"))) {
    config["jobs"][0] = example;
    return config;
  }
  if (example.contains("table")) {
    config["jobs"][0]["targets"] = ordered_json::array({example});
    return config;
  }
  for (const auto& [key, value] : example.items()) {
    if (top.count(key)) config[key] = value;
    else if (job.count(key)) config["jobs"][0][key] = value;
    else if (source.count(key)) {
      // A secret given one way replaces the base's other way (app_secret_file for app_secret_env).
      auto& section = config["sources"].begin().value();
      const auto cut = key.rfind('_');
      const auto other = key.substr(0, cut) + (key.substr(cut) == "_file" ? "_env" : "_file");
      section.erase(other);
      section[key] = value;
    }
    else {
      problem = "cannot tell where \"" + key + "\" goes: write it inside its section";
      return std::nullopt;
    }
  }
  return config;
}

}  // namespace ferry::test::docs
