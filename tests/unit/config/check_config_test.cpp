#include "config_test_support.hpp"

#include <sstream>

#include <catch2/catch.hpp>

using namespace ferry::config;
using namespace ferry::config::test;

namespace {

struct run_result {
  int code;
  std::string out;
  std::string err;
};

run_result check(const std::filesystem::path& file) {
  std::ostringstream out, err;
  const int code = check_config_main(file, out, err, example_env());
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("a valid config prints a summary and exits 0", "[config][check]") {
  scratch_dir dir;
  const auto file = dir.write("ferry.json", documented_example);
  const auto r = check(file);
  CHECK(r.code == 0);
  CHECK(r.out == "config OK: 1 source (jst), 1 job (skusn_inout → bi_skusn_inout)\n");
  CHECK(r.err.empty());
}

TEST_CASE("the summary lists every job's tables", "[config][check]") {
  scratch_dir dir;
  auto doc = example_document();
  auto orders = doc["jobs"][0];
  orders["id"] = "orders";
  orders["enabled"] = false;
  orders["targets"][0]["table"] = "bi_orders";
  orders["targets"].push_back(orders["targets"][0]);
  orders["targets"][1]["table"] = "bi_order_items";
  doc["jobs"].push_back(orders);
  doc["sources"]["second"] = doc["sources"]["jst"];
  const auto r = check(dir.write("ferry.json", doc.dump(2)));
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.out ==
        "config OK: 2 sources (jst, second), 2 jobs (skusn_inout → bi_skusn_inout; "
        "orders (disabled) → bi_orders, bi_order_items)\n");
}

TEST_CASE("an invalid config prints every error, then the count, and exits 2", "[config][check]") {
  scratch_dir dir;
  auto doc = example_document();
  doc["mysql"]["pool_sze"] = 4;
  doc["jobs"][0]["source"] = "jst2";
  const auto file = dir.write("bad.json", doc.dump(2));
  const auto r = check(file);
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "mysql.pool_sze: unknown key — did you mean \"pool_size\"?\n"
        "jobs[0].source: \"jst2\" is not a source — defined sources: jst\n"
        "2 errors in " +
            file.string() + "\n");
}

TEST_CASE("one error is counted in the singular", "[config][check]") {
  scratch_dir dir;
  const auto file = dir.write("bad.json", "{");
  const auto r = check(file);
  CHECK(r.code == 2);
  CHECK(r.err.starts_with("JSON syntax error at line 1, column 2: "));
  CHECK(r.err.ends_with("\n1 error in " + file.string() + "\n"));
}

TEST_CASE("a missing or unreadable file exits 2 with its reason", "[config][check]") {
  scratch_dir dir;
  auto r = check(dir.path() / "absent.json");
  CHECK(r.code == 2);
  const auto absent = (dir.path() / "absent.json").string();
  CHECK(r.err == "cannot read " + absent + ": No such file or directory\n1 error in " + absent + "\n");
  r = check(dir.path());
  CHECK(r.code == 2);
  CHECK(r.err.starts_with("cannot read " + dir.path().string() + ": it is a directory\n"));
}

TEST_CASE("relative secret files are found beside the config file", "[config][check]") {
  scratch_dir dir;
  dir.write("jst_secret", "from-file\n");
  auto doc = example_document();
  doc["sources"]["jst"].erase("app_secret_env");
  doc["sources"]["jst"]["app_secret_file"] = "jst_secret";
  const auto file = dir.write("ferry.json", doc.dump());
  const auto result = load_config_file(file, example_env());
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.value);
  CHECK(result.value->sources[0].app_secret.reveal() == "from-file");
  CHECK(check(file).code == 0);
}
