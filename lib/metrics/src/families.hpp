#pragma once
// Every metric family ferry exposes, registered once in one prometheus
// registry. Families are thread-safe (prometheus-cpp locks Add/Remove).
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "process.hpp"

#include <memory>

namespace ferry::metrics::detail {

// A family of `builder`'s type registered under `name` with its help text.
template <class Builder>
auto& add(Builder builder, prometheus::Registry& registry, const char* name, const char* help) {
  return builder.Name(name).Help(help).Register(registry);
}

struct families {
  explicit families(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& records_fetched;
  prometheus::Family<prometheus::Counter>& rows_written;
  prometheus::Family<prometheus::Counter>& dead_letters;
  prometheus::Family<prometheus::Counter>& records_skipped;
  prometheus::Family<prometheus::Counter>& http_requests;
  prometheus::Family<prometheus::Histogram>& http_duration;
  prometheus::Family<prometheus::Counter>& ratelimit_wait;
  prometheus::Family<prometheus::Counter>& throttled;
  prometheus::Family<prometheus::Counter>& retries;
  prometheus::Family<prometheus::Counter>& job_runs;
  prometheus::Family<prometheus::Histogram>& run_duration;
  prometheus::Family<prometheus::Gauge>& run_start;
  prometheus::Family<prometheus::Gauge>& job_running;
  prometheus::Family<prometheus::Gauge>& job_paused;
  prometheus::Family<prometheus::Gauge>& watermark;
  prometheus::Family<prometheus::Gauge>& last_success;
  prometheus::Family<prometheus::Gauge>& windows_incomplete;
  prometheus::Family<prometheus::Gauge>& schedule_period;
  prometheus::Family<prometheus::Counter>& windows_verified;
  prometheus::Family<prometheus::Counter>& verify_found;
  prometheus::Family<prometheus::Gauge>& token_expiry;
  prometheus::Family<prometheus::Gauge>& token_refresh_due;
  prometheus::Family<prometheus::Gauge>& token_renewable;
  prometheus::Family<prometheus::Counter>& token_renewals;
  prometheus::Family<prometheus::Gauge>& pool_connections;
  prometheus::Family<prometheus::Histogram>& batch_duration;
  prometheus::Family<prometheus::Gauge>& build_info;
  prometheus::Family<prometheus::Counter>& config_reloads;
  prometheus::Family<prometheus::Gauge>& config_reload_ok;
  prometheus::Family<prometheus::Gauge>& config_reload_time;
  // process_*: refreshed at each scrape.
  std::unique_ptr<process_metrics> process;
};

// API calls take from tens of milliseconds to the client's timeout.
prometheus::Histogram::BucketBoundaries http_duration_buckets();
// A run takes a second (a quiet window) to hours (a first sync, a backfill).
prometheus::Histogram::BucketBoundaries run_duration_buckets();
// One multi-row upsert takes milliseconds to a few seconds.
prometheus::Histogram::BucketBoundaries batch_duration_buckets();

}  // namespace ferry::metrics::detail
