#include "config_test_support.hpp"

#include <sstream>

#include <fmt/format.h>

#include <catch2/catch.hpp>

using namespace ferry::config;
using namespace ferry::config::test;

TEST_CASE("a secret prints as *** through streams and fmt", "[config][secret]") {
  const secret s{"topsecret", "environment variable X"};
  std::ostringstream out;
  out << s;
  CHECK(out.str() == "***");
  CHECK(fmt::format("{}", s) == "***");
  CHECK(fmt::format("[{:>5}]", s) == "[  ***]");
  CHECK(s.reveal() == "topsecret");
  CHECK(s.origin() == "environment variable X");
  CHECK_FALSE(s.empty());
  CHECK(secret{}.empty());
}

TEST_CASE("a loaded secret never shows in a formatted config value", "[config][secret]") {
  const auto result = load(example_document());
  REQUIRE(result.value);
  std::ostringstream out;
  out << result.value->sources[0].app_secret << ' ' << result.value->mysql.password;
  CHECK(out.str() == "*** ***");
  CHECK(fmt::format("{}", *result.value->sources[0].refresh_token) == "***");
}

TEST_CASE("an empty environment variable is refused", "[config][secret]") {
  auto env = fake_env({{"FERRY_MYSQL_PASSWORD", ""},
                       {"JST_APP_SECRET", "a"},
                       {"JST_ACCESS_TOKEN", "b"},
                       {"JST_REFRESH_TOKEN", "c"}});
  const auto result = load_config_text(example_document().dump(), env, "/nonexistent");
  REQUIRE(result.errors.size() == 1);
  CHECK(
      result.errors[0].to_string() ==
      "mysql.password_env: environment variable FERRY_MYSQL_PASSWORD is empty — give it the secret's value");
}

TEST_CASE("errors about secrets never carry their values", "[config][secret]") {
  // Every variable set, to values that must not show; then break everything around them.
  auto doc = example_document();
  doc["mysql"]["password"] = "inline-value-1";
  doc["sources"]["jst"]["app_secret_file"] = "nope";
  doc["sources"]["jst"]["access_token"] = "inline-value-2";
  const auto result = load(doc);
  REQUIRE(result.errors.size() == 3);
  for (const auto& e : result.errors) {
    const auto text = e.to_string();
    CHECK(text.find("inline-value") == std::string::npos);
    CHECK(text.find("app-secret-value") == std::string::npos);
    CHECK(text.find("access-token-value") == std::string::npos);
    CHECK(text.find("mysql-pw") == std::string::npos);
  }
}

TEST_CASE("secrets read from files lose their trailing newline", "[config][secret]") {
  scratch_dir dir;
  dir.write("app_secret", "file-secret\n");
  dir.write("token", "file-token\r\n");
  std::filesystem::create_directories(dir.path() / "sub");
  dir.write("sub/refresh", "  spaced refresh  ");
  auto doc = example_document();
  auto& jst = doc["sources"]["jst"];
  jst.erase("app_secret_env");
  jst.erase("access_token_env");
  jst.erase("refresh_token_env");
  jst["app_secret_file"] = "app_secret";
  jst["access_token_file"] = (dir.path() / "token").string();  // absolute works too
  jst["refresh_token_file"] = "sub/refresh";
  const auto result = load(doc, dir.path());
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.value);
  const auto& s = result.value->sources[0];
  CHECK(s.app_secret.reveal() == "file-secret");
  CHECK(s.app_secret.origin() == "file " + (dir.path() / "app_secret").string());
  CHECK(s.access_token.reveal() == "file-token");
  REQUIRE(s.refresh_token);
  CHECK(s.refresh_token->reveal() == "  spaced refresh  ");  // only line ends are stripped
}

TEST_CASE("an empty or unreadable secret file is refused", "[config][secret]") {
  scratch_dir dir;
  dir.write("empty", "\n");
  std::filesystem::create_directories(dir.path() / "folder");
  auto doc = example_document();
  doc["mysql"].erase("password_env");
  doc["mysql"]["password_file"] = "empty";
  auto result = load(doc, dir.path());
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].to_string() == "mysql.password_file: file " + (dir.path() / "empty").string() +
                                            " is empty — put the secret's value in it");
  doc["mysql"]["password_file"] = "folder";
  result = load(doc, dir.path());
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].message ==
        "cannot read " + (dir.path() / "folder").string() + ": it is a directory");
}

TEST_CASE("an optional secret may be left out", "[config][secret]") {
  auto doc = example_document();
  doc["sources"]["jst"].erase("refresh_token_env");
  doc["mysql"].erase("password_env");
  const auto result = load(doc);
  REQUIRE(result.value);
  CHECK_FALSE(result.value->sources[0].refresh_token);
  CHECK(result.value->mysql.password.empty());
}

TEST_CASE("the process environment is read, not written", "[config][secret]") {
  CHECK(process_env("PATH").has_value());
  CHECK_FALSE(process_env("FERRY_TEST_SURELY_UNSET_VARIABLE_4711").has_value());
}
