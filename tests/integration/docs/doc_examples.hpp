#pragma once
// The curl examples of a Markdown page and the check of a real answer against
// the answer the page shows, so docs/admin-api.md cannot drift from ferryd.
//
// The page's convention (stated in docs/admin-api.md itself):
//   - an example is a ```sh block holding exactly one `curl` command (lines
//     ending in '\' continue it);
//   - the very next fenced block (only blank lines between) is its answer as
//     `curl -i` prints it: the status line `HTTP/1.1 200 OK`, optionally some
//     headers, then a blank line and the body;
//   - a JSON body is shown whole (no "..."): its keys must be exactly the real
//     answer's keys, at every depth (the first element of a shown array
//     against every real element), values of the same JSON type where both
//     are not null, and an error's code and message word for word;
//   - a text body (/metrics): every shown `#` line must be a line of the
//     answer, every sample line a series with the same name and label names;
//     a line "..." stands for lines left out.
// Pure functions; no I/O.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ferry::test::docs {

// A fenced block of a page: ```LANG [WORDS]
struct fenced_block {
  std::size_t first_line = 0;  // 1-based line of the opening fence
  std::size_t last_line = 0;   // 1-based line of the closing fence; 0 when never closed
  std::string language;        // the info string's first word ("sh", "json", ...); may be empty
  std::string info;            // the whole info string after the backticks
  std::vector<std::string> lines;
  std::string section;         // the nearest "### " heading above it
};

// Every fenced block of a page, in order.
std::vector<fenced_block> fenced_blocks(const std::string& markdown);

// The shell commands of a block: '\' continuations joined, blank lines and
// whole-line comments left out; each with its 1-based line in the page.
std::vector<std::pair<std::size_t, std::string>> block_commands(const fenced_block& block);

struct doc_example {
  std::size_t line = 0;      // 1-based line of the curl command in the page
  std::string section;       // the nearest "### " heading above it
  std::string command;       // the command, continuation lines joined
  std::string status_line;   // "HTTP/1.1 404 Not Found"
  std::vector<std::pair<std::string, std::string>> headers;  // as shown
  std::string body;          // as shown; may be empty
};

struct extraction {
  std::vector<doc_example> examples;
  std::vector<std::string> problems;  // examples that break the convention
  std::vector<std::string> sections;  // every "### " heading, in order
};

extraction extract_examples(const std::string& markdown);

// What an answer looked like on the wire.
struct real_answer {
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Every curl command of a page that is not an example with an answer, as
// docs/operations.md writes them: lines of ```sh blocks starting with "curl "
// ('\' continuations joined, a trailing "# comment" dropped) and inline code
// spans `curl ...` that name an address ($FERRY or http...).
std::vector<std::string> curl_commands(const std::string& markdown);

// The statements of a page's ```sql blocks that start with SELECT.
std::vector<std::string> select_statements(const std::string& markdown);

// Parses what `curl -D FILE` wrote: the last status line and its headers.
real_answer parse_header_dump(const std::string& dump);

// Every difference between the shown answer and the real one; empty when they agree.
std::vector<std::string> compare_answer(const doc_example& shown, const real_answer& real);

// Differences of JSON shape (keys, types) under `path`, as described above.
void compare_shape(const nlohmann::json& shown, const nlohmann::json& real, const std::string& path,
                   std::vector<std::string>& out);

}  // namespace ferry::test::docs
