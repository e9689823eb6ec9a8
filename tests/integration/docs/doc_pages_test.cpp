// docs/admin-api.md and docs/operations.md, run against a real ferryd daemon
// (jst-sim and a scratch MariaDB database behind it) with the system curl and
// mysql: every example answer compared with the one the page shows.
#include "doc_examples.hpp"
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string token = "doc-admin-token";
const std::filesystem::path page = std::filesystem::path{FERRY_SOURCE_DIR} / "docs" / "admin-api.md";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A running ferryd with authorised shortcuts for the test's own calls.
class daemon_process : public ferryd_daemon {
 public:
  using ferryd_daemon::ferryd_daemon;
  json get(const std::string& target) {
    ferry::test_support::http_client client{"127.0.0.1", port(), 30s};
    client.set_header("Authorization", "Bearer " + token);
    const auto r = client.get(target);
    if (!r.ok()) throw std::runtime_error("GET " + target + " failed");
    return json::parse(r.response.body);
  }
  unsigned post(const std::string& target, const std::string& body) {
    ferry::test_support::http_client client{"127.0.0.1", port(), 30s};
    client.set_header("Authorization", "Bearer " + token);
    return client.post_json(target, body).response.status;
  }
};

// The job of the page: one call a second and one-day windows, so that a
// backfill of three weeks keeps the job busy while the examples run.
json doc_config(std::uint16_t sim_port, const test_database& db) {
  auto config = flow_config(sim_port, db);
  config["sources"]["jst"]["rate_limits"] = {{{"calls", 1}, {"per", "1s"}}};
  config["jobs"][0]["window"] = {{"start", "2026-01-25 00:00:00"}, {"max_span", "1d"}, {"lag", "60s"},
                                 {"lookback", "5m"}, {"end", "2026-02-01 00:00:00"}};
  config["jobs"][0]["schedule"] = {{"every", "1h"}};
  config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}, {"shutdown_timeout", "20s"}};
  config["log"] = {{"level", "warn"}};
  return json::parse(config.dump());
}

std::string single_quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

// Runs `script` in bash; its exit code and stdout.
std::pair<int, std::string> run_bash(const std::string& script) {
  ferry::test_support::child_process bash{"/bin/bash", {"-c", script}};
  auto out = bash.read_all(60s);
  const auto status = bash.wait_for(60s);
  return {status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, std::move(out)};
}

struct ran {
  int exit_code = -1;
  docs::real_answer answer;
};

// Runs the page's command in bash with the page's variables set for this
// daemon; `curl` is the system curl writing headers and body to files.
ran run_example(const std::string& command, std::uint16_t port, const std::filesystem::path& dir) {
  const auto headers = dir / "headers";
  const auto body = dir / "body";
  std::filesystem::remove(headers);
  std::filesystem::remove(body);
  const std::string script =
      "FERRY=http://127.0.0.1:" + std::to_string(port) + "\n" + "FERRY_ADMIN_TOKEN=" + single_quoted(token) + "\n" +
      "auth=(-H \"Authorization: Bearer $FERRY_ADMIN_TOKEN\")\n" +
      "curl() { command curl -sS --max-time 30 -D " + single_quoted(headers.string()) + " -o " +
      single_quoted(body.string()) + " \"$@\"; }\n" + command + "\n";
  ran result;
  result.exit_code = run_bash(script).first;
  if (std::filesystem::exists(headers)) result.answer = docs::parse_header_dump(read_file(headers));
  if (std::filesystem::exists(body)) result.answer.body = read_file(body);
  return result;
}

// The families the page's Metrics table lists.
std::set<std::string> documented_families(const std::string& markdown) {
  std::set<std::string> names;
  const auto at = markdown.find("\n## Metrics");
  if (at == std::string::npos) return names;
  const std::regex row{R"(\n\|([^|\n]*)\|)"};
  const std::regex name{R"(`(ferry_[a-z_]+)`)"};
  const auto section = markdown.substr(at);
  for (std::sregex_iterator r{section.begin(), section.end(), row}, end; r != end; ++r) {
    const std::string cell = (*r)[1];
    for (std::sregex_iterator n{cell.begin(), cell.end(), name}; n != end; ++n) names.insert((*n)[1]);
  }
  return names;
}

std::set<std::string> exposed_families(const std::string& exposition) {
  std::set<std::string> names;
  std::istringstream in{exposition};
  for (std::string line; std::getline(in, line);)
    if (line.rfind("# TYPE ", 0) == 0) names.insert(line.substr(7, line.find(' ', 7) - 7));
  return names;
}

// jst-sim, a scratch database and ferryd on doc_config, after the job's first run.
struct running_daemon {
  explicit running_daemon(const std::string& name)
      : s{{"--records", "3000", "--limit-per-second", "0", "--limit-per-minute", "0"}},
        db{name},
        d{[&] {
          set_source_env();
          ::setenv("FERRY_ADMIN_TOKEN", token.c_str(), 1);
          return write_config(name, doc_config(s.port(), db));
        }()} {
    eventually([&] { return db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'success'") == "1"; }, 60s,
               "the first run");
  }
  sim s;
  test_database db;
  daemon_process d;
};


}  // namespace

TEST_CASE("every curl command and SELECT of docs/operations.md works on a real ferryd", "[docs][operations]") {
  const auto markdown = read_file(std::filesystem::path{FERRY_SOURCE_DIR} / "docs" / "operations.md");
  const auto curls = docs::curl_commands(markdown);
  const auto selects = docs::select_statements(markdown);
  REQUIRE(curls.size() >= 10);
  REQUIRE(selects.size() >= 5);
  running_daemon r{"docs_ops"};
  // The page's variables; curl fails on an HTTP error status.
  const std::string prelude = "set -o pipefail\nFERRY=http://127.0.0.1:" + std::to_string(r.d.port()) +
                              "\nFERRY_ADMIN_TOKEN=" + single_quoted(token) +
                              "\nauth=(-H \"Authorization: Bearer $FERRY_ADMIN_TOKEN\")\n"
                              "curl() { command curl -sS --fail-with-body --max-time 30 \"$@\"; }\n";
  for (const auto& command : curls) {
    const auto [code, out] = run_bash(prelude + command + "\n");
    INFO("docs/operations.md: " << command << "\nprinted: " << out);
    CHECK(code == 0);
    CHECK_FALSE(out.empty());
  }
  const auto& o = r.db.options;
  const auto dir = std::filesystem::temp_directory_path() / ("ferry-docs-tests-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const auto& statement : selects) {
    std::ofstream{dir / "statement.sql"} << statement << ";\n";
    const auto [code, out] = run_bash("MYSQL_PWD=" + single_quoted(o.password) + " mysql -h " + o.host + " -P " +
                                      std::to_string(o.port) + " -u " + single_quoted(o.user) + " " + o.database +
                                      " < " + single_quoted((dir / "statement.sql").string()) + " 2>&1");
    INFO("docs/operations.md: " << statement << "\nmysql said: " << out);
    CHECK(code == 0);
  }
  std::filesystem::remove_all(dir);
  CHECK(r.d.terminate() == 0);
}

TEST_CASE("every curl example of docs/admin-api.md answers as the page shows", "[docs][admin_api]") {
  const auto markdown = read_file(page);
  const auto found = docs::extract_examples(markdown);
  for (const auto& problem : found.problems) FAIL_CHECK("docs/admin-api.md " << problem);
  REQUIRE(found.problems.empty());
  REQUIRE(found.examples.size() >= 25);
  std::set<std::string> endpoints_shown;
  for (const auto& e : found.examples) endpoints_shown.insert(e.section);
  for (const auto& section : found.sections)
    if (std::regex_match(section, std::regex{"(GET|POST|PATCH|PUT|DELETE) /.*"})) {
      INFO("section ### " << section);
      CHECK(endpoints_shown.count(section) == 1);
    }

  running_daemon r{"docs_api"};
  auto& d = r.d;
  REQUIRE(d.post("/api/v1/jobs/skusn_inout/backfills", R"({"from":"2026-01-01","to":"2026-01-25"})") == 202);
  eventually([&] { return d.get("/api/v1/jobs/skusn_inout")["state"] == "running"; }, 30s, "the backfill to start");

  const auto dir = std::filesystem::temp_directory_path() / ("ferry-docs-tests-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const auto& example : found.examples) {
    const auto result = run_example(example.command, d.port(), dir);
    INFO("docs/admin-api.md line " << example.line << ": " << example.command);
    INFO("answer: " << result.answer.status_line << "\n" << result.answer.body);
    CHECK(result.exit_code == 0);
    for (const auto& difference : docs::compare_answer(example, result.answer)) FAIL_CHECK(difference);
  }
  // The backfill was still running: the 202/409 pair of triggers saw a busy job.
  CHECK(d.get("/api/v1/jobs/skusn_inout")["backfills_queued"] == 1);

  ferry::test_support::http_client client{"127.0.0.1", d.port()};
  const auto exposed = exposed_families(client.get("/metrics").response.body);
  const auto listed = documented_families(markdown);
  CHECK(listed.size() >= 15);
  for (const auto& name : exposed) {
    INFO("ferryd exposes " << name);
    CHECK(listed.count(name) == 1);
  }
  for (const auto& name : listed) {
    INFO("the page lists " << name);
    CHECK(exposed.count(name) == 1);
  }
  std::filesystem::remove_all(dir);
  CHECK(d.terminate() == 0);
}
