#pragma once
// Logs: spdlog to a standard stream (journald reads it under systemd), as
// key=value text or as JSON lines, at the configured level.
#include "ferry/config/config.hpp"

namespace ferry::daemon {

enum class log_stream { out, err };

void setup_logging(const config::log_config& log, log_stream stream);

}  // namespace ferry::daemon
