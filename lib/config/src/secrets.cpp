#include "sections.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <variant>

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

// Why `${NAME}` in a secret's path cannot be expanded, naming the variable.
struct expansion_problem {
  std::string message;
  std::string hint;
};

std::string unset_hint(const std::string& name, const std::string& written) {
  std::string hint = json_quoted(written) + " needs it; ";
  if (name == "CREDENTIALS_DIRECTORY")
    return hint + "systemd sets it for a unit with LoadCredential= (deploy/systemd/ferryd.service); "
                  "elsewhere export it, e.g. CREDENTIALS_DIRECTORY=/etc/ferry/credentials";
  return hint + "export it before starting ferryd";
}

// `written` with every `${NAME}` replaced by the variable's value and `$$` by
// `$`; a lone `$`, an unclosed `${`, a bad name, or a variable that is unset
// or empty is a problem. Secret files of systemd credentials live under the
// per-service $CREDENTIALS_DIRECTORY, which a static config cannot spell.
std::variant<std::string, expansion_problem> expand_variables(const std::string& written, const env_lookup& env) {
  std::string out;
  for (std::size_t i = 0; i < written.size(); ++i) {
    if (written[i] != '$') {
      out += written[i];
      continue;
    }
    if (i + 1 < written.size() && written[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (i + 1 >= written.size() || written[i + 1] != '{')
      return expansion_problem{json_quoted(written) + ": '$' must start ${NAME}",
                               "write variables with braces, e.g. ${CREDENTIALS_DIRECTORY}; $$ is a literal '$'"};
    const auto close = written.find('}', i + 2);
    if (close == std::string::npos)
      return expansion_problem{json_quoted(written) + ": \"${\" without its closing '}'",
                               "e.g. \"${CREDENTIALS_DIRECTORY}/jst_app_secret\""};
    const auto name = written.substr(i + 2, close - i - 2);
    if (!is_env_name(name))
      return expansion_problem{json_quoted(written) + ": " + json_quoted(name) + " is not an environment variable name",
                               "letters, digits and '_', not starting with a digit"};
    const auto value = env(name);
    if (!value) return expansion_problem{"environment variable " + name + " is not set", unset_hint(name, written)};
    if (value->empty())
      return expansion_problem{"environment variable " + name + " is empty",
                               json_quoted(written) + " needs it to name a folder"};
    out += *value;
    i = close;
  }
  return out;
}

// The file the config names at `key`: its ${NAME}s expanded, relative to the
// config's folder. `from` is " (from "<as written>")" when it had variables,
// for errors that show where the expanded path came from. nullopt when the
// key is absent or its variables cannot be expanded (reported).
struct named_path {
  std::filesystem::path path;
  std::string from;
};

std::optional<named_path> resolve_path(const object_reader& r, std::string_view key, const load_context& ctx) {
  const auto name = r.string(key);
  if (!name) return std::nullopt;
  auto expanded = expand_variables(*name, ctx.env);
  if (auto* problem = std::get_if<expansion_problem>(&expanded)) {
    r.report(key, std::move(problem->message), std::move(problem->hint));
    return std::nullopt;
  }
  return named_path{ctx.base_dir / std::get<std::string>(expanded),
                    name->find('$') == std::string::npos ? std::string{} : " (from " + json_quoted(*name) + ")"};
}

std::optional<secret> from_file(const object_reader& r, const std::string& key, const load_context& ctx) {
  const auto named = resolve_path(r, key, ctx);
  if (!named) return std::nullopt;
  const auto& path = named->path;
  std::string content;
  std::string reason;
  if (!read_whole_file(path, content, reason)) {
    r.report(key, "cannot read " + path.string() + named->from + ": " + reason,
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

std::optional<std::filesystem::path> expanded_file(const object_reader& r, std::string_view key,
                                                   const load_context& ctx) {
  const auto named = resolve_path(r, key, ctx);
  if (!named) return std::nullopt;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(named->path, ec)) {
    r.report(key, "no such file: " + named->path.string() + named->from,
             "give an existing file; relative paths start at the config file's folder");
    return std::nullopt;
  }
  return named->path;
}

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
