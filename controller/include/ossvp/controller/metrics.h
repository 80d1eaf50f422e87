// Metrics: the controller's Prometheus metrics (text exposition format 0.0.4).
// main makes one registry and passes it to what records (Controller,
// PvcReconciler, BmcpfsStrategy) and to the /metrics endpoint; a test makes
// its own and reads it. Counters and histograms are keyed by a label
// string already rendered as `{k="v",...}`; gauges are sampled at scrape time
// from callbacks (queue depth, populations in flight). Histograms have the
// buckets 0.5 s .. 3600 s unless setBuckets() gave the name its own.
//
//   ossvp_reconciles_total{result}                 Done / RequeueAfter / Error
//   ossvp_reconcile_errors_total{reason}           the failing Status code
//   ossvp_workqueue_depth                          keys ready + delayed
//   ossvp_populations_in_flight                    PVCs carrying our finalizer
//   ossvp_population_duration_seconds{mode,result} histogram, failures included
//   ossvp_bytes_populated_total{mode}
//   ossvp_time_to_bound_seconds{mode}              PVC creation -> Bound (histogram)
//   ossvp_phase_duration_seconds{mode,phase}       one interval of a PVC's population (phase_timeline.h)
//   ossvp_leader                                   1 while this replica leads
//   ossvp_api_requests_total{verb,resource}        every API call (kube/counting_api_client.h)
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
  // Upper bounds (seconds, ascending) of histogram `name`'s buckets; applies
  // to series first observed after the call.
  void setBuckets(const std::string& name, std::vector<double> bounds);
  // Replaces the gauge's callback; `sample` must stay valid while render() may be called.
  void setGauge(const std::string& name, std::function<double()> sample);
  // The whole registry in Prometheus text format.
  std::string render() const;
  // Current value of a counter (tests).
  double counter(const std::string& name, const std::string& labels) const;
  // Observations of one histogram series so far (tests).
  struct HistogramReading {
    uint64_t count = 0;
    double sum = 0;
  };
  HistogramReading histogram(const std::string& name, const std::string& labels) const;

 private:
  struct Histogram {
    std::vector<double> bounds;     // upper bounds, seconds
    std::vector<uint64_t> buckets;  // per bound, cumulative at render
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, double>> counters_;       // guarded by mu_
  std::map<std::string, std::map<std::string, Histogram>> histograms_;  // guarded by mu_
  std::map<std::string, std::function<double()>> gauges_;               // guarded by mu_
  std::map<std::string, std::vector<double>> bounds_;                   // setBuckets; guarded by mu_
};

// `{mode="bmcpfs-dataflow",result="Succeeded"}` from pairs.
std::string metricLabels(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace ossvp::controller
