#pragma once
// The pieces of a page that tests/integration/docs checks, taken apart:
// the programs a shell command runs, the command/output pairs of a console
// block, a C++ block quoted from a file, and a JSON config fragment placed
// into a whole config. Pure functions; no I/O.
//
// The conventions they read (docs/connectors.md and every other page follow them):
//   ```sh      commands; every program must be one the test knows how to check
//   ```console "$ command" lines, each followed by the output it prints
//   ```json    a config file or a fragment of one (`"admin": {...}`, a target object, ...)
//   ```json answer   a JSON body the admin API sends (parsed, not loaded as config)
//   ```sql     statements; SELECTs run against a real ferry database
//   ```cpp     first line "// PATH": the rest must be lines of that file, in order
//   ```http    the answer of the curl example just above (docs/admin-api.md)
//   ```ini     a systemd drop-in: its keys must be keys of deploy/systemd/ferryd.service
//   ```text    pictures and illustrations: not checked
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ferry::test::docs {

// One program started by a command: `sudo`, `VAR=value` prefixes and shell
// keywords taken off; what `$(...)` and `sh -c '...'` run are invocations too.
struct invocation {
  std::string program;            // as written: "build/daemon/ferryd", "curl"
  std::vector<std::string> args;  // quotes removed
};

// The invocations of one command line; `problem` says why a line could not be read.
std::vector<invocation> invocations(const std::string& command, std::string& problem);

// The basename of a program path: "build/daemon/ferryd" -> "ferryd".
std::string program_name(const std::string& program);

struct console_step {
  std::string command;  // after "$ "
  std::string output;   // the lines shown under it, joined with '\n'
};

// The steps of a console block; `problem` is set when it has no "$ " line
// or text before the first one.
std::vector<console_step> console_steps(const std::vector<std::string>& lines, std::string& problem);

// Whether `quoted` (a cpp block without its "// PATH" line) is a run of
// consecutive lines of `file`, trailing spaces ignored; empty when it is,
// else the first quoted line not found in order.
std::string quote_problem(const std::vector<std::string>& quoted, const std::string& file);

// Places a JSON config example into `base` (a whole config with one source
// and one job): an example with "jobs" is a whole config and replaces it;
// `"key": value` members (the block may leave out the outer braces) replace
// a top-level section (mysql, sources, log, admin) or go into the first job
// or the first source, by key; an object with "table" is the job's only target.
// nullopt and `problem` set when the block is not JSON or its place is unknown.
std::optional<nlohmann::ordered_json> place_config_example(const std::string& block_text,
                                                           const nlohmann::ordered_json& base, std::string& problem);

}  // namespace ferry::test::docs
