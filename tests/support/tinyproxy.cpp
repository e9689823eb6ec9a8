#include "support/tinyproxy.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ferry::test_support {

namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  auto addr = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  auto addr = loopback(0);
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("could not bind a loopback port");
  return ntohs(addr.sin_port);
}

tinyproxy::tinyproxy(const std::string& name, const std::string& extra)
    : dir_(std::filesystem::temp_directory_path() / ("ferry-proxy-" + name)), port_(unused_port()) {
  std::filesystem::create_directories(dir_);
  std::ofstream{dir_ / "tinyproxy.conf"} << "Port " << port_ << "\nListen 127.0.0.1\nTimeout 60\nAllow 127.0.0.1\n"
                                         << "LogLevel Connect\nMaxClients 50\nLogFile \""
                                         << (dir_ / "tinyproxy.log").string() << "\"\n" << extra;
  std::filesystem::remove(dir_ / "tinyproxy.log");
  process_.emplace("/usr/bin/tinyproxy", std::vector<std::string>{"-d", "-c", (dir_ / "tinyproxy.conf").string()});
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (!accepts(port_)) {
    if (std::chrono::steady_clock::now() > until)
      throw std::runtime_error("tinyproxy did not listen on 127.0.0.1:" + std::to_string(port_) + " within 10 s");
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
}

tinyproxy::~tinyproxy() {
  if (process_) process_->stop();
}

std::string tinyproxy::log() const {
  std::ifstream in{dir_ / "tinyproxy.log"};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t tinyproxy::tunnels() const {
  const auto text = log();
  std::size_t n = 0;
  for (auto at = text.find("): CONNECT "); at != std::string::npos; at = text.find("): CONNECT ", at + 1)) ++n;
  return n;
}

}  // namespace ferry::test_support
