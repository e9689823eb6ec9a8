#include "harness.hpp"

#include "ferry/core/time.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <stdexcept>

namespace ferry::admin::testing {
namespace {

using nlohmann::json;

refusal no_such_job(const std::string& id) {
  return {refusal_kind::job_not_found, "no job \"" + id + "\"; jobs: orders, skusn, slow"};
}

bool known(const std::string& id) { return id == "skusn" || id == "orders" || id == "slow"; }

}  // namespace

void fake_control::record(std::string call) {
  ++calls;
  std::lock_guard lock(mutex_);
  last_call_ = std::move(call);
}

std::string fake_control::last_call() const {
  std::lock_guard lock(mutex_);
  return last_call_;
}

asio::awaitable<std::optional<std::string>> fake_control::not_ready_reason() {
  if (ready) co_return std::nullopt;
  co_return "MySQL unreachable: connection refused";
}

job_view fake_control::sample_job(const std::string& id, bool paused) {
  using namespace std::chrono;
  job_view v;
  v.id = id;
  v.source = "jst";
  v.api = "/open/webapi/wmsapi/skusn/queryinoutitemskusns";
  v.schedule = "every 3600s";
  v.paused = paused;
  v.activity = paused ? job_activity::paused : job_activity::idle;
  // 2026-02-01 00:00:00 in Beijing is 2026-01-31 16:00:00 UTC.
  v.watermark = sys_days{year{2026} / 1 / 31} + hours{16};
  v.freshness_seconds = 90;
  v.next_run = *v.watermark + hours{1};
  v.source_token = token_view{std::nullopt, true};
  last_run_view last;
  last.id = 7;
  last.state = "failed";
  last.seconds = 1.5;
  last.counts.windows = 2;
  last.counts.fetched = 10;
  last.error = "code 199: too many calls";
  v.last_run = last;
  return v;
}

asio::awaitable<std::vector<job_view>> fake_control::list_jobs() {
  record("list_jobs");
  co_return std::vector<job_view>{sample_job("orders"), sample_job("skusn")};
}

asio::awaitable<result<job_view>> fake_control::get_job(const std::string& id) {
  record("get_job " + id);
  if (!known(id)) co_return no_such_job(id);
  if (id == "slow") {
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(100));
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return sample_job(id);
}

asio::awaitable<result<job_view>> fake_control::set_paused(const std::string& id, bool paused) {
  record("set_paused " + id + (paused ? " true" : " false"));
  if (!known(id)) co_return no_such_job(id);
  co_return sample_job(id, paused);
}

asio::awaitable<result<trigger_receipt>> fake_control::trigger(const std::string& id) {
  record("trigger " + id);
  if (!known(id)) co_return no_such_job(id);
  if (id == "orders") co_return refusal{refusal_kind::run_already_queued, "a run of orders is already queued"};
  co_return trigger_receipt{true, false};
}

asio::awaitable<result<std::vector<run_view>>> fake_control::list_runs(const std::string& id, run_query q) {
  record("list_runs " + id + " " + std::to_string(q.limit));
  if (!known(id)) co_return no_such_job(id);
  co_return std::vector<run_view>{};
}

// Ranges of more than a year are refused as the daemon refuses too many windows.
asio::awaitable<result<backfill_receipt>> fake_control::backfill(const std::string& id, backfill_request r) {
  record("backfill " + id + " " + core::format_shanghai_datetime(r.range.from) + " " +
         core::format_shanghai_datetime(r.range.to) + (r.dry_run ? " dry" : " real"));
  if (!known(id)) co_return no_such_job(id);
  if (r.range.to - r.range.from > std::chrono::days{366})
    co_return refusal{refusal_kind::invalid_range, "the range covers more than a year"};
  backfill_receipt receipt;
  receipt.dry_run = r.dry_run;
  receipt.windows.push_back(r.range);
  receipt.position = r.dry_run ? 0 : 1;
  receipt.estimated_calls_min = r.dry_run ? 1 : 0;
  receipt.estimated_seconds_min = r.dry_run ? 1 : 0;
  co_return receipt;
}

asio::awaitable<result<std::vector<window_view>>> fake_control::list_windows(const std::string& id, window_query q) {
  record("list_windows " + id + " " + (q.state ? std::string{core::to_string(*q.state)} : "-"));
  if (!known(id)) co_return no_such_job(id);
  co_return std::vector<window_view>{};
}

void fake_control::set_log_level(log_level level) { record("set_log_level " + std::string{to_string(level)}); }

server_options test_options() {
  server_options options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.token = core::secret{test_token};
  options.read_timeout = std::chrono::seconds(1);
  options.idle_timeout = std::chrono::seconds(2);
  return options;
}

admin_fixture::admin_fixture(server_options options) {
  control.metrics.job("skusn", "jst", {"bi_skusn"});
  server_ = std::make_unique<server>(io_.get_executor(), std::move(options), control);
  port_ = server_->start();
  work_.emplace(io_.get_executor());
  thread_ = std::thread([this] { io_.run(); });
}

// Stops the server and lets every session end by itself before joining.
admin_fixture::~admin_fixture() {
  server_->stop();
  work_.reset();
  thread_.join();
}

admin_client::admin_client(std::uint16_t port, bool tls, std::optional<std::string> ca_file)
    : client_(io_.get_executor(), [&] {
        http::client_options options;
        options.ca_file = std::move(ca_file);
        options.request_timeout = std::chrono::seconds(10);
        return options;
      }()) {
  std::string error;
  auto parsed = http::parse_url((tls ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port), error);
  if (!parsed) throw std::runtime_error(error);
  base_ = *parsed;
}

http::result admin_client::send(std::string method, std::string target, std::string body, std::string content_type,
                                std::optional<std::string> token) {
  http::request req;
  req.method = std::move(method);
  req.target = std::move(target);
  req.body = std::move(body);
  req.content_type = std::move(content_type);
  if (token) req.headers.emplace_back("Authorization", "Bearer " + *token);
  return send_raw(std::move(req));
}

http::result admin_client::send_raw(http::request req) {
  auto future = asio::co_spawn(io_, client_.send(base_, std::move(req)), asio::use_future);
  io_.restart();
  io_.run();
  return future.get();
}

std::string header(const http::response& res, std::string_view name) {
  for (const auto& [key, value] : res.headers) {
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return "";
}

std::string error_code_of(const http::response& res) {
  if (res.content_type != "application/problem+json") return "";
  auto body = nlohmann::json::parse(res.body, nullptr, false);
  if (!body.is_object() || body.size() != 5 || !body.contains("error") || !body["error"].is_object() ||
      body["error"].size() != 2 || !body["error"].contains("code") || !body["error"]["code"].is_string() ||
      !body["error"].contains("message") || !body["error"]["message"].is_string()) {
    return "";
  }
  const auto code = body["error"]["code"].get<std::string>();
  // RFC 9457 beside it: the type names the code, the status is the answer's, the detail is the message.
  const auto type = body.find("type");
  const auto title = body.find("title");
  const auto status = body.find("status");
  if (type == body.end() || *type != "/problems/" + code || title == body.end() || !title->is_string() ||
      title->get<std::string>().empty() || status == body.end() || !status->is_number_unsigned() ||
      status->get<unsigned>() != res.status || body.value("detail", nlohmann::json{}) != body["error"]["message"]) {
    return "";
  }
  return code;
}

raw_connection::raw_connection(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd_);
    throw std::runtime_error("connect() failed");
  }
}

raw_connection::~raw_connection() { ::close(fd_); }

void raw_connection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send() failed");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string raw_connection::receive(std::chrono::milliseconds timeout, bool (*complete)(const std::string&)) {
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (complete == nullptr || !complete(received)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char chunk[4096];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    received.append(chunk, static_cast<std::size_t>(n));
  }
  return received;
}

std::optional<std::chrono::milliseconds> raw_connection::wait_closed(std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + timeout;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char chunk[4096];
    if (::recv(fd_, chunk, sizeof chunk, 0) <= 0) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    }
  }
}

bool whole_response(const std::string& text) {
  const auto end = text.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  const auto at = text.find("Content-Length: ");
  if (at == std::string::npos || at > end) return true;
  const auto length = std::stoul(text.substr(at + 16));
  return text.size() >= end + 4 + length;
}

}  // namespace ferry::admin::testing
