#include "sections.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ferry::config::detail {
namespace {

bool is_env_name(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  for (const char c : name)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

std::optional<secret> from_env(const object_reader& r, const std::string& key, const std::string& file_key,
                               const load_context& ctx) {
  const auto name = r.string(key);
  if (!name) return std::nullopt;
  if (!is_env_name(*name)) {
    r.report(key, json(*name).dump() + " is not an environment variable name",
             "letters, digits and '_', e.g. \"JST_APP_SECRET\"");
    return std::nullopt;
  }
  const auto value = ctx.env(*name);
  if (!value) {
    r.report(key, "environment variable " + *name + " is not set",
             "export it before starting ferryd, or use \"" + file_key + "\"");
    return std::nullopt;
  }
  if (value->empty()) {
    r.report(key, "environment variable " + *name + " is empty", "give it the secret's value");
    return std::nullopt;
  }
  return secret{*value, "environment variable " + *name};
}

// The file's content, or the reason it cannot be read.
bool read_whole_file(const std::filesystem::path& path, std::string& content, std::string& reason) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    reason = "it is a directory";
    return false;
  }
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    reason = std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  content = buffer.str();
  return true;
}

std::optional<secret> from_file(const object_reader& r, const std::string& key, const load_context& ctx) {
  const auto name = r.string(key);
  if (!name) return std::nullopt;
  const auto path = ctx.base_dir / *name;
  std::string content;
  std::string reason;
  if (!read_whole_file(path, content, reason)) {
    r.report(key, "cannot read " + path.string() + ": " + reason,
             "relative paths start at the config file's folder");
    return std::nullopt;
  }
  // Editors and `echo` end files with a newline that is not part of the secret.
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  if (content.empty()) {
    r.report(key, "file " + path.string() + " is empty", "put the secret's value in it");
    return std::nullopt;
  }
  return secret{std::move(content), "file " + path.string()};
}

}  // namespace

std::optional<secret> read_secret(const object_reader& r, std::string_view name, bool required,
                                  std::string_view what, const load_context& ctx) {
  const std::string env_key = std::string{name} + "_env";
  const std::string file_key = std::string{name} + "_file";
  const auto use_hint = "put " + std::string{what} + " in an environment variable named by \"" + env_key +
                        "\" or a file named by \"" + file_key + "\"";
  if (r.find(name) != nullptr) {
    // Never echo the value: it is a secret written where it should not be.
    r.report(name, "inline secrets are refused", use_hint);
    return std::nullopt;
  }
  const bool has_env = r.find(env_key) != nullptr;
  const bool has_file = r.find(file_key) != nullptr;
  if (has_env && has_file) {
    r.report(file_key, "both \"" + env_key + "\" and \"" + file_key + "\" are set", "keep one of them");
    return std::nullopt;
  }
  if (has_env) return from_env(r, env_key, file_key, ctx);
  if (has_file) return from_file(r, file_key, ctx);
  if (required) r.report(env_key, "required", use_hint);
  return std::nullopt;
}

}  // namespace ferry::config::detail
