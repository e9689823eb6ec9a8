#pragma once
// systemd's notify protocol over $NOTIFY_SOCKET (a datagram per state:
// READY=1, RELOADING=1, STOPPING=1, WATCHDOG=1, STATUS=...). A no-op when
// not started by systemd. Thread-safe.
#include <chrono>
#include <optional>
#include <string_view>

namespace ferry::daemon {

// Sends one notification; false when there is no socket or the send failed.
bool sd_notify(std::string_view state);

// "RELOADING=1" with the CLOCK_MONOTONIC time it began (MONOTONIC_USEC=),
// as systemd's reload protocol asks (Type=notify-reload needs both; older
// systemd reads RELOADING=1 and ignores the time).
bool sd_notify_reloading();

// How often to send WATCHDOG=1: half of $WATCHDOG_USEC, or nullopt when no
// watchdog is configured for this process.
std::optional<std::chrono::milliseconds> watchdog_interval();

}  // namespace ferry::daemon
