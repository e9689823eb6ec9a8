#include "ferry/core/version.hpp"

#include "version_config.hpp"

namespace ferry::core {

std::string_view version() { return FERRY_VERSION; }

std::string_view git_describe() { return FERRY_GIT_DESCRIBE; }

std::string_view version_long() {
  static const std::string_view text =
      sizeof(FERRY_GIT_DESCRIBE) > 1 ? FERRY_VERSION " (git " FERRY_GIT_DESCRIBE ")" : FERRY_VERSION;
  return text;
}

}  // namespace ferry::core
