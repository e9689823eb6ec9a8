#pragma once
// The readers of each config section. Each reads its part of the document
// into the plain structs of config.hpp and reports every problem to the
// load's diagnostics; a section with errors still returns what it could read
// so that later checks (job -> source, key -> columns) keep reporting.
#include "reader.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace ferry::config::detail {

// What all sections share during one load.
struct load_context {
  diagnostics& diag;
  const env_lookup& env;
  std::filesystem::path base_dir;         // for relative *_file and ca_file paths
  std::vector<std::string> source_names;  // known before jobs are read, whatever the key order
};

// Reads the secret `name` from "<name>_env" or "<name>_file" (exactly one of
// them); an inline "<name>" is refused. `what` describes it for hints.
std::optional<secret> read_secret(const object_reader& r, std::string_view name, bool required,
                                  std::string_view what, const load_context& ctx);
// A file the config names by path, with ${NAME} variables expanded as in
// secret files (a TLS key under systemd's $CREDENTIALS_DIRECTORY); it must
// exist. Relative paths start at the config file's folder.
std::optional<std::filesystem::path> expanded_file(const object_reader& r, std::string_view key,
                                                   const load_context& ctx);

mysql_config read_mysql(const json& value, const location& where, const load_context& ctx);
std::vector<source_config> read_sources(const json& value, const location& where, const load_context& ctx);
std::vector<job_config> read_jobs(const json& value, const location& where, const load_context& ctx);
schedule_config read_schedule(const json& value, const location& where, const load_context& ctx);
std::vector<target_config> read_targets(const json& value, const location& where, const load_context& ctx);
// A filter (QEasy's condition): a list of groups of tests; `strict_key` is
// "strict" in ferry's spelling and "strictMode" in QEasy's.
std::vector<transform::filter_group> read_filter(const json& value, const location& where, const load_context& ctx,
                                                 std::string_view strict_key);
// "{{DAYS_AGO_N|...}}" alone -> N (a catch-up's bounds); otherwise nullopt,
// with `error` saying why.
std::optional<int> days_ago(const std::string& text, templating::template_error& error);
std::vector<std::string> read_flatten(const json& value, const location& where, const load_context& ctx);
// A job's "qeasy" pair (qeasy.cpp): fills api, request, page_size, filter,
// flatten, catch_up, targets and the job's qeasy origin.
void read_qeasy(const object_reader& job_reader, job_config& job, const load_context& ctx);
log_config read_log(const json& value, const location& where, const load_context& ctx);
admin_config read_admin(const json& value, const location& where, const load_context& ctx);

}  // namespace ferry::config::detail
