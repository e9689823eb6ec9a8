// The page reading the coverage test relies on, on small inputs: a command,
// console block, quote or config fragment the test misreads would let a
// stale page pass.
#include "doc_checks.hpp"

#include <catch2/catch.hpp>

using namespace ferry::test::docs;

namespace {

std::vector<std::string> programs(const std::string& command) {
  std::string problem;
  std::vector<std::string> out;
  for (const auto& inv : invocations(command, problem)) out.push_back(inv.program);
  if (!problem.empty()) out.push_back("problem: " + problem);
  return out;
}

}  // namespace

TEST_CASE("a command's programs are found behind sudo, assignments, pipes and substitutions", "[docs][checks]") {
  CHECK(programs("sudo CREDENTIALS_DIRECTORY=/etc/x ferryd --check-config /etc/ferry/ferry.json") ==
        std::vector<std::string>{"ferryd"});
  CHECK(programs("journalctl -u ferryd --since today | grep -E 'level=(warning|error)'") ==
        std::vector<std::string>{"journalctl", "grep"});
  CHECK(programs("eval \"$(deploy/mariadb-local.sh env)\"            # FERRY_MYSQL_*") ==
        std::vector<std::string>{"deploy/mariadb-local.sh", "eval"});
  CHECK(programs("export FERRY_MYSQL_PASSWORD=$(cat var/mariadb/ferry.password)") ==
        std::vector<std::string>{"cat", "export"});
  CHECK(programs("auth=(-H \"Authorization: Bearer $FERRY_ADMIN_TOKEN\")").empty());
  CHECK(programs("for n in a b; do") == std::vector<std::string>{"for"});
  CHECK(programs("sudo sh -c \"systemd-creds encrypt --name=$n a b && shred -u a\"") ==
        std::vector<std::string>{"systemd-creds", "shred", "sh"});
  CHECK(programs("echo 'unclosed") == std::vector<std::string>{"problem: an unclosed quote or $( in: echo 'unclosed"});
  std::string problem;
  const auto inv = invocations(R"(ferryd --once j --from "2026-01-01 00:00:00" \# x)", problem);
  REQUIRE(inv.size() == 1);
  CHECK(inv[0].args == std::vector<std::string>{"--once", "j", "--from", "2026-01-01 00:00:00", "#", "x"});
  CHECK(program_name("build/daemon/ferryd") == "ferryd");
}

TEST_CASE("console blocks are read as commands and the lines they print", "[docs][checks]") {
  std::string problem;
  const auto steps = console_steps({"$ ferryd --check-config a.json", "config OK", "", "$ true"}, problem);
  CHECK(problem.empty());
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].command == "ferryd --check-config a.json");
  CHECK(steps[0].output == "config OK\n");
  CHECK(steps[1].output.empty());
  console_steps({"output without a command"}, problem);
  CHECK_FALSE(problem.empty());
}

TEST_CASE("a C++ block must be consecutive lines of its file", "[docs][checks]") {
  const std::string file = "int a;\n  int b;   \nint c;\n";
  CHECK(quote_problem({"  int b;", "int c;"}, file).empty());
  CHECK(quote_problem({"int a;", "int c;"}, file) == "not in the file, in this order: int c;");
  CHECK(quote_problem({"int d;"}, file) == "not in the file, in this order: int d;");
}

TEST_CASE("config fragments are placed where their keys belong", "[docs][checks]") {
  const auto base = nlohmann::ordered_json::parse(
      R"({"mysql":{},"sources":{"jst":{"type":"jushuitan"}},"jobs":[{"id":"j","targets":[{"table":"t"}]}]})");
  std::string problem;
  auto c = place_config_example(R"("admin": {"listen": "127.0.0.1:0"})", base, problem);
  REQUIRE(c);
  CHECK((*c)["admin"]["listen"] == "127.0.0.1:0");
  c = place_config_example(R"("$schema": "/usr/share/ferry/ferry.schema.json")", base, problem);
  REQUIRE(c);
  CHECK((*c)["$schema"] == "/usr/share/ferry/ferry.schema.json");
  c = place_config_example(R"("request": {"a": 1}, "page_size": 5)", base, problem);
  REQUIRE(c);
  CHECK((*c)["jobs"][0]["request"]["a"] == 1);
  CHECK((*c)["jobs"][0]["page_size"] == 5);
  auto with_env = base;
  with_env["sources"]["jst"]["app_secret_env"] = "E";
  c = place_config_example(R"("app_secret_file": "x")", with_env, problem);
  REQUIRE(c);
  CHECK((*c)["sources"]["jst"]["app_secret_file"] == "x");
  CHECK_FALSE((*c)["sources"]["jst"].contains("app_secret_env"));
  c = place_config_example(R"({"table": "u", "key": ["k"]})", base, problem);
  REQUIRE(c);
  CHECK((*c)["jobs"][0]["targets"][0]["table"] == "u");
  c = place_config_example(R"({"mysql": {"user": "u"}})", base, problem);
  REQUIRE(c);
  CHECK((*c)["mysql"]["user"] == "u");
  CHECK((*c)["jobs"][0]["id"] == "j");
  c = place_config_example(R"({"mysql": {}, "sources": {}, "jobs": []})", base, problem);
  REQUIRE(c);
  CHECK((*c)["jobs"].empty());
  CHECK_FALSE(place_config_example(R"("nonsense": 1)", base, problem));
  CHECK(problem == "cannot tell where \"nonsense\" goes: write it inside its section");
  CHECK_FALSE(place_config_example("{not json", base, problem));
}
