#include "reliability.hpp"

#include <netinet/in.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ferry::test {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  return std::stoull(value);
}

std::string drain_for(test_support::child_process& child, std::chrono::milliseconds how_long) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + how_long;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const auto line = child.read_line(left);
    if (!line) {
      // stdout ended (the child exited) or the time is up.
      if (std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(deadline - std::chrono::steady_clock::now());
      break;
    }
    out += *line;
    out += '\n';
  }
  return out;
}

row_lock::row_lock(const test_database& db, const std::string& sql) : conn_{db.options} {
  conn_.connect();
  conn_.execute("SET SESSION innodb_lock_wait_timeout = 30");
  // The locking read may deadlock with ferryd's own transaction; like any
  // client, try again.
  for (int attempt = 1;; ++attempt) {
    try {
      conn_.begin();
      conn_.query(sql);
      return;
    } catch (const mysql::error& e) {
      conn_.rollback();
      if (e.kind() != mysql::error_kind::retryable || attempt == 10) throw;
    }
  }
}

row_lock::~row_lock() { conn_.rollback(); }

namespace {
// ferryd with its stderr (where --once logs) joined to stdout, exec'd so the
// pid is ferryd's own.
std::vector<std::string> joined_output(std::vector<std::string> args) {
  args.insert(args.begin(), {"-c", "exec \"$0\" \"$@\" 2>&1", FERRYD_PATH});
  return args;
}
}  // namespace

running_ferryd::running_ferryd(std::vector<std::string> args)
    : process_{"/bin/sh", joined_output(std::move(args))}, pid_{process_.pid()} {
  reader_ = std::thread{[this] {
    for (;;) {
      auto line = process_.read_line(std::chrono::seconds{1});
      if (!line) {
        if (process_.wait_for(std::chrono::milliseconds{0})) break;
        continue;
      }
      std::lock_guard lock{mutex_};
      output_ += *line;
      output_ += '\n';
    }
    eof_ = true;
  }};
}

running_ferryd::~running_ferryd() {
  if (!eof_) ::kill(pid_, SIGKILL);
  reader_.join();
}

std::string running_ferryd::output() const {
  std::lock_guard lock{mutex_};
  return output_;
}

std::uint16_t running_ferryd::admin_port() {
  const std::string marker = "ferryd admin listening on 127.0.0.1:";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while (std::chrono::steady_clock::now() < deadline) {
    const auto text = output();
    if (const auto at = text.find(marker); at != std::string::npos)
      return static_cast<std::uint16_t>(std::stoi(text.substr(at + marker.size())));
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  throw std::runtime_error("ferryd did not report its admin port:\n" + output());
}

std::optional<int> running_ferryd::wait(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!eof_) {
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  const auto status = process_.wait_for(std::chrono::seconds{0});
  if (!status) return std::nullopt;
  if (WIFEXITED(*status)) return WEXITSTATUS(*status);
  return -WTERMSIG(*status);
}

int running_ferryd::get_status(const std::string& target) {
  test_support::http_client client{"127.0.0.1", admin_port(), std::chrono::seconds{20}};
  const auto r = client.get(target);
  return r.ok() ? static_cast<int>(r.response.status) : 0;
}

std::string running_ferryd::get_body(const std::string& target) {
  test_support::http_client client{"127.0.0.1", admin_port(), std::chrono::seconds{20}};
  const auto r = client.get(target);
  return r.ok() ? r.response.body : std::string{};
}

double cpu_seconds(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces: count fields after its ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) throw std::runtime_error("cannot read /proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields{text.substr(close + 2)};
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

namespace {

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("no free port for the private MariaDB");
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string capture(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string out;
  char buf[512];
  while (const auto n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  if (::pclose(pipe) != 0) throw std::runtime_error("failed: " + command + "\n" + out);
  return out;
}

const char* const env_names[] = {"FERRY_MYSQL_HOST", "FERRY_MYSQL_PORT", "FERRY_MYSQL_SOCKET", "FERRY_MYSQL_USER",
                                 "FERRY_MYSQL_PASSWORD", "FERRY_MYSQL_DATABASE", "FERRY_MYSQL_ROOT_PASSWORD"};

}  // namespace

private_mariadb::private_mariadb(const std::string& name)
    : dir_{std::filesystem::path{RELIABILITY_WORK_DIR} / ("mariadb-" + name)}, port_{free_port()} {
  for (const char* n : env_names)
    if (const char* v = std::getenv(n)) saved_env_[n] = v;
  script("start");
  std::istringstream lines{capture("FERRY_MARIADB_DIR='" + dir_.string() + "' FERRY_MYSQL_PORT=" +
                                   std::to_string(port_) + " bash '" FERRY_SOURCE_DIR "/deploy/mariadb-local.sh' env")};
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("export ")) continue;
    const auto eq = line.find('=');
    env_[line.substr(7, eq - 7)] = line.substr(eq + 1);
  }
  for (const auto& [k, v] : env_) ::setenv(k.c_str(), v.c_str(), 1);
  // A previous run may have left globals changed if it crashed.
  root("SET GLOBAL read_only = 0, max_allowed_packet = 67108864, innodb_lock_wait_timeout = 50");
}

private_mariadb::~private_mariadb() {
  try {
    script("stop");
  } catch (...) {
  }
  for (const char* n : env_names) {
    if (const auto it = saved_env_.find(n); it != saved_env_.end()) ::setenv(n, it->second.c_str(), 1);
    else ::unsetenv(n);
  }
}

void private_mariadb::script(const std::string& command) const {
  const std::string line = "FERRY_MARIADB_DIR='" + dir_.string() + "' FERRY_MYSQL_PORT=" + std::to_string(port_) +
                           " bash '" FERRY_SOURCE_DIR "/deploy/mariadb-local.sh' " + command + " >&2";
  if (std::system(line.c_str()) != 0) throw std::runtime_error("mariadb-local.sh " + command + " failed");
}

void private_mariadb::stop() { script("stop"); }
void private_mariadb::start() { script("start"); }

std::string private_mariadb::root(const std::string& sql) const {
  const auto rows = root_rows(sql);
  if (rows.empty()) return {};
  const auto tab = rows[0].find('\t');
  return tab == std::string::npos ? rows[0] : rows[0].substr(0, tab);
}

int private_mariadb::kill_sessions(const std::string& user, const std::function<bool()>& query_only) const {
  int killed = 0;
  for (const auto& id : root_rows("SELECT id FROM information_schema.processlist WHERE user = '" + user + "'")) {
    try {
      root((query_only && query_only() ? "KILL QUERY " : "KILL CONNECTION ") + id);
      ++killed;
    } catch (const std::exception&) {
      // That session had already ended.
    }
  }
  return killed;
}

std::vector<std::string> private_mariadb::root_rows(const std::string& sql) const {
  mysql::connection_options o;
  o.host = "localhost";
  o.socket = env_.at("FERRY_MYSQL_SOCKET");
  o.user = "root";
  o.password = core::secret{env_.at("FERRY_MYSQL_ROOT_PASSWORD")};
  mysql::connection conn{o};
  std::vector<std::string> out;
  for (const auto& row : conn.query(sql)) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += '\t';
      line += row[i].value_or("NULL");
    }
    out.push_back(line);
  }
  return out;
}

}  // namespace ferry::test
