#pragma once
// Logs: spdlog to a standard stream (journald reads it under systemd), as
// logfmt or as JSON lines (core/log_format.hpp), at the configured level;
// each line carries its syslog priority when the stream is journald's.
#include "ferry/config/config.hpp"

namespace ferry::daemon {

enum class log_stream { out, err };

void setup_logging(const config::log_config& log, log_stream stream);

// Under journald (stderr is the stream $JOURNAL_STREAM names), every line
// ferryd writes to std::cerr itself (config errors, a refused start, a
// failed --once) is filed as an error: each line gets the "<3>" prefix.
// Call once, first thing in main.
void mark_cerr_as_errors_for_journal();

}  // namespace ferry::daemon
