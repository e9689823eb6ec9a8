#include "doc_examples.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <sstream>

namespace ferry::test::docs {
namespace {

using nlohmann::json;

std::string trim(std::string text) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::vector<fenced_block> blocks_and_sections(const std::string& markdown, std::vector<std::string>& sections) {
  std::vector<fenced_block> blocks;
  std::optional<fenced_block> open;
  std::string section;
  const auto lines = split_lines(markdown);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& line = lines[i];
    if (line.rfind("```", 0) == 0) {
      if (open) {
        open->last_line = i + 1;
        blocks.push_back(std::move(*open));
        open.reset();
      } else {
        const auto info = trim(line.substr(3));
        open = fenced_block{i + 1, 0, info.substr(0, info.find(' ')), info, {}, section};
      }
    } else if (open) {
      open->lines.push_back(line);
    } else if (line.rfind("### ", 0) == 0) {
      section = trim(line.substr(4));
      sections.push_back(section);
    } else if (line.rfind("## ", 0) == 0) {
      section.clear();
    }
  }
  if (open) blocks.push_back(std::move(*open));
  return blocks;
}

// The block's commands with '\' continuations joined; comments and blank lines left out.
std::vector<std::pair<std::size_t, std::string>> commands(const fenced_block& block) {
  std::vector<std::pair<std::size_t, std::string>> out;
  std::string current;
  std::size_t start = 0;
  for (std::size_t i = 0; i < block.lines.size(); ++i) {
    auto line = trim(block.lines[i]);
    if (current.empty() && (line.empty() || line.front() == '#')) continue;
    if (current.empty()) start = block.first_line + 1 + i;
    const bool continues = !line.empty() && line.back() == '\\';
    if (continues) line.pop_back();
    current += (current.empty() ? "" : " ") + trim(line);
    if (!continues) {
      out.emplace_back(start, current);
      current.clear();
    }
  }
  if (!current.empty()) out.emplace_back(start, current);
  return out;
}

bool sets_own_output(const std::string& command) {
  static const std::set<std::string> refused{"-i", "-I", "-o", "-O", "-w", "-D", "-v", "--include", "--output",
                                             "--write-out", "--dump-header", "--verbose"};
  std::istringstream words{command};
  for (std::string word; words >> word;)
    if (refused.count(word)) return true;
  return false;
}

std::optional<std::string> read_answer(const fenced_block& block, doc_example& example) {
  static const std::regex status{R"(HTTP/1\.1 \d{3} [A-Za-z -]+)"};
  if (block.lines.empty() || !std::regex_match(block.lines.front(), status))
    return "its answer block must start with a status line such as \"HTTP/1.1 200 OK\"";
  example.status_line = block.lines.front();
  std::size_t i = 1;
  for (; i < block.lines.size() && !trim(block.lines[i]).empty(); ++i) {
    const auto colon = block.lines[i].find(':');
    if (colon == std::string::npos) return "answer line \"" + block.lines[i] + "\" is not a header (blank line before the body)";
    example.headers.emplace_back(trim(block.lines[i].substr(0, colon)), trim(block.lines[i].substr(colon + 1)));
  }
  for (++i; i < block.lines.size(); ++i) example.body += block.lines[i] + "\n";
  example.body = trim(example.body);
  return std::nullopt;
}

std::string type_name(const json& value) {
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_array()) return "an array";
  if (value.is_object()) return "an object";
  return "null";
}

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

// "name" plus its label names, sorted: a sample's identity without values.
std::optional<std::string> series_identity(const std::string& line) {
  static const std::regex sample{R"(([A-Za-z_:][A-Za-z0-9_:]*)(\{([^}]*)\})?\s+\S+.*)"};
  static const std::regex label{R"re(([A-Za-z_][A-Za-z0-9_]*)="(?:[^"\\]|\\.)*")re"};
  std::smatch m;
  if (!std::regex_match(line, m, sample)) return std::nullopt;
  std::set<std::string> names;
  const std::string labels = m[3];
  for (std::sregex_iterator it{labels.begin(), labels.end(), label}, end; it != end; ++it) names.insert((*it)[1]);
  std::string identity = m[1];
  for (const auto& n : names) identity += " " + n;
  return identity;
}

void compare_text(const std::string& shown, const std::string& real, std::vector<std::string>& out) {
  std::set<std::string> real_lines, real_series;
  for (const auto& line : split_lines(real)) {
    real_lines.insert(line);
    if (const auto id = series_identity(line)) real_series.insert(*id);
  }
  for (const auto& line : split_lines(shown)) {
    if (line == "..." || line.empty()) continue;
    if (line.front() == '#') {
      if (!real_lines.count(line)) out.push_back("shown line not in the answer: " + line);
      continue;
    }
    const auto id = series_identity(line);
    if (!id) out.push_back("shown line is neither a comment nor a sample: " + line);
    else if (!real_series.count(*id)) out.push_back("shown series not in the answer: " + line);
  }
}

std::string header_value(const std::vector<std::pair<std::string, std::string>>& headers, const std::string& name) {
  for (const auto& [k, v] : headers)
    if (lower(k) == lower(name)) return v;
  return {};
}

void compare_json(const std::string& shown_text, const std::string& real_text, std::vector<std::string>& out) {
  const auto shown = json::parse(shown_text, nullptr, false);
  const auto real = json::parse(real_text, nullptr, false);
  if (shown.is_discarded()) return out.push_back("the shown body is not whole JSON: " + shown_text);
  if (real.is_discarded()) return out.push_back("the answer is not JSON: " + real_text);
  compare_shape(shown, real, "", out);
  if (!shown.is_object() || !real.is_object()) return;
  // A problem (RFC 9457) is shown word for word: its type, title, status and detail.
  for (const char* key : {"type", "title", "status", "detail"})
    if (shown.contains(key) && real.contains(key) && shown[key] != real[key])
      out.push_back(std::string{key} + ": shown " + shown[key].dump() + ", got " + real[key].dump());
  if (!shown.contains("error") || !real.contains("error") || !real["error"].is_object()) return;
  for (const char* key : {"code", "message"})
    if (shown["error"].value(key, std::string{}) != real["error"].value(key, std::string{}))
      out.push_back(std::string{"error."} + key + ": shown " + shown["error"].value(key, std::string{}) + ", got " +
                    real["error"].value(key, std::string{}));
}

// "2026-01-31T23:59:59+08:00", "2026-01-31T15:59:59Z": the API's times.
bool is_rfc3339(const json& value) {
  static const std::regex time{R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2}))"};
  return value.is_string() && std::regex_match(value.get_ref<const std::string&>(), time);
}

}  // namespace

std::vector<fenced_block> fenced_blocks(const std::string& markdown) {
  std::vector<std::string> sections;
  return blocks_and_sections(markdown, sections);
}

std::vector<std::pair<std::size_t, std::string>> block_commands(const fenced_block& block) { return commands(block); }

extraction extract_examples(const std::string& markdown) {
  extraction result;
  const auto blocks = blocks_and_sections(markdown, result.sections);
  const auto lines = split_lines(markdown);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const auto& block = blocks[b];
    if (block.language != "sh") continue;
    const auto cmds = commands(block);
    const bool has_curl = std::any_of(cmds.begin(), cmds.end(), [](const auto& c) { return c.second.rfind("curl ", 0) == 0; });
    if (!has_curl) continue;
    const auto where = "line " + std::to_string(block.first_line) + ": ";
    if (cmds.size() != 1) {
      result.problems.push_back(where + "a curl example holds exactly one command, not " + std::to_string(cmds.size()));
      continue;
    }
    if (sets_own_output(cmds[0].second)) {
      result.problems.push_back(where + "the example sets -i/-o/-w/-D/-v itself; the test adds its own");
      continue;
    }
    const bool next_is_adjacent = b + 1 < blocks.size() && [&] {
      for (auto l = block.last_line; l + 1 < blocks[b + 1].first_line; ++l)
        if (!trim(lines[l]).empty()) return false;
      return true;
    }();
    if (!next_is_adjacent) {
      result.problems.push_back(where + "the curl example is not followed directly by its answer block");
      continue;
    }
    doc_example example{cmds[0].first, block.section, cmds[0].second, {}, {}, {}};
    if (const auto problem = read_answer(blocks[b + 1], example)) {
      result.problems.push_back(where + *problem);
      continue;
    }
    result.examples.push_back(std::move(example));
  }
  return result;
}

std::vector<std::string> curl_commands(const std::string& markdown) {
  std::vector<std::string> sections;
  std::vector<std::string> out;
  for (const auto& block : blocks_and_sections(markdown, sections)) {
    if (block.language != "sh") continue;
    for (auto [line, command] : commands(block)) {
      if (command.rfind("curl ", 0) != 0) continue;
      if (const auto comment = command.find("  #"); comment != std::string::npos) command = trim(command.substr(0, comment));
      out.push_back(command);
    }
  }
  // Inline code spans that call an address; "`curl -i`" in a sentence is prose.
  static const std::regex inline_code{"`(curl [^`]*(\\$FERRY|http)[^`]*)`"};
  for (std::sregex_iterator it{markdown.begin(), markdown.end(), inline_code}, end; it != end; ++it)
    out.push_back((*it)[1]);
  return out;
}

std::vector<std::string> select_statements(const std::string& markdown) {
  std::vector<std::string> sections;
  std::vector<std::string> out;
  for (const auto& block : blocks_and_sections(markdown, sections)) {
    if (block.language != "sql") continue;
    std::string text;
    for (const auto& line : block.lines) text += line + "\n";
    std::istringstream statements{text};
    for (std::string statement; std::getline(statements, statement, ';');) {
      statement = trim(statement);
      if (statement.rfind("SELECT ", 0) == 0) out.push_back(statement);
    }
  }
  return out;
}

real_answer parse_header_dump(const std::string& dump) {
  real_answer answer;
  for (const auto& raw : split_lines(dump)) {
    const auto line = trim(raw);
    if (line.rfind("HTTP/", 0) == 0) {
      answer.status_line = line;
      answer.headers.clear();
    } else if (const auto colon = line.find(':'); colon != std::string::npos) {
      answer.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
  }
  return answer;
}

std::vector<std::string> compare_answer(const doc_example& shown, const real_answer& real) {
  std::vector<std::string> out;
  if (shown.status_line != real.status_line)
    out.push_back("status: shown \"" + shown.status_line + "\", got \"" + real.status_line + "\"");
  for (const auto& [name, value] : shown.headers)
    if (header_value(real.headers, name) != value)
      out.push_back("header " + name + ": shown \"" + value + "\", got \"" + header_value(real.headers, name) + "\"");
  if (shown.body.empty()) return out;
  const auto type = lower(header_value(real.headers, "Content-Type"));
  if (type.rfind("application/json", 0) == 0 || type.rfind("application/problem+json", 0) == 0)
    compare_json(shown.body, real.body, out);
  else
    compare_text(shown.body, real.body, out);
  return out;
}

void compare_shape(const json& shown, const json& real, const std::string& path, std::vector<std::string>& out) {
  const auto at = path.empty() ? std::string{"the body"} : path;
  if (shown.is_null() || real.is_null()) return;
  if (shown.is_object() && real.is_object()) {
    for (const auto& [key, value] : shown.items())
      if (!real.contains(key)) out.push_back(join(path, key) + ": shown, but not in the answer");
    for (const auto& [key, value] : real.items()) {
      if (!shown.contains(key)) out.push_back(join(path, key) + ": in the answer, but not shown");
      else compare_shape(shown[key], value, join(path, key), out);
    }
  } else if (shown.is_array() && real.is_array()) {
    if (shown.empty()) return;
    if (real.empty()) return out.push_back(at + ": shown with elements, but the answer's array is empty");
    for (std::size_t i = 0; i < real.size(); ++i)
      compare_shape(shown[0], real[i], path + "[" + std::to_string(i) + "]", out);
  } else if (type_name(shown) != type_name(real)) {
    out.push_back(at + ": shown as " + type_name(shown) + ", got " + type_name(real));
  } else if (is_rfc3339(shown) != is_rfc3339(real)) {
    out.push_back(at + ": shown as " + shown.dump() + ", got " + real.dump() + " (one is an RFC 3339 time)");
  }
}

}  // namespace ferry::test::docs
