// Secret file paths that name ${VARIABLES}: systemd's LoadCredential= puts
// each credential under a per-service $CREDENTIALS_DIRECTORY, and the shipped
// deploy/systemd/ferry.example.json reads its secrets from there.
#include "config_test_support.hpp"

#include <sstream>

#include <catch2/catch.hpp>

using namespace ferry::config;
using namespace ferry::config::test;

namespace {

// The documented example with every secret read from a file under `folder`
// (written as given, e.g. "${CREDENTIALS_DIRECTORY}").
document with_secret_files(const std::string& folder) {
  auto doc = example_document();
  auto& jst = doc["sources"]["jst"];
  jst.erase("app_secret_env");
  jst.erase("access_token_env");
  jst.erase("refresh_token_env");
  jst["app_secret_file"] = folder + "/jst_app_secret";
  jst["access_token_file"] = folder + "/jst_access_token";
  jst["refresh_token_file"] = folder + "/jst_refresh_token";
  doc["mysql"].erase("password_env");
  doc["mysql"]["password_file"] = folder + "/mysql_password";
  doc["admin"] = {{"listen", "127.0.0.1:0"}, {"token_file", folder + "/admin_token"}};
  return doc;
}

void write_credentials(const scratch_dir& dir, const std::string& sub = {}) {
  const auto prefix = sub.empty() ? std::string{} : sub + "/";
  if (!sub.empty()) std::filesystem::create_directories(dir.path() / sub);
  dir.write(prefix + "jst_app_secret", "cred-app-secret\n");
  dir.write(prefix + "jst_access_token", "cred-access-token");
  dir.write(prefix + "jst_refresh_token", "cred-refresh-token\n");
  dir.write(prefix + "mysql_password", "cred-mysql-pw\n");
  dir.write(prefix + "admin_token", "cred-admin-token\n");
}

load_result load_with(const document& doc, std::map<std::string, std::string> env,
                      const std::filesystem::path& base = "/nonexistent") {
  return load_config_text(doc.dump(), fake_env(std::move(env)), base);
}

std::vector<std::string> messages(const load_result& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.to_string());
  return out;
}

}  // namespace

TEST_CASE("${CREDENTIALS_DIRECTORY} in secret file paths is read from the environment", "[config][credentials]") {
  scratch_dir dir;
  write_credentials(dir);
  const auto result = load_with(with_secret_files("${CREDENTIALS_DIRECTORY}"),
                                {{"CREDENTIALS_DIRECTORY", dir.path().string()}});
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.value);
  const auto& s = result.value->sources[0];
  CHECK(s.app_secret.reveal() == "cred-app-secret");
  CHECK(s.app_secret.origin() == "file " + (dir.path() / "jst_app_secret").string());
  CHECK(s.access_token.reveal() == "cred-access-token");
  REQUIRE(s.refresh_token);
  CHECK(s.refresh_token->reveal() == "cred-refresh-token");
  CHECK(result.value->mysql.password.reveal() == "cred-mysql-pw");
  REQUIRE(result.value->admin);
  CHECK(result.value->admin->token.reveal() == "cred-admin-token");
}

TEST_CASE("an unset variable in a secret path is an error naming it, once per path", "[config][credentials]") {
  const auto result = load_with(with_secret_files("${CREDENTIALS_DIRECTORY}"), {});
  REQUIRE_FALSE(result.value);
  const auto errors = messages(result);
  REQUIRE(errors.size() == 5);
  CHECK(errors[0] ==
        "mysql.password_file: environment variable CREDENTIALS_DIRECTORY is not set — "
        "\"${CREDENTIALS_DIRECTORY}/mysql_password\" needs it; systemd sets it for a unit with LoadCredential= "
        "(deploy/systemd/ferryd.service); elsewhere export it, e.g. CREDENTIALS_DIRECTORY=/etc/ferry/credentials");
  CHECK(result.errors[1].path == "sources.jst.app_secret_file");
  CHECK(result.errors[4].path == "admin.token_file");
  for (const auto& e : result.errors) CHECK(e.message == "environment variable CREDENTIALS_DIRECTORY is not set");
}

TEST_CASE("other variables expand too, several in one path, relative to the config's folder", "[config][credentials]") {
  scratch_dir dir;
  write_credentials(dir, "prod/jst");
  auto doc = with_secret_files("${CREDENTIALS_DIRECTORY}");
  doc["sources"]["jst"]["app_secret_file"] = "${FERRY_ENV}/${FERRY_SOURCE}/jst_app_secret";
  std::map<std::string, std::string> env{{"CREDENTIALS_DIRECTORY", (dir.path() / "prod/jst").string()},
                                         {"FERRY_ENV", "prod"},
                                         {"FERRY_SOURCE", "jst"}};
  const auto result = load_with(doc, env, dir.path());
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.value);
  CHECK(result.value->sources[0].app_secret.reveal() == "cred-app-secret");
  CHECK(result.value->sources[0].app_secret.origin() == "file " + (dir.path() / "prod/jst/jst_app_secret").string());
  // A different value of the same variable reads a different file.
  env["FERRY_SOURCE"] = "other";
  const auto missing = load_with(doc, env, dir.path());
  REQUIRE(missing.errors.size() == 1);
  CHECK_THAT(missing.errors[0].message,
             Catch::StartsWith("cannot read " + (dir.path() / "prod/other/jst_app_secret").string() +
                               " (from \"${FERRY_ENV}/${FERRY_SOURCE}/jst_app_secret\"): "));
}

TEST_CASE("$$ is a literal dollar sign and a path without $ is taken as written", "[config][credentials]") {
  scratch_dir dir;
  dir.write("a$b", "dollar-secret\n");
  dir.write("plain", "plain-secret\n");
  auto doc = example_document();
  doc["sources"]["jst"].erase("app_secret_env");
  doc["sources"]["jst"]["app_secret_file"] = "a$$b";
  doc["mysql"].erase("password_env");
  doc["mysql"]["password_file"] = "plain";
  const auto result = load(doc, dir.path());
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.value);
  CHECK(result.value->sources[0].app_secret.reveal() == "dollar-secret");
  CHECK(result.value->mysql.password.reveal() == "plain-secret");
}

TEST_CASE("malformed variables in secret paths are refused with a hint", "[config][credentials]") {
  const auto error_for = [](const std::string& path, std::map<std::string, std::string> env = {}) {
    auto doc = example_document();
    doc["sources"]["jst"].erase("app_secret_env");
    doc["sources"]["jst"]["app_secret_file"] = path;
    env.insert({{"FERRY_MYSQL_PASSWORD", "x"}, {"JST_ACCESS_TOKEN", "x"}, {"JST_REFRESH_TOKEN", "x"}});
    const auto result = load_with(doc, env);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].path == "sources.jst.app_secret_file");
    return result.errors[0].to_string();
  };
  CHECK(error_for("$CREDENTIALS_DIRECTORY/s") ==
        "sources.jst.app_secret_file: \"$CREDENTIALS_DIRECTORY/s\": '$' must start ${NAME} — write variables with "
        "braces, e.g. ${CREDENTIALS_DIRECTORY}; $$ is a literal '$'");
  CHECK(error_for("/etc/ferry/s$") ==
        "sources.jst.app_secret_file: \"/etc/ferry/s$\": '$' must start ${NAME} — write variables with braces, e.g. "
        "${CREDENTIALS_DIRECTORY}; $$ is a literal '$'");
  CHECK(error_for("${CREDENTIALS_DIRECTORY/s") ==
        "sources.jst.app_secret_file: \"${CREDENTIALS_DIRECTORY/s\": \"${\" without its closing '}' — e.g. "
        "\"${CREDENTIALS_DIRECTORY}/jst_app_secret\"");
  CHECK(error_for("${1DIR}/s") ==
        "sources.jst.app_secret_file: \"${1DIR}/s\": \"1DIR\" is not an environment variable name — letters, "
        "digits and '_', not starting with a digit");
  CHECK(error_for("${}/s") ==
        "sources.jst.app_secret_file: \"${}/s\": \"\" is not an environment variable name — letters, digits and "
        "'_', not starting with a digit");
  CHECK(error_for("${SECRETS_DIR}/s") ==
        "sources.jst.app_secret_file: environment variable SECRETS_DIR is not set — \"${SECRETS_DIR}/s\" needs it; "
        "export it before starting ferryd");
  CHECK(error_for("${SECRETS_DIR}/s", {{"SECRETS_DIR", ""}}) ==
        "sources.jst.app_secret_file: environment variable SECRETS_DIR is empty — \"${SECRETS_DIR}/s\" needs it "
        "to name a folder");
}

TEST_CASE("*_env names are not expanded and the variable's value is never in an error", "[config][credentials]") {
  auto doc = example_document();
  doc["sources"]["jst"]["app_secret_env"] = "${JST_APP_SECRET}";
  const auto result = load(doc);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].message == "\"${JST_APP_SECRET}\" is not an environment variable name");
  CHECK(result.errors[0].to_string().find("app-secret-value") == std::string::npos);
}

TEST_CASE("the systemd example config reads every secret from the credentials folder", "[config][credentials]") {
  scratch_dir dir;
  write_credentials(dir);
  const auto file = std::filesystem::path{FERRY_SOURCE_DIR} / "deploy" / "systemd" / "ferry.example.json";
  std::ostringstream out;
  std::ostringstream err;
  const auto env = fake_env({{"CREDENTIALS_DIRECTORY", dir.path().string()}});
  CHECK(check_config_main(file, out, err, env) == 0);
  CHECK(err.str().empty());
  const auto result = load_config_file(file, env);
  REQUIRE(result.value);
  CHECK(result.value->mysql.password.reveal() == "cred-mysql-pw");
  CHECK(result.value->sources[0].app_secret.reveal() == "cred-app-secret");
  CHECK(result.value->sources[0].refresh_token->reveal() == "cred-refresh-token");
  REQUIRE(result.value->admin);
  CHECK(result.value->admin->token.reveal() == "cred-admin-token");
  // Without the folder every one of the five secrets says which variable is missing.
  std::ostringstream out2;
  std::ostringstream err2;
  CHECK(check_config_main(file, out2, err2, fake_env({})) == 2);
  CHECK_THAT(err2.str(), Catch::Contains("5 errors in"));
  CHECK_THAT(err2.str(), Catch::Contains("admin.token_file: environment variable CREDENTIALS_DIRECTORY is not set"));
}

TEST_CASE("the admin TLS files take ${CREDENTIALS_DIRECTORY} too, so the key can be a credential", "[config][credentials]") {
  scratch_dir dir;
  write_credentials(dir);
  dir.write("admin_tls_cert", "not read by the loader\n");
  dir.write("admin_tls_key", "not read by the loader\n");
  auto doc = with_secret_files("${CREDENTIALS_DIRECTORY}");
  doc["admin"]["tls"] = {{"cert_file", "${CREDENTIALS_DIRECTORY}/admin_tls_cert"},
                         {"key_file", "${CREDENTIALS_DIRECTORY}/admin_tls_key"}};
  const auto result = load_with(doc, {{"CREDENTIALS_DIRECTORY", dir.path().string()}});
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.value);
  CHECK(*result.value->admin->tls_key_file == dir.path() / "admin_tls_key");
  CHECK(*result.value->admin->tls_cert_file == dir.path() / "admin_tls_cert");

  // Unset, the error names the variable at the key's path; a missing file names the path it came from.
  auto unset = load_with(doc, {});
  CHECK_THAT(messages(unset), Catch::VectorContains(std::string{
      "admin.tls.key_file: environment variable CREDENTIALS_DIRECTORY is not set — \"${CREDENTIALS_DIRECTORY}/admin_tls_key\" "
      "needs it; systemd sets it for a unit with LoadCredential= (deploy/systemd/ferryd.service); elsewhere export it, "
      "e.g. CREDENTIALS_DIRECTORY=/etc/ferry/credentials"}));
  std::filesystem::remove(dir.path() / "admin_tls_key");
  auto missing = load_with(doc, {{"CREDENTIALS_DIRECTORY", dir.path().string()}});
  CHECK_THAT(messages(missing), Catch::VectorContains(std::string{
      "admin.tls.key_file: no such file: " + (dir.path() / "admin_tls_key").string() +
      " (from \"${CREDENTIALS_DIRECTORY}/admin_tls_key\") — give an existing file; relative paths start at the config "
      "file's folder"}));
}
