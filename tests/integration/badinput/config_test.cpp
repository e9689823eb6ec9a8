// Bad configs and command lines through the real ferryd: each exits 2 with a
// line naming the field, in every mode, before anything is started.
#include "badinput.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace ferry::test;
using namespace std::chrono_literals;
using nlohmann::ordered_json;

namespace {

const char* const admin_token = "badinput-admin-token";

ordered_json base_config(std::uint16_t sim_port, const test_database& db) {
  auto config = flow_config(sim_port, db);
  config["jobs"][0]["schedule"] = {{"every", "1h"}};
  config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}};
  return config;
}

bool has_line_starting(const std::string& text, const std::string& prefix) {
  std::size_t at = 0;
  while (at < text.size()) {
    if (text.compare(at, prefix.size(), prefix) == 0) return true;
    at = text.find('\n', at);
    if (at == std::string::npos) break;
    ++at;
  }
  return false;
}

std::string joined(const std::vector<std::string>& args) {
  std::string out = "ferryd";
  for (const auto& a : args) out += " " + a;
  return out;
}

std::filesystem::path write_text(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / "ferry-badinput" / name;
  std::ofstream{path, std::ios::binary | std::ios::trunc} << text;
  return path;
}

// The three ways ferryd reads a config: the check, the daemon and one run.
std::vector<std::vector<std::string>> modes(const std::string& file) {
  return {{"--check-config", file}, {"--config", file}, {"--config", file, "--once", "skusn_inout"}};
}

struct env_fixture {
  env_fixture() {
    set_source_env();
    ::setenv("FERRY_ADMIN_TOKEN", admin_token, 1);
    ::unsetenv("FERRY_BADINPUT_UNSET");
  }
};

}  // namespace

TEST_CASE("every bad config exits 2 naming its field in every mode, and nothing starts", "[badinput][config]") {
  env_fixture env;
  sim s{{"--records", "100", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"bad_config"};
  const auto files = make_scratch_files();
  const auto base = base_config(s.port(), db);
  // The unchanged config is good, so each failure below is its case's doing.
  const auto good = run_ferryd_all({"--check-config", write_text("good.json", base.dump(2)).string()}, 30s);
  INFO(good.out);
  REQUIRE(good.exit_code == 0);

  const auto cases = config_cases(files);
  std::size_t runs = 0;
  for (const auto& c : cases) {
    auto config = base;
    if (c.change_json) c.change_json(config);
    auto text = config.dump(2);
    if (c.change_text) text = c.change_text(text);
    const auto file = write_text("bad.json", text).string();
    for (const auto& args : modes(file)) {
      const auto r = run_ferryd_all(args, 20s);
      INFO("case: " << c.name << "\n" << joined(args) << " → exit " << r.exit_code << "\n" << r.out);
      CHECK(r.exit_code == 2);
      CHECK(has_line_starting(r.out, c.expect));
      CHECK(r.out.find("admin listening") == std::string::npos);
      if (args[0] == "--check-config")
        CHECK(has_line_starting(r.out, std::to_string(c.errors) + (c.errors == 1 ? " error in " : " errors in ")));
      ++runs;
    }
  }
  // A config file that is missing or cannot be read at all.
  for (const auto& path : {files.missing, files.directory}) {
    for (const auto& args : modes(path.string())) {
      const auto r = run_ferryd_all(args, 20s);
      INFO(joined(args) << " → exit " << r.exit_code << "\n" << r.out);
      CHECK(r.exit_code == 2);
      CHECK(has_line_starting(r.out, "cannot read " + path.string()));
      ++runs;
    }
  }
  // Nothing reached MySQL or the source.
  CHECK(db.scalar("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()") == "0");
  CHECK(s.stats()["business_calls"] == 0);
  CHECK(cases.size() >= 40);
  WARN("bad inputs tried: config=" << cases.size() + 2 << " (" << runs << " ferryd runs)");
}

TEST_CASE("bad command lines exit 2 naming the flag, before anything starts", "[badinput][cli]") {
  env_fixture env;
  sim s{{"--records", "100", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"bad_cli"};
  const auto file = write_config("bad_cli", base_config(s.port(), db)).string();
  struct cli_case {
    std::vector<std::string> args;
    std::string expect;  // printed somewhere in the output
  };
  const std::vector<cli_case> cases{
      {{"--config", file, "--once", "nope"}, "no job \"nope\""},
      {{"--config", file, "--once", "skusn_inout", "--from", "2026-13-01", "--to", "2026-01-02"}, "--from"},
      {{"--config", file, "--once", "skusn_inout", "--from", "2026-01-01", "--to", "yesterday"}, "--to"},
      {{"--config", file, "--once", "skusn_inout", "--from", "2026-01-05", "--to", "2026-01-01"}, "--to must be after --from"},
      {{"--config", file, "--once", "skusn_inout", "--from", "2026-01-01"}, "--from and --to go together"},
      {{"--config", file, "--catch-up"}, "--catch-up goes with --once JOB"},
      {{"--config", file, "--from", "2026-01-01", "--to", "2026-01-02"}, "--from goes with --once JOB"},
      {{"--config", file, "--once", "skusn_inout", "--catch-up"}, "job skusn_inout has no catch-up"},
      {{"--config", file, "--print-job", "nope"}, "no job \"nope\""},
      {{"--config", file, "--print-job", "skusn_inout", "--once", "skusn_inout"}, "do not go together"},
      {{"--config", file, "--bogus"}, "bogus"},
      {{"--check-config"}, "check-config"},
      {{}, "--config FILE"},
  };
  for (const auto& c : cases) {
    const auto r = run_ferryd_all(c.args, 20s);
    INFO(joined(c.args) << " → exit " << r.exit_code << "\n" << r.out);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find(c.expect) != std::string::npos);
  }
  CHECK(db.scalar("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()") == "0");
  CHECK(s.stats()["business_calls"] == 0);
  WARN("bad inputs tried: command line=" << cases.size());
}
