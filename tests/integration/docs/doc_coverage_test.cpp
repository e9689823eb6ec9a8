// Every page of docs/ and README.md, block by block: each fenced block has a
// language this test knows, and each kind is checked against the code
// (doc_checks.hpp lists the conventions). Shell commands name programs the
// test knows and flags those programs accept; console blocks are run and
// their output compared; JSON config examples load through ferry's own
// config loader; C++ blocks are quotes of real files. The curl commands and
// SQL run against a real ferryd in doc_pages_test.cpp.
#include "doc_checks.hpp"
#include "../http/test_cert.hpp"
#include "doc_examples.hpp"
#include "doc_support.hpp"

#include "ferry/config/load.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <vector>

using namespace ferry::test::docs;
namespace fs = std::filesystem;

namespace {

// What checks each page, and how many checked examples it has at least (so
// that examples which silently stop being found fail the test). A new page
// needs a line here.
struct page_entry {
  std::size_t min_examples;
  const char* checked_by;
};
const std::map<std::string, page_entry> coverage{
    {"README.md", {12, "sh: programs, ferryd flags, example configs and jobs, scripts; curl against ferryd"}},
    {"docs/admin-api.md", {60, "sh+http: every curl example against ferryd, answers compared; json loaded"}},
    {"docs/architecture.md", {0, "a text diagram only"}},
    {"docs/configuration.md", {12, "json loaded by the config loader; console: ferryd --check-config run"}},
    {"docs/connectors.md", {10, "cpp: quotes compared with the files they name"}},
    {"docs/operations.md", {50, "sh: programs and flags, curl against ferryd; sql run; ini keys"}},
    {"docs/qeasy.md", {5, "json loaded by the config loader; console: ferryd --check-config and --print-job run; sql run"}},
    {"docs/performance.md", {1, "sh: tests/bench/run.sh and accounts.sh exist, parse, know their flags"}},
    {"docs/ratelimit-and-retry.md", {0, "no examples"}},
    {"docs/reliability.md", {6, "sh: the long-run scripts exist, parse and know their arguments; ctest not run"}},
    {"docs/simulator.md", {2, "sh: jst-sim and jst-sim-load flags against their --help"}},
    {"docs/status-page.md", {0, "no examples"}},
};

const std::set<std::string> languages{"sh", "console", "json", "sql", "cpp", "http", "ini", "text"};

// Programs a page may show but the test cannot run (they need root, systemd or
// a real machine); their repository paths are still checked.
const std::set<std::string> not_run{"install", "sudoedit", "systemctl", "journalctl", "openssl", "promtool", "amtool", "cpack", "apt-get",
                                    "systemd-creds", "shred", "sed", "grep", "printf", "read", "echo", "cat",
                                    "export", "eval", "for", "done", "mysql", "cmake", "curl", "sh", "bash",
                                    "ctest"};

const fs::path ferryd_path{FERRYD_PATH};
const fs::path jst_sim_path{JST_SIM_PATH};
const fs::path build_dir = ferryd_path.parent_path().parent_path();

std::string help_of(const fs::path& binary) {
  static std::map<fs::path, std::string> cache;
  auto& text = cache[binary];
  if (text.empty()) text = run_bash(single_quoted(binary.string()) + " --help 2>&1").second;
  return text;
}

// A path as the page writes it, in the repository or (build*/...) the build.
std::optional<fs::path> local_path(const std::string& arg) {
  static const std::regex repo_path{"(deploy|tests|docs|lib|daemon|admin-api)/[A-Za-z0-9_./-]*"};
  static const std::regex build_path{"build[A-Za-z0-9_-]*/([A-Za-z0-9_./-]+)"};
  std::smatch m;
  if (std::regex_match(arg, repo_path)) return repo / arg;
  if (std::regex_match(arg, m, build_path)) return build_dir / m[1].str();
  return std::nullopt;
}

// A scratch directory of this test process ("ferry-doc-creds-PID"), removed
// when the process ends.
fs::path scratch_dir(const std::string& prefix) {
  struct remover {
    std::vector<fs::path> dirs;
    ~remover() {
      std::error_code ec;
      for (const auto& d : dirs) fs::remove_all(d, ec);
    }
  };
  static remover made;
  const auto dir = fs::temp_directory_path() / (prefix + std::to_string(::getpid()));
  if (std::find(made.dirs.begin(), made.dirs.end(), dir) == made.dirs.end()) made.dirs.push_back(dir);
  fs::create_directories(dir);
  return dir;
}

// ${CREDENTIALS_DIRECTORY}/NAME files for `text`, and an environment in which
// every other variable is set.
ferry::config::env_lookup doc_env(const std::string& text) {
  const auto creds = scratch_dir("ferry-doc-creds-");
  static const std::regex credential{R"(\$\{CREDENTIALS_DIRECTORY\}/([a-z_]+))"};
  for (std::sregex_iterator it{text.begin(), text.end(), credential}, end; it != end; ++it)
    std::ofstream{creds / (*it)[1].str()} << "doc-test-secret\n";
  return [creds](std::string_view name) -> std::optional<std::string> {
    if (name == "CREDENTIALS_DIRECTORY") return creds.string();
    return std::string{"doc-test-value"};
  };
}

// Points every `*_file` path of the example (but ${...} ones) at a scratch file
// of the same name, so that an example naming /etc/ferry/... loads anywhere;
// a `ca_file` gets a certificate (ferry reads it as a PEM bundle).
void redirect_files(nlohmann::ordered_json& value, const fs::path& dir) {
  if (!value.is_object()) return;
  for (auto& [key, member] : value.items()) {
    if (member.is_string() && key.size() > 5 && key.substr(key.size() - 5) == "_file" &&
        member.get<std::string>().find("${") == std::string::npos) {
      const auto file = dir / fs::path{member.get<std::string>()}.filename();
      if (key == "ca_file") std::ofstream{file} << ferry::http::testing::make_self_signed("doc-test-ca", "DNS:localhost").cert_pem;
      else std::ofstream{file} << "doc-test-secret\n";
      member = file.string();
    }
    redirect_files(member, dir);
  }
}

std::string errors_of(const ferry::config::load_result& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

void check_ferryd(const std::vector<std::string>& args, const std::string& where) {
  const auto help = help_of(ferryd_path);
  std::optional<ferry::config::config> loaded;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a.rfind("-", 0) != 0) continue;
    INFO(where << ": ferryd " << a);
    CHECK(help.find(a.size() > 2 ? "--" + a.substr(2) + " " : a + " [") != std::string::npos);
    if ((a == "--config" || a == "-c" || a == "--check-config") && i + 1 < args.size()) {
      const auto file = local_path(args[i + 1]);
      if (!file) continue;  // a file on the operator's machine
      auto r = ferry::config::load_config_file(*file, doc_env(read_file(*file)));
      INFO(errors_of(r));
      CHECK(r.errors.empty());
      loaded = std::move(r.value);
    }
    if ((a == "--from" || a == "--to") && i + 1 < args.size())
      CHECK(std::regex_match(args[i + 1], std::regex{R"(\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d)?)"}));
  }
  const auto once = std::find(args.begin(), args.end(), "--once");
  if (loaded && once != args.end() && once + 1 != args.end()) {
    INFO(where << ": job " << *(once + 1));
    CHECK(loaded->find_job(*(once + 1)) != nullptr);
  }
}

void check_script(const invocation& inv, const fs::path& script, const std::string& where) {
  INFO(where << ": " << inv.program);
  CHECK((fs::status(script).permissions() & fs::perms::owner_exec) != fs::perms::none);
  CHECK(run_bash("bash -n " + single_quoted(script.string()) + " 2>&1").first == 0);
  const auto text = read_file(script);
  for (const auto& a : inv.args) {
    if (a.empty() || a[0] == '$' || a[0] == '#') continue;
    INFO("argument " << a << " must appear in the script");
    std::string literal;
    for (const char c : a) literal += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? std::string(1, c)
                                      : c == '\\' || c == '^' || c == ']'                    ? std::string{"\\"} + c
                                                                                            : "[" + std::string(1, c) + "]";
    CHECK(std::regex_search(text, std::regex{"(^|[\\s|(\"'])" + literal + "([\\s|)\"'=]|$)"}));
  }
}

void check_invocation(const invocation& inv, const std::string& where) {
  const auto name = program_name(inv.program);
  if (const auto p = local_path(inv.program)) {
    INFO(where << ": " << inv.program);
    CHECK(fs::exists(*p));
  }
  for (const auto& a : inv.args)
    if (const auto p = local_path(a)) {
      INFO(where << ": " << a);
      CHECK(fs::exists(*p));
    }
  if (name == "ferryd") return check_ferryd(inv.args, where);
  if (name == "jst-sim" || name == "jst-sim-load") {
    const auto help = help_of(jst_sim_path.parent_path() / name);
    for (const auto& a : inv.args)
      if (a.rfind("--", 0) == 0) {
        INFO(where << ": " << name << " " << a);
        CHECK(help.find(a + " ") != std::string::npos);
      }
    return;
  }
  if (name == "ninja") {
    const auto target = std::find_if(inv.args.begin(), inv.args.end(), [](const auto& a) { return a[0] != '-' && a != "build"; });
    if (target == inv.args.end()) return;
    INFO(where << ": ninja target " << *target);
    CHECK(run_bash("ninja -C " + single_quoted(build_dir.string()) + " -t query " + single_quoted(*target) + " >/dev/null 2>&1").first == 0);
    return;
  }
  if (const auto p = local_path(inv.program); p && inv.program.size() > 3 && inv.program.substr(inv.program.size() - 3) == ".sh")
    return check_script(inv, *p, where);
  INFO(where << ": `" << inv.program << "` is a program the docs test does not know: check it in "
             << "tests/integration/docs/doc_coverage_test.cpp, or list it in not_run");
  CHECK(not_run.count(name) == 1);
}

// Counts a page's checked examples.
std::size_t examples_in(const std::string& markdown) {
  std::size_t n = 0;
  for (const auto& b : fenced_blocks(markdown)) {
    if (b.language == "sh") n += block_commands(b).size();
    else if (b.language == "console") n += static_cast<std::size_t>(std::count_if(b.lines.begin(), b.lines.end(), [](const auto& l) { return l.rfind("$ ", 0) == 0; }));
    else if (b.language != "text") ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("every page has a coverage entry and keeps its examples", "[docs][coverage]") {
  const auto pages = doc_pages();
  for (const auto& page : pages) {
    INFO(page << " has no entry in `coverage` of tests/integration/docs/doc_coverage_test.cpp: add one saying what "
                 "checks its examples");
    REQUIRE(coverage.count(page) == 1);
    INFO(page << ": fewer checked examples than its entry expects (a fence lost its language?)");
    CHECK(examples_in(read_file(repo / page)) >= coverage.at(page).min_examples);
  }
  for (const auto& [page, entry] : coverage) {
    INFO(page << " is listed but missing");
    CHECK(std::find(pages.begin(), pages.end(), page) != pages.end());
  }
}

TEST_CASE("every fenced block has a language the docs test checks", "[docs][coverage]") {
  for (const auto& page : doc_pages())
    for (const auto& b : fenced_blocks(read_file(repo / page))) {
      INFO(page << " line " << b.first_line << ": ```" << b.info);
      CHECK(languages.count(b.language) == 1);
      CHECK(b.last_line != 0);
    }
}

TEST_CASE("every shell command runs a program the docs test knows, with flags it accepts", "[docs][coverage]") {
  for (const auto& page : doc_pages())
    for (const auto& b : fenced_blocks(read_file(repo / page))) {
      if (b.language != "sh") continue;
      std::string text;
      for (const auto& l : b.lines) text += l + "\n";
      const auto where = page + " line " + std::to_string(b.first_line);
      INFO(where << ": bash -n");
      CHECK(run_bash("bash -n <<'FERRY_DOC_EOF' 2>&1\n" + text + "FERRY_DOC_EOF\n").first == 0);
      for (const auto& [line, command] : block_commands(b)) {
        std::string problem;
        const auto all = invocations(command, problem);
        const auto at = page + " line " + std::to_string(line);
        INFO(at << ": " << problem);
        CHECK(problem.empty());
        for (const auto& inv : all) check_invocation(inv, at);
      }
    }
}

TEST_CASE("every console block prints what the page shows", "[docs][coverage]") {
  // Commands run in a folder holding the fixtures the pages name and the repository's deploy/.
  const auto dir = fs::temp_directory_path() / ("ferry-doc-console-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const auto& f : fs::directory_iterator{repo / "tests/integration/docs/fixtures"})
    fs::copy_file(f.path(), dir / f.path().filename(), fs::copy_options::overwrite_existing);
  if (!fs::exists(dir / "deploy")) fs::create_directory_symlink(repo / "deploy", dir / "deploy");
  const std::string prelude = "cd " + single_quoted(dir.string()) + "\nexport PATH=" +
                              single_quoted(ferryd_path.parent_path().string() + ":" + jst_sim_path.parent_path().string()) +
                              ":$PATH\nexport JST_APP_SECRET=demo-secret JST_ACCESS_TOKEN=demo-access-token "
                              "JST_REFRESH_TOKEN=demo-refresh-token FERRY_MYSQL_PASSWORD=doc-test\n";
  std::size_t steps_run = 0;
  for (const auto& page : doc_pages())
    for (const auto& b : fenced_blocks(read_file(repo / page))) {
      if (b.language != "console") continue;
      std::string problem;
      const auto steps = console_steps(b.lines, problem);
      INFO(page << " line " << b.first_line << ": " << problem);
      CHECK(problem.empty());
      for (const auto& step : steps) {
        const auto [code, out] = run_bash(prelude + step.command + " 2>&1\n");
        INFO("$ " << step.command << " (exit " << code << ")");
        const auto trimmed = [](const std::string& t) { return t.substr(0, t.find_last_not_of('\n') + 1); };
        CHECK(trimmed(out) == trimmed(step.output));
        ++steps_run;
      }
    }
  CHECK(steps_run >= 3);
  fs::remove_all(dir);
}

TEST_CASE("every JSON config example loads through ferry's config loader", "[docs][coverage]") {
  const auto base = nlohmann::ordered_json::parse(read_file(repo / "deploy/examples/orders.json"), nullptr, true, true);
  std::size_t loaded = 0;
  for (const auto& page : doc_pages())
    for (const auto& b : fenced_blocks(read_file(repo / page))) {
      if (b.language != "json") continue;
      std::string text;
      for (const auto& l : b.lines) text += l + "\n";
      INFO(page << " line " << b.first_line << ":\n" << text);
      if (b.info == "json answer") {
        CHECK_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded());
        continue;
      }
      std::string problem;
      auto config = place_config_example(text, base, problem);
      INFO(problem);
      REQUIRE(config);
      const auto files = scratch_dir("ferry-doc-files-");
      redirect_files(*config, files);
      const auto r = ferry::config::load_config_text(config->dump(2), doc_env(text), repo);
      INFO("errors:\n" << errors_of(r));
      CHECK(r.errors.empty());
      ++loaded;
    }
  CHECK(loaded >= 8);
}

TEST_CASE("every C++ block quotes the file named on its first line", "[docs][coverage]") {
  for (const auto& page : doc_pages())
    for (const auto& b : fenced_blocks(read_file(repo / page))) {
      if (b.language != "cpp") continue;
      INFO(page << " line " << b.first_line);
      REQUIRE_FALSE(b.lines.empty());
      REQUIRE(b.lines[0].rfind("// ", 0) == 0);
      const auto file = repo / b.lines[0].substr(3);
      REQUIRE(fs::exists(file));
      CHECK(quote_problem({b.lines.begin() + 1, b.lines.end()}, read_file(file)) == "");
    }
}

TEST_CASE("every ini block sets keys that deploy/systemd/ferryd.service sets", "[docs][coverage]") {
  const auto unit = read_file(repo / "deploy/systemd/ferryd.service");
  for (const auto& page : doc_pages())
    for (const auto& b : fenced_blocks(read_file(repo / page))) {
      if (b.language != "ini") continue;
      for (const auto& line : b.lines) {
        if (line.empty() || line[0] == '[' || line[0] == '#') {
          INFO(page << ": " << line);
          CHECK((line.empty() || line[0] == '#' || unit.find(line) != std::string::npos));
          continue;
        }
        INFO(page << " line " << b.first_line << ": " << line);
        CHECK(unit.find("\n" + line.substr(0, line.find('=') + 1)) != std::string::npos);
      }
    }
}

TEST_CASE("README links every page of docs/, and every relative link of the docs exists", "[docs][coverage]") {
  const auto readme = read_file(repo / "README.md");
  for (const auto& page : doc_pages()) {
    if (page == "README.md") continue;
    INFO("README.md's \"Where to go next\" must link " << page);
    CHECK(readme.find("](" + page + ")") != std::string::npos);
  }
  const std::regex link{R"(\]\(([^)#:\s]+)(#[^)]*)?\))"};
  for (const auto& page : doc_pages()) {
    const auto text = read_file(repo / page);
    for (std::sregex_iterator it{text.begin(), text.end(), link}, end; it != end; ++it) {
      INFO(page << " links " << (*it)[1]);
      CHECK(fs::exists((repo / page).parent_path() / (*it)[1].str()));
    }
  }
}
