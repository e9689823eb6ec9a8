#pragma once
// A credential (app secret, the MySQL password, the admin token) from the
// moment it is read until the one call that needs its text: signing a
// request, connecting to MySQL, comparing a bearer token. The value leaves
// this type only through reveal(), there; streaming or fmt-formatting a
// secret prints "***", so a secret that slips into a log line or an error
// message shows nothing. origin() says where it came from and is safe to log.
// Immutable after construction; thread-safe to read.
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace ferry::core {

class secret {
 public:
  secret() = default;
  secret(std::string value, std::string origin) : value_{std::move(value)}, origin_{std::move(origin)} {}
  explicit secret(std::string value) : value_{std::move(value)} {}

  const std::string& reveal() const { return value_; }
  // "environment variable JST_APP_SECRET", "file /etc/ferry/jst_secret", or "" when unset.
  const std::string& origin() const { return origin_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
  std::string origin_;
};

// Writes "***", never the value.
inline std::ostream& operator<<(std::ostream& out, const secret&) { return out << "***"; }

}  // namespace ferry::core

// fmt (and so spdlog) prints "***" too.
template <>
struct fmt::formatter<ferry::core::secret> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const ferry::core::secret&, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};
