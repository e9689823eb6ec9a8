#pragma once
// The process_* series every Prometheus client library exports (prometheus-cpp
// core has none): CPU seconds, resident and virtual memory, open and maximum
// descriptors, start time. Read from /proc/self at each scrape, so a leak or
// a CPU-bound ferryd shows on the dashboard without node-exporter.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <mutex>

namespace ferry::metrics::detail {

class process_metrics {
 public:
  explicit process_metrics(prometheus::Registry& registry);
  // Reads /proc/self; a value that cannot be read keeps its last one. Thread-safe.
  void refresh();

 private:
  prometheus::Counter& cpu_;
  prometheus::Gauge& resident_;
  prometheus::Gauge& virtual_;
  prometheus::Gauge& open_fds_;
  prometheus::Gauge& max_fds_;
  prometheus::Gauge& start_time_;
  std::mutex mutex_;
  double cpu_seen_ = 0;  // what cpu_ has counted so far
};

}  // namespace ferry::metrics::detail
