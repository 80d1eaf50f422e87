// Metrics: the controller's Prometheus metrics (text exposition format 0.0.4).
// main makes one registry and passes it to what records (Controller,
// PvcReconciler, BmcpfsStrategy) and to the /metrics endpoint; a test makes
// its own and reads it. Counters and histograms are keyed by a label
// string already rendered as `{k="v",...}`; gauges are sampled at scrape time
// from callbacks (queue depth, populations in flight).
//
//   ossvp_reconciles_total{result}                 Done / RequeueAfter / Error
//   ossvp_reconcile_errors_total{reason}           the failing Status code
//   ossvp_workqueue_depth                          keys ready + delayed
//   ossvp_populations_in_flight                    PVCs carrying our finalizer
//   ossvp_population_duration_seconds{mode,result} histogram, failures included
//   ossvp_bytes_populated_total{mode}
//   ossvp_time_to_bound_seconds{mode}              PVC creation -> Bound (histogram)
//   ossvp_leader                                   1 while this replica leads
//
// Thread-safety: internally synchronized.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace ossvp::controller {

class Metrics {
 public:
  void inc(const std::string& name, const std::string& labels, double by = 1);
  void observe(const std::string& name, const std::string& labels, double seconds);
  // Replaces the gauge's callback; `sample` must stay valid while render() may be called.
  void setGauge(const std::string& name, std::function<double()> sample);
  // The whole registry in Prometheus text format.
  std::string render() const;
  // Current value of a counter (tests).
  double counter(const std::string& name, const std::string& labels) const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // per bound of kBounds, cumulative at render
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, double>> counters_;       // guarded by mu_
  std::map<std::string, std::map<std::string, Histogram>> histograms_;  // guarded by mu_
  std::map<std::string, std::function<double()>> gauges_;               // guarded by mu_
};

// `{mode="bmcpfs-dataflow",result="Succeeded"}` from pairs.
std::string metricLabels(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace ossvp::controller
