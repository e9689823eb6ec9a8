#include "support/child_process.hpp"

#include <cerrno>
#include <charconv>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <utility>

extern char** environ;

namespace ferry::test_support {
namespace {

using clock = std::chrono::steady_clock;

std::system_error os_error(int code, const char* what) {
  return std::system_error(code, std::generic_category(), what);
}

int millis_until(clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

}  // namespace

child_process::child_process(const std::string& path, const std::vector<std::string>& args) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw os_error(errno, "pipe2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const int rc = posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    pid_ = -1;
    throw os_error(rc, ("posix_spawn " + path).c_str());
  }
  stdout_fd_ = fds[0];
}

child_process::~child_process() { release(); }

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      status_(other.status_),
      buffered_(std::move(other.buffered_)) {}

child_process& child_process::operator=(child_process&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    stdout_fd_ = std::exchange(other.stdout_fd_, -1);
    status_ = other.status_;
    buffered_ = std::move(other.buffered_);
  }
  return *this;
}

void child_process::release() noexcept {
  if (pid_ > 0 && !status_) {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  pid_ = -1;
  stdout_fd_ = -1;
}

// Reads what stdout has into the buffer; false at its end or at the deadline.
bool child_process::fill_buffer(clock::time_point deadline) {
  if (stdout_fd_ < 0) return false;
  pollfd pfd{stdout_fd_, POLLIN, 0};
  const int ready = poll(&pfd, 1, millis_until(deadline));
  if (ready <= 0) return false;
  char chunk[65536];
  const ssize_t got = read(stdout_fd_, chunk, sizeof chunk);
  if (got <= 0) {
    close(stdout_fd_);
    stdout_fd_ = -1;
    return false;
  }
  buffered_.append(chunk, static_cast<std::size_t>(got));
  return true;
}

std::optional<std::string> child_process::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    if (const auto newline = buffered_.find('\n'); newline != std::string::npos) {
      std::string line = buffered_.substr(0, newline);
      buffered_.erase(0, newline + 1);
      return line;
    }
    if (!fill_buffer(deadline)) return std::nullopt;
  }
}

std::string child_process::read_all(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  while (stdout_fd_ >= 0) {
    if (!fill_buffer(deadline) && stdout_fd_ >= 0) throw std::runtime_error("child stdout still open at timeout");
  }
  return std::exchange(buffered_, std::string{});
}

std::optional<int> child_process::wait_for(std::chrono::milliseconds timeout) {
  if (status_ || pid_ <= 0) return status_;
  const auto deadline = clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) return status_ = status;
    if (done < 0 && errno != EINTR) throw os_error(errno, "waitpid");
    if (clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

int child_process::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) throw std::logic_error("child_process::stop: no child");
  if (status_) return *status_;
  kill(pid_, SIGTERM);
  if (const auto status = wait_for(grace)) return *status;
  kill(pid_, SIGKILL);
  return *wait_for(std::chrono::hours{1});
}

std::optional<std::uint16_t> parse_listening_port(std::string_view line) {
  const auto colon = line.rfind(':');
  if (colon == std::string_view::npos || line.find("listening on") == std::string_view::npos) return std::nullopt;
  const auto digits = line.substr(colon + 1);
  std::uint16_t port = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc{} || ptr != digits.data() + digits.size() || port == 0) return std::nullopt;
  return port;
}

}  // namespace ferry::test_support
