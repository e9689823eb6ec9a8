// Bad requests to a running ferryd's admin API: malformed and mistyped
// bodies, unknown jobs, invalid ranges, huge bodies and headers, missing and
// wrong tokens, wrong methods and paths, slow clients and many at once. Each
// gets its status and a JSON error; afterwards the daemon still answers and
// a sync still ends exact.
#include "badinput.hpp"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <thread>

using namespace ferry::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string token = "badinput-admin-token";
const std::string job_path = "/api/v1/jobs/skusn_inout";

// A plain TCP connection for what an HTTP client will not send: lying
// lengths, giant headers, one byte at a time.
class raw_connection {
 public:
  explicit raw_connection(std::uint16_t port) : fd_{::socket(AF_INET, SOCK_STREAM, 0)} {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("cannot connect to ferryd");
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~raw_connection() { ::close(fd_); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  // False once the peer has closed or reset the connection.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Everything the peer sends until it closes, or until `timeout` passes.
  std::string read_until_close(std::chrono::milliseconds timeout) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return out;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return out;
      char buf[8192];
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        return out;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  bool closed() const { return closed_; }

 private:
  int fd_;
  bool closed_ = false;
};

unsigned status_of(const std::string& response) {
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
  return static_cast<unsigned>(std::stoul(response.substr(9, 3)));
}

// The "code" of a problem body (RFC 9457, error.code beside it); "" when the body is not one.
std::string error_code_of(const std::string& body) {
  const auto value = json::parse(body, nullptr, false);
  if (!value.is_object() || !value.contains("error") || !value["error"].is_object()) return {};
  const auto code = value["error"].value("code", "");
  if (value.value("type", "") != "/problems/" + code || value.value("detail", "") != value["error"].value("message", ""))
    return {};
  return code;
}

std::string body_of_raw(const std::string& response) {
  const auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? std::string{} : response.substr(at + 4);
}

struct api_case {
  std::string method, target, body;
  unsigned status;
  std::string code;      // the JSON error's code
  std::string mentions{};  // a word its message must hold ("" for none)
  std::string content_type = "application/json";
  std::optional<std::string> authorization = "Bearer " + token;
};

struct api_result {
  unsigned status = 0;
  std::string body;
  bool ok = false;
};

api_result send(std::uint16_t port, const api_case& c) {
  ferry::test_support::http_client client{"127.0.0.1", port, 30s};
  if (c.authorization) client.set_header("Authorization", *c.authorization);
  const auto r = client.request(c.method, c.target, c.body, c.body.empty() ? std::string{} : c.content_type);
  return {r.response.status, r.response.body, r.ok()};
}

void check_case(std::uint16_t port, const api_case& c) {
  const auto r = send(port, c);
  INFO(c.method << " " << c.target.substr(0, 120) << " body " << c.body.substr(0, 120) << "\n→ " << r.status << " "
                << r.body.substr(0, 300));
  REQUIRE(r.ok);
  CHECK(r.status == c.status);
  CHECK(error_code_of(r.body) == c.code);
  if (!c.mentions.empty()) CHECK_THAT(r.body, Catch::Contains(c.mentions));
}

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::vector<api_case> body_cases() {
  const auto patch = [](std::string body, unsigned status, std::string code, std::string mentions = {}) {
    return api_case{"PATCH", job_path, std::move(body), status, std::move(code), std::move(mentions)};
  };
  return {
      patch(R"({"paused":)", 400, "bad_json"),
      patch("{not json", 400, "bad_json"),
      patch(R"({"paused":true}})", 400, "bad_json"),
      patch(R"({"paused":true} x)", 400, "bad_json"),
      patch("{\"paused\":\"\xff\xfe\"}", 400, "bad_json"),
      patch(R"({"paused":tru})", 400, "bad_json"),
      patch("{\"paused\":" + nested(30000) + "}", 400, "invalid_body", "paused"),
      patch(nested(32000), 400, "invalid_body"),
      patch(R"({"paused":1})", 400, "invalid_body", "paused"),
      patch(R"({"paused":null})", 400, "invalid_body", "paused"),
      patch(R"({"paused":"true"})", 400, "invalid_body", "paused"),
      patch("[]", 400, "invalid_body"),
      patch(R"("paused")", 400, "invalid_body"),
      patch("{}", 400, "invalid_body", "paused"),
      patch(R"({"paused":true,"extra":1})", 400, "invalid_body", "extra"),
      {"POST", job_path + "/backfills", R"({"from":1,"to":2})", 400, "invalid_body", "from"},
      {"POST", job_path + "/backfills", R"({"from":"2026-01-01","to":"2026-01-02","dry_run":"yes"})", 400,
       "invalid_body", "dry_run"},
      {"POST", job_path + "/backfills", R"({"from":"2026-01-05"})", 400, "invalid_body", "to"},
      {"PUT", "/api/v1/log-level", R"({"level":5})", 400, "invalid_body", "level"},
      {"PUT", "/api/v1/log-level", R"({"level":"loud"})", 422, "invalid_level"},
      {"PATCH", job_path, R"({"paused":true})", 415, "unsupported_media_type", "", "text/plain"},
      {"PATCH", job_path, R"({"paused":true})", 415, "unsupported_media_type", "", "application/jsonx"},
  };
}

std::vector<api_case> job_and_range_cases() {
  const auto backfill = [](std::string from, std::string to, unsigned status, std::string code, bool dry = true) {
    json body{{"from", from}, {"to", to}};
    if (dry) body["dry_run"] = true;
    return api_case{"POST", job_path + "/backfills", body.dump(), status, std::move(code)};
  };
  const std::string long_id(65, 'a');
  return {
      {"GET", "/api/v1/jobs/nope", "", 404, "job_not_found", "nope"},
      {"PATCH", "/api/v1/jobs/nope", R"({"paused":true})", 404, "job_not_found", "nope"},
      {"POST", "/api/v1/jobs/nope/runs", "", 404, "job_not_found"},
      {"POST", "/api/v1/jobs/nope/backfills", R"({"from":"2026-01-01","to":"2026-01-02"})", 404, "job_not_found"},
      {"GET", "/api/v1/jobs/nope/windows", "", 404, "job_not_found"},
      {"GET", "/api/v1/jobs/nope/runs", "", 404, "job_not_found"},
      {"GET", "/api/v1/jobs/SKUSN_INOUT", "", 404, "job_not_found"},
      {"GET", "/api/v1/jobs/%2e%2e%2fetc%2fpasswd", "", 404, "job_not_found"},
      {"GET", "/api/v1/jobs/" + long_id, "", 404, "job_not_found"},
      {"GET", "/api/v1/jobs/skusn%zz", "", 400, "bad_request"},
      backfill("2026-01-05", "2026-01-01", 422, "invalid_range"),
      backfill("2026-01-05", "2026-01-05", 422, "invalid_range"),
      backfill("2026-02-30", "2026-03-01", 422, "invalid_range"),
      backfill("2026-01-01T00:00:00", "2026-01-02", 422, "invalid_range"),
      backfill("2026-01-01T00:00:00+08", "2026-01-02", 422, "invalid_range"),
      backfill("2026-01-01T00:00:00.000+08:00", "2026-01-02", 422, "invalid_range"),
      backfill("2026-01-02T00:00:00+08:00", "2026-01-01T16:00:00Z", 422, "invalid_range"),
      backfill("", "2026-01-02", 422, "invalid_range"),
      backfill("2026-01-01 24:00:00", "2026-01-02", 422, "invalid_range"),
      backfill("2026-01-01", "2026-01-02 00:00:60", 422, "invalid_range"),
      // Far too wide to split into windows: refused, not listed or queued.
      backfill("0001-01-01", "9999-12-31", 422, "invalid_range", false),
      backfill("0001-01-01", "9999-12-31", 422, "invalid_range", true),
      {"GET", job_path + "/runs?limit=0", "", 422, "invalid_limit", "limit"},
      {"GET", job_path + "/runs?limit=abc", "", 400, "invalid_query", "limit"},
      {"GET", job_path + "/runs?limit=1001", "", 422, "invalid_limit", "limit"},
      {"GET", job_path + "/runs?limit=-1", "", 422, "invalid_limit", "limit"},
      {"GET", job_path + "/runs?limit=1&limit=2", "", 400, "invalid_query", "limit"},
      {"GET", job_path + "/runs?x=1", "", 400, "invalid_query", "x"},
      {"GET", job_path + "/windows?state=done", "", 422, "invalid_state"},
  };
}

std::vector<api_case> auth_method_path_cases() {
  const auto jobs_with = [](std::optional<std::string> authorization) {
    api_case c{"GET", "/api/v1/jobs", "", 401, "unauthorized"};
    c.authorization = std::move(authorization);
    return c;
  };
  return {
      jobs_with(std::nullopt),
      jobs_with("Bearer wrong"),
      jobs_with("Bearer"),
      jobs_with("Bearer "),
      jobs_with("Bearer " + token + "x"),
      jobs_with("Bearer " + token.substr(1)),
      jobs_with("Basic YWRtaW46" + token),
      jobs_with(token),
      jobs_with("Bearer " + std::string(10000, 'a')),
      jobs_with("Token " + token),
      [] {
        api_case c{"GET", "/api/v1/jobs?access_token=" + token, "", 401, "unauthorized"};
        c.authorization = std::nullopt;
        return c;
      }(),
      {"DELETE", job_path, "", 405, "method_not_allowed", "GET, HEAD, PATCH"},
      {"PUT", job_path + "/runs", "", 405, "method_not_allowed"},
      {"GET", job_path + "/backfills", "", 405, "method_not_allowed"},
      {"DELETE", "/api/v1/log-level", "", 405, "method_not_allowed"},
      {"POST", "/api/v1/jobs", "", 405, "method_not_allowed"},
      {"POST", "/healthz", "", 405, "method_not_allowed"},
      {"GET", "/api/v2/jobs", "", 404, "not_found"},
      {"GET", job_path + "/nothing", "", 404, "not_found"},
      {"GET", "/api/v1/", "", 404, "not_found"},
      {"GET", "/nothing", "", 404, "not_found"},
      {"GET", "/static/../../etc/passwd", "", 404, "not_found"},
  };
}

// Requests an HTTP client would not send, each on its own connection; the
// answer comes at once (the server does not wait for a body it will refuse).
struct raw_case {
  std::string name, request;
  unsigned status;
  std::string code;
  bool closes = true;  // the answer ends the connection
};

std::vector<raw_case> raw_cases() {
  const auto auth = "Authorization: Bearer " + token + "\r\n";
  const auto put_level = "PUT /api/v1/log-level HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\n";
  return {
      {"a body just over 64 KiB", put_level + "Content-Length: 65537\r\n\r\n" + std::string(65537, ' '), 413,
       "body_too_large"},
      {"a length of 10 GB announced", put_level + "Content-Length: 10000000000\r\n\r\n{", 413, "body_too_large"},
      {"a chunked body over the limit",
       put_level + "Transfer-Encoding: chunked\r\n\r\n20000\r\n" + std::string(0x20000, ' ') + "\r\n0\r\n\r\n", 413,
       "body_too_large"},
      {"20 KB of headers", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(20000, 'a') + "\r\n\r\n", 431,
       "headers_too_large"},
      {"a malformed request line", "GET /healthz HTTP/9\r\n\r\n", 400, "bad_request"},
      {"a bad Content-Length", put_level + "Content-Length: many\r\n\r\n", 400, "bad_request"},
      // Refused by the router, not the parser: answered, and the connection stays (docs/admin-api.md says
      // a bad target closes it).
      {"a target without a slash", "GET healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", false},
  };
}

void check_raw(std::uint16_t port, const raw_case& c) {
  raw_connection peer{port};
  peer.send(c.request);
  const auto response = peer.read_until_close(c.closes ? 5s : 1s);
  INFO(c.name << "\n→ " << response.substr(0, 300));
  CHECK(status_of(response) == c.status);
  CHECK(error_code_of(body_of_raw(response)) == c.code);
  CHECK(peer.closed() == c.closes);
}

// `name` names the test's own database and config: ctest runs these tests in
// parallel.
struct daemon_fixture {
  explicit daemon_fixture(const std::string& name)
      : s{{"--records", "30000", "--seed", "5", "--limit-per-second", "0", "--limit-per-minute", "0"}}, db{name} {
    set_source_env();
    ::setenv("FERRY_ADMIN_TOKEN", token.c_str(), 1);
    auto config = flow_config(s.port(), db);
    config["jobs"][0]["schedule"] = {{"every", "1h"}};
    config["jobs"][0]["window"]["max_span"] = "1d";
    config["admin"] = {{"listen", "127.0.0.1:0"}, {"token_env", "FERRY_ADMIN_TOKEN"}};
    path = write_config(name, config);
  }
  // Waits for the daemon's first scheduled run to have succeeded.
  void first_run_succeeded(const char* what) {
    eventually([&] { return db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE state = 'success'") == "1"; }, 180s,
               what);
  }
  sim s;
  test_database db;
  std::filesystem::path path;
};

bool healthy(std::uint16_t port) {
  ferry::test_support::http_client client{"127.0.0.1", port, 5s};
  const auto r = client.get("/healthz");
  return r.ok() && r.response.status == 200;
}

}  // namespace

TEST_CASE("bad API requests get their status and a JSON error, and the daemon is unaffected", "[badinput][admin]") {
  daemon_fixture f{"bad_admin_api"};
  ferryd_daemon d{f.path};
  std::size_t tried = 0;
  for (const auto& cases : {body_cases(), job_and_range_cases(), auth_method_path_cases()})
    for (const auto& c : cases) {
      check_case(d.port(), c);
      ++tried;
    }
  for (const auto& c : raw_cases()) {
    check_raw(d.port(), c);
    ++tried;
  }
  // Nothing above queued work or changed the job.
  ferry::test_support::http_client client{"127.0.0.1", d.port(), 30s};
  client.set_header("Authorization", "Bearer " + token);
  const auto job = json::parse(client.get(job_path).response.body);
  CHECK(job["paused"] == false);
  CHECK(job["backfills_queued"] == 0);
  CHECK(healthy(d.port()));
  f.first_run_succeeded("the scheduled run");
  const auto diff = compare_flow(f.db, f.s);
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(f.db.scalar("SELECT COUNT(*) FROM ferry_runs") == "1");
  CHECK(d.terminate() == 0);
  WARN("bad inputs tried: admin requests=" << tried);
}

TEST_CASE("slow and many bad clients at once: each is answered or dropped, others are served, the sync ends exact",
          "[badinput][admin][slow]") {
  daemon_fixture f{"bad_admin_slow"};
  ferryd_daemon d{f.path};
  // Slowloris: a few connections trickle a request's headers, one byte
  // every 500 ms, past the 10 s read timeout.
  std::vector<std::thread> slow;
  std::atomic<int> dropped{0};
  for (int i = 0; i < 4; ++i)
    slow.emplace_back([&] {
      raw_connection peer{d.port()};
      const std::string request = "GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(40, 'z');
      const auto started = std::chrono::steady_clock::now();
      for (const char ch : request) {
        if (!peer.send(std::string_view{&ch, 1})) break;
        if (!peer.read_until_close(500ms).empty() || peer.closed()) break;
      }
      peer.read_until_close(15s);
      const auto took = std::chrono::steady_clock::now() - started;
      if (peer.closed() && took >= 9s && took < 20s) ++dropped;
    });
  // Meanwhile 120 clients send a mix of bad requests at once; each gets its answer.
  std::vector<api_case> mix;
  for (const auto& cases : {body_cases(), job_and_range_cases(), auth_method_path_cases()})
    mix.insert(mix.end(), cases.begin(), cases.end());
  std::atomic<int> right{0};
  std::vector<std::thread> many;
  for (std::size_t i = 0; i < 120; ++i)
    many.emplace_back([&, i] {
      const auto& c = mix[(i * 7) % mix.size()];
      const auto r = send(d.port(), c);
      if (r.ok && r.status == c.status && error_code_of(r.body) == c.code) ++right;
    });
  for (auto& t : many) t.join();
  CHECK(right.load() == 120);
  CHECK(healthy(d.port()));  // served while the slow clients still trickle
  for (auto& t : slow) t.join();
  CHECK(dropped.load() == 4);
  CHECK(healthy(d.port()));
  f.first_run_succeeded("the scheduled run");
  const auto diff = compare_flow(f.db, f.s);
  INFO(diff.describe());
  CHECK(diff.exact());
  CHECK(d.terminate() == 0);
  WARN("bad inputs tried: slow clients=4, concurrent bad requests=120");
}

TEST_CASE("SIGHUP with a bad config keeps the running one", "[badinput][reload]") {
  daemon_fixture f{"bad_admin_reload"};
  ferryd_daemon d{f.path};
  f.first_run_succeeded("the first run");
  ferry::test_support::http_client client{"127.0.0.1", d.port(), 30s};
  client.set_header("Authorization", "Bearer " + token);
  const auto before = json::parse(client.get(job_path).response.body);
  std::ifstream file{f.path};
  const auto good = nlohmann::ordered_json::parse(file);
  // A mistyped field, then a job whose target key names no column.
  // Each also changes the schedule, which must not take effect.
  auto mistyped = good;
  mistyped["jobs"][0]["page_size"] = "1000";
  mistyped["jobs"][0]["schedule"] = {{"every", "2h"}};
  auto bad_key = good;
  bad_key["jobs"][0]["targets"][0]["key"] = {"nope"};
  bad_key["jobs"][0]["schedule"] = {{"every", "2h"}};
  for (const auto& bad : {mistyped, bad_key}) {
    write_config(f.path.stem().string(), bad);  // the file the daemon reloads
    ::kill(d.pid(), SIGHUP);
    std::this_thread::sleep_for(1s);
    CHECK(healthy(d.port()));
    const auto job = json::parse(client.get(job_path).response.body);
    CHECK(job["schedule"] == before["schedule"]);
    CHECK(job["last_run_started"] == before["last_run_started"]);  // the job was not restarted
  }
  // The old config still runs the job.
  CHECK(client.post_json(job_path + "/backfills", R"({"from":"2026-01-01","to":"2026-01-03"})").response.status == 202);
  eventually([&] { return f.db.scalar("SELECT COUNT(*) FROM ferry_runs WHERE kind = 'backfill' AND state = 'success'") == "1"; },
             120s, "a backfill under the old config");
  CHECK(d.terminate() == 0);
  WARN("bad inputs tried: reloads=2");
}
