#pragma once
// A credential read from the environment or a file (app secret, tokens, the
// MySQL password). The value leaves this type only through reveal(), at the
// one place that needs it (signing, connecting); streaming or fmt-formatting
// a secret prints "***", so a secret that slips into a log line or an error
// message shows nothing. origin() says where it came from and is safe to log.
// Immutable after construction; thread-safe to read.
#include <iosfwd>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace ferry::config {

class secret {
 public:
  secret() = default;
  secret(std::string value, std::string origin) : value_{std::move(value)}, origin_{std::move(origin)} {}

  const std::string& reveal() const { return value_; }
  // "environment variable JST_APP_SECRET", "file /etc/ferry/jst_secret", or "" when unset.
  const std::string& origin() const { return origin_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
  std::string origin_;
};

// Writes "***", never the value.
std::ostream& operator<<(std::ostream& out, const secret& s);

}  // namespace ferry::config

// fmt (and so spdlog) prints "***" too.
template <>
struct fmt::formatter<ferry::config::secret> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const ferry::config::secret&, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};
