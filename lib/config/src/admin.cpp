#include "sections.hpp"

#include <array>
#include <charconv>

namespace ferry::config::detail {
namespace {

constexpr std::array<std::string_view, 7> admin_keys{
    "listen", "token", "token_env", "token_file", "metrics_auth", "tls", "shutdown_timeout"};
constexpr std::array<std::string_view, 2> tls_keys{"cert_file", "key_file"};

// "127.0.0.1:8080" or "[::1]:8080".
bool split_listen(const std::string& text, std::string& address, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  address = text.substr(0, colon);
  if (address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
  const auto digits = std::string_view{text}.substr(colon + 1);
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size() || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return !address.empty();
}

}  // namespace

admin_config read_admin(const json& value, const location& where, const load_context& ctx) {
  const object_reader r{value, where, ctx.diag, admin_keys};
  admin_config a;
  if (!r.is_object()) return a;
  if (const auto listen = r.string("listen")) {
    if (!split_listen(*listen, a.address, a.port))
      r.report("listen", json(*listen).dump() + " is not an address:port",
               "e.g. \"127.0.0.1:8080\" (port 0 picks a free one)");
  }
  if (auto token = read_secret(r, "token", true, "the bearer token that /api routes require", ctx))
    a.token = std::move(*token);
  if (const auto b = r.boolean("metrics_auth")) a.metrics_auth = *b;
  if (const auto d = r.duration("shutdown_timeout", std::chrono::milliseconds{0})) a.shutdown_timeout = *d;
  if (const auto* tls = r.find("tls")) {
    const object_reader t{*tls, r.at("tls"), ctx.diag, tls_keys};
    // ${CREDENTIALS_DIRECTORY}/... works here as in secret files, so the key
    // can be a systemd credential, readable by the service alone.
    a.tls_cert_file = expanded_file(t, "cert_file", ctx);
    a.tls_key_file = expanded_file(t, "key_file", ctx);
    if (t.is_object() && (!a.tls_cert_file || !a.tls_key_file))
      r.report("tls", "needs both cert_file and key_file", "PEM files of the server certificate and its key");
  }
  return a;
}

}  // namespace ferry::config::detail
