// The pages run against a real ferryd daemon (jst-sim and a scratch MariaDB
// database behind it) with the system curl and mysql: every curl command and
// SQL example of every page, docs/admin-api.md's answers compared with the
// ones it shows, and every ferry_* name of the docs a metric ferryd serves or
// a table it creates.
#include "doc_checks.hpp"
#include "doc_examples.hpp"
#include "doc_support.hpp"
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
using ferry::test::docs::read_file;
using ferry::test::docs::run_bash;
using ferry::test::docs::single_quoted;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string token = "doc-admin-token";
const std::filesystem::path page = std::filesystem::path{FERRY_SOURCE_DIR} / "docs" / "admin-api.md";

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
  const std::regex name{R"(`((?:ferry|process)_[a-z_]+)`)"};
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

// The statements of `mysql ... -e "..."` commands in a page's ```sh blocks.
std::vector<std::string> mysql_statements(const std::string& markdown) {
  std::vector<std::string> out;
  for (const auto& b : docs::fenced_blocks(markdown)) {
    if (b.language != "sh") continue;
    for (const auto& [line, command] : docs::block_commands(b)) {
      std::string problem;
      for (const auto& inv : docs::invocations(command, problem)) {
        if (inv.program != "mysql") continue;
        const auto e = std::find(inv.args.begin(), inv.args.end(), "-e");
        if (e != inv.args.end() && e + 1 != inv.args.end()) out.push_back(*(e + 1));
      }
    }
  }
  return out;
}

// Runs `statement` with the mysql client in the scratch database; exit code and output.
std::pair<int, std::string> run_sql(const test_database& db, const std::string& statement,
                                    const std::filesystem::path& dir) {
  const auto& o = db.options;
  std::ofstream{dir / "statement.sql"} << statement << ";\n";
  return run_bash("MYSQL_PWD=" + single_quoted(o.password.reveal()) + " mysql -h " + o.host + " -P " + std::to_string(o.port) +
                  " -u " + single_quoted(o.user) + " " + o.database + " < " +
                  single_quoted((dir / "statement.sql").string()) + " 2>&1");
}

}  // namespace

TEST_CASE("every curl command and SQL example of every page works on a real ferryd", "[docs][pages]") {
  running_daemon r{"docs_ops"};
  // The pages' variables; curl fails on an HTTP error status. README.md writes the address out.
  const std::string prelude = "set -o pipefail\nFERRY=http://127.0.0.1:" + std::to_string(r.d.port()) +
                              "\nFERRY_ADMIN_TOKEN=" + single_quoted(token) +
                              "\nauth=(-H \"Authorization: Bearer $FERRY_ADMIN_TOKEN\")\n"
                              "curl() { command curl -sS --fail-with-body --max-time 30 \"$@\"; }\n";
  const auto dir = std::filesystem::temp_directory_path() / ("ferry-docs-tests-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::size_t curls = 0, statements = 0;
  for (const auto& page : docs::doc_pages()) {
    const auto markdown = read_file(docs::repo / page);
    // Examples with an answer block are run and compared by the admin-api test below.
    std::set<std::string> answered;
    for (const auto& e : docs::extract_examples(markdown).examples) answered.insert(e.command);
    for (auto command : docs::curl_commands(markdown)) {
      if (answered.count(command)) continue;
      command = std::regex_replace(command, std::regex{"http://127\\.0\\.0\\.1:8080"}, "$$FERRY");
      const auto [code, out] = run_bash(prelude + command + "\n");
      INFO(page << ": " << command << "\nprinted: " << out);
      CHECK(code == 0);
      CHECK_FALSE(out.empty());
      ++curls;
    }
    auto sql = docs::select_statements(markdown);
    for (auto& s : mysql_statements(markdown)) sql.push_back(std::move(s));
    for (const auto& statement : sql) {
      const auto [code, out] = run_sql(r.db, statement, dir);
      INFO(page << ": " << statement << "\nmysql said: " << out);
      CHECK(code == 0);
      ++statements;
    }
  }
  CHECK(curls >= 15);
  CHECK(statements >= 7);
  std::filesystem::remove_all(dir);
  CHECK(r.d.terminate() == 0);
}

TEST_CASE("every ferry_* name in the docs is a metric ferryd serves or a table it creates", "[docs][names]") {
  running_daemon r{"docs_names"};
  ferry::test_support::http_client client{"127.0.0.1", r.d.port()};
  std::set<std::string> known;
  for (const auto& family : exposed_families(client.get("/metrics").response.body))
    for (const char* suffix : {"", "_bucket", "_sum", "_count"}) known.insert(family + suffix);
  for (const auto& table : {"ferry_jobs", "ferry_windows", "ferry_runs", "ferry_dead_letters", "ferry_sources",
                            "ferry_schema"}) {
    INFO("ferryd creates " << table);
    CHECK(r.db.scalar(std::string{"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                                  "AND table_name = '"} + table + "'") == "1");
    known.insert(table);
  }
  // Not metrics or tables: the migration lock's name and the tests' database prefixes;
  // ferry_job is the metrics' label for the ferry job.
  for (const char* other : {"ferry_migrate", "ferry_t_", "ferry_bench_", "ferry_job"}) known.insert(other);
  const std::regex name{R"(\bferry_[a-z0-9_]+)"};
  for (const auto& page : docs::doc_pages()) {
    const auto text = read_file(docs::repo / page);
    for (std::sregex_iterator it{text.begin(), text.end(), name}, end; it != end; ++it) {
      INFO(page << " names " << it->str());
      CHECK(known.count(it->str()) == 1);
    }
  }
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
