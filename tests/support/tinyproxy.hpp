#pragma once
// Debian's tinyproxy in the foreground with a config of the test's own:
// loopback only, every CONNECT port allowed unless `extra` says otherwise,
// each connection logged. A real HTTP proxy for the tests of calls from a
// whitelisted address (ferry tunnels every call with CONNECT).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "support/child_process.hpp"

namespace ferry::test_support {

class tinyproxy {
 public:
  // `name` keeps its files apart from other tests'; `extra`: more config
  // lines (a ConnectPort line limits the tunnels). Throws
  // std::runtime_error when it does not listen within 10 s.
  explicit tinyproxy(const std::string& name, const std::string& extra = {});
  ~tinyproxy();
  tinyproxy(const tinyproxy&) = delete;
  tinyproxy& operator=(const tinyproxy&) = delete;

  std::uint16_t port() const { return port_; }
  std::string log() const;
  // Tunnels asked for: its "Request (file descriptor N): CONNECT host:port" lines.
  std::size_t tunnels() const;

 private:
  std::filesystem::path dir_;
  std::uint16_t port_;
  std::optional<child_process> process_;
};

// A loopback port nothing listens on right now (bound to 0, read back, closed).
std::uint16_t unused_port();

}  // namespace ferry::test_support
