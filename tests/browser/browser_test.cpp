// The status page in a real browser: jst-sim, a scratch MariaDB database and
// ferryd run here; status_page.mjs drives Debian's headless Chromium through
// playwright-core against ferryd's admin port. A missing node or chromium is
// a failure, never a skip.
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <csignal>
#include <iostream>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string token = "browser-admin-token";
const std::string job = "skusn_inout";


json browser_config(std::uint16_t sim_port, const test_database& db) {
  auto config = flow_config(sim_port, db);
  config["jobs"][0]["schedule"] = {{"every", "1h"}};
  config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}};
  config["log"] = {{"level", "warn"}};
  return json::parse(config.dump());
}

// node status_page.mjs with the daemon's address; its output is echoed.
int run_browser_script(std::uint16_t port) {
  ::setenv("FERRY_URL", ("http://127.0.0.1:" + std::to_string(port)).c_str(), 1);
  ::setenv("FERRY_TOKEN", token.c_str(), 1);
  ::setenv("FERRY_JOB", job.c_str(), 1);
  ::setenv("FERRY_SCREENSHOT", FERRY_SCREENSHOT_PATH, 1);
  ferry::test_support::child_process node{"/usr/bin/env", {"node", FERRY_BROWSER_DIR "/status_page.mjs"}};
  std::cout << node.read_all(180s) << std::flush;
  const auto status = node.wait_for(30s);
  return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

}  // namespace

TEST_CASE("the status page lists the job and pauses it, in headless Chromium", "[browser]") {
  if (!std::filesystem::exists("/usr/bin/chromium"))
    FAIL("/usr/bin/chromium is missing: apt-get install -y chromium (deploy/install-deps.sh)");
  if (!std::filesystem::exists(FERRY_BROWSER_DIR "/node_modules/playwright-core"))
    FAIL("playwright-core is missing: the test 'browser: npm ci' installs it");
  sim s{{"--records", "3000", "--limit-per-second", "0", "--limit-per-minute", "0"}};
  test_database db{"browser"};
  set_source_env();
  ::setenv("FERRY_ADMIN_TOKEN", token.c_str(), 1);
  ferryd_daemon d{write_config("browser", browser_config(s.port(), db))};
  eventually([&] { return db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'success'") == "1"; }, 60s,
             "the first run");
  CHECK(db.scalar("SELECT paused FROM ferry_jobs WHERE job_id = '" + job + "'") == "0");

  CHECK(run_browser_script(d.port()) == 0);
  // The page's last click paused the job: ferryd stored it before it answered.
  CHECK(db.scalar("SELECT paused FROM ferry_jobs WHERE job_id = '" + job + "'") == "1");
  CHECK(d.terminate() == 0);
}
