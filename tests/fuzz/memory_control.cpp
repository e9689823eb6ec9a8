#include "memory_control.hpp"

#include "fuzz_check.hpp"

#include "ferry/core/time.hpp"

#include <algorithm>

namespace ferry::fuzz {
namespace {

admin::refusal no_job(const std::string& id) {
  return {admin::refusal_kind::job_not_found, "no job \"" + id + "\"; jobs: orders, skusn"};
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

admin::job_view memory_control::view(const std::string& id, const job& j) {
  admin::job_view v;
  v.id = id;
  v.paused = j.paused;
  v.activity = j.paused ? admin::job_activity::paused : admin::job_activity::idle;
  v.queued = j.run_queued;
  v.backfills_queued = j.backfills.size();
  return v;
}

asio::awaitable<std::optional<std::string>> memory_control::not_ready_reason() {
  if (level_ == admin::log_level::trace) co_return "MySQL unreachable: connection refused";
  co_return std::nullopt;
}

std::string memory_control::metrics_text() {
  return "# TYPE ferry_up gauge\nferry_up 1\n";
}

asio::awaitable<std::vector<admin::job_view>> memory_control::list_jobs() {
  std::vector<admin::job_view> out;
  for (const auto& [id, j] : jobs_) out.push_back(view(id, j));
  co_return out;
}

asio::awaitable<admin::result<admin::job_view>> memory_control::get_job(const std::string& id) {
  const auto* j = find(id);
  if (j == nullptr) co_return no_job(id);
  co_return view(id, *j);
}

asio::awaitable<admin::result<admin::job_view>> memory_control::set_paused(const std::string& id, bool paused) {
  auto* j = find(id);
  if (j == nullptr) co_return no_job(id);
  j->paused = paused;
  co_return view(id, *j);
}

asio::awaitable<admin::result<admin::trigger_receipt>> memory_control::trigger(const std::string& id) {
  auto* j = find(id);
  if (j == nullptr) co_return no_job(id);
  if (j->run_queued)
    co_return admin::refusal{admin::refusal_kind::run_already_queued, "a run of " + id + " is already queued"};
  j->run_queued = true;
  co_return admin::trigger_receipt{false, j->paused};
}

asio::awaitable<admin::result<std::vector<admin::run_view>>> memory_control::list_runs(const std::string& id,
                                                                                       admin::run_query q) {
  FUZZ_CHECK(q.limit >= 1 && q.limit <= 1000, std::to_string(q.limit));
  const auto* j = find(id);
  if (j == nullptr) co_return no_job(id);
  std::vector<admin::run_view> runs;
  if (j->run_queued) runs.push_back({});
  co_return runs;
}

asio::awaitable<admin::result<admin::backfill_receipt>> memory_control::backfill(const std::string& id,
                                                                                 admin::backfill_request r) {
  FUZZ_CHECK(r.range.to > r.range.from, core::format_shanghai_datetime(r.range.from) + " .. " +
                                            core::format_shanghai_datetime(r.range.to));
  auto* j = find(id);
  if (j == nullptr) co_return no_job(id);
  if (r.range.to - r.range.from > std::chrono::days{3660})
    co_return admin::refusal{admin::refusal_kind::invalid_range, "more than ten years"};
  admin::backfill_receipt receipt;
  receipt.dry_run = r.dry_run;
  receipt.windows.push_back(r.range);
  if (r.dry_run) co_return receipt;
  j->backfills.push_back(r.range);
  receipt.position = j->backfills.size();
  co_return receipt;
}

asio::awaitable<admin::result<std::vector<admin::window_view>>> memory_control::list_windows(const std::string& id,
                                                                                             admin::window_query q) {
  FUZZ_CHECK(q.limit >= 1, std::to_string(q.limit));
  if (find(id) == nullptr) co_return no_job(id);
  co_return std::vector<admin::window_view>{};
}

void memory_control::set_log_level(admin::log_level level) { level_ = level; }

}  // namespace ferry::fuzz
