#pragma once
// A child process for integration tests: start a binary with arguments, read
// lines of its standard output (for example the port a server prints), stop it
// with SIGTERM and then SIGKILL, and always reap it.
//
// The child's stdout is a pipe read by this object; its stderr is the test's
// stderr, so its logs show in ctest's output. The destructor kills a child that
// still runs and waits for it, so no test leaves a process behind. One object
// per child; not thread-safe; movable, not copyable.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace ferry::test_support {

class child_process {
 public:
  // Starts `path` with `args` (argv[0] is `path`). Throws std::system_error when
  // the pipe or the spawn fails (a missing binary is such a failure).
  child_process(const std::string& path, const std::vector<std::string>& args);
  ~child_process();
  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }

  // The next line of stdout without its '\n'; nullopt when stdout ends or
  // `timeout` passes first.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  // Everything left on stdout up to its end. Throws std::runtime_error when
  // stdout is still open after `timeout`.
  std::string read_all(std::chrono::milliseconds timeout);

  // The exit status (as waitpid reports it) once the child has exited within
  // `timeout`, else nullopt.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);

  // SIGTERM, then SIGKILL after `grace`; returns the wait status.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds{5});

 private:
  void release() noexcept;
  bool fill_buffer(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::optional<int> status_;
  std::string buffered_;
};

// The port in a line such as "jst-sim listening on 127.0.0.1:40123".
std::optional<std::uint16_t> parse_listening_port(std::string_view line);

}  // namespace ferry::test_support
