#include "memory_control.hpp"

#include "fuzz_check.hpp"

#include "ferry/core/time.hpp"

#include <algorithm>
#include <array>

namespace ferry::fuzz {
namespace {

using nlohmann::json;

admin::api_error no_job(const std::string& id) {
  return {404, "job_not_found", "no job \"" + id + "\"; jobs: orders, skusn"};
}

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

memory_control::job* memory_control::find(const std::string& id) {
  FUZZ_CHECK(valid_id(id), id);
  const auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : &it->second;
}

json memory_control::job_json(const std::string& id, const job& j) const {
  return {{"id", id}, {"paused", j.paused}, {"run_queued", j.run_queued}, {"backfills", j.backfills.size()}};
}

asio::awaitable<std::optional<std::string>> memory_control::not_ready_reason() {
  if (level_ == "trace") co_return "MySQL unreachable: connection refused";
  co_return std::nullopt;
}

std::string memory_control::metrics_text() {
  return "# TYPE ferry_up gauge\nferry_up 1\n";
}

asio::awaitable<admin::outcome> memory_control::list_jobs() {
  json list = json::array();
  for (const auto& [id, j] : jobs_) list.push_back(job_json(id, j));
  co_return admin::api_reply{200, {{"jobs", list}}};
}

asio::awaitable<admin::outcome> memory_control::get_job(const std::string& id) {
  const auto* j = find(id);
  if (j == nullptr) co_return no_job(id);
  co_return admin::api_reply{200, job_json(id, *j)};
}

asio::awaitable<admin::outcome> memory_control::set_paused(const std::string& id, bool paused) {
  auto* j = find(id);
  if (j == nullptr) co_return no_job(id);
  j->paused = paused;
  co_return admin::api_reply{200, job_json(id, *j)};
}

asio::awaitable<admin::outcome> memory_control::trigger(const std::string& id) {
  auto* j = find(id);
  if (j == nullptr) co_return no_job(id);
  if (j->run_queued) co_return admin::api_error{409, "run_already_queued", "a run of " + id + " is already queued"};
  j->run_queued = true;
  co_return admin::api_reply{202, {{"run", {{"job", id}, {"state", "queued"}}}}};
}

asio::awaitable<admin::outcome> memory_control::list_runs(const std::string& id, std::size_t limit) {
  FUZZ_CHECK(limit >= 1 && limit <= 1000, std::to_string(limit));
  const auto* j = find(id);
  if (j == nullptr) co_return no_job(id);
  json runs = json::array();
  if (j->run_queued) runs.push_back({{"state", "queued"}});
  co_return admin::api_reply{200, {{"runs", runs}}};
}

asio::awaitable<admin::outcome> memory_control::backfill(const std::string& id, const std::string& from,
                                                         const std::string& to, bool dry_run) {
  auto* j = find(id);
  if (j == nullptr) co_return no_job(id);
  const auto start = core::parse_shanghai_datetime(from);
  const auto end = core::parse_shanghai_datetime(to);
  if (!start) co_return admin::api_error{422, "invalid_range", "from: \"" + from + "\" is not yyyy-MM-dd HH:mm:ss"};
  if (!end) co_return admin::api_error{422, "invalid_range", "to: \"" + to + "\" is not yyyy-MM-dd HH:mm:ss"};
  if (*end <= *start) co_return admin::api_error{422, "invalid_range", "to must be after from"};
  if (dry_run) co_return admin::api_reply{200, {{"dry_run", true}, {"from", from}, {"to", to}}};
  j->backfills.emplace_back(from, to);
  co_return admin::api_reply{202, {{"queued", true}, {"position", j->backfills.size()}}};
}

asio::awaitable<admin::outcome> memory_control::list_windows(const std::string& id,
                                                             std::optional<std::string> state) {
  if (find(id) == nullptr) co_return no_job(id);
  constexpr std::array<std::string_view, 3> states{"complete", "incomplete", "failed"};
  if (state && std::find(states.begin(), states.end(), *state) == states.end())
    co_return admin::api_error{422, "invalid_state", "state must be complete, incomplete or failed"};
  co_return admin::api_reply{200, {{"windows", json::array()}}};
}

admin::outcome memory_control::set_log_level(const std::string& level) {
  constexpr std::array<std::string_view, 6> levels{"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(levels.begin(), levels.end(), level) == levels.end())
    return admin::api_error{422, "invalid_level", "level must be trace, debug, info, warn or error"};
  level_ = level;
  return admin::api_reply{200, {{"level", level}}};
}

}  // namespace ferry::fuzz
