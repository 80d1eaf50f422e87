#include "ossvp/controller/metrics.h"

#include <sstream>

namespace ossvp::controller {
namespace {
const std::vector<double> kDefaultBounds = {0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};

const std::map<std::string, std::string>& helpTexts() {
  static const std::map<std::string, std::string> h = {
      {"ossvp_reconciles_total", "Reconcile passes by outcome"},
      {"ossvp_reconcile_errors_total", "Failed reconcile passes by reason"},
      {"ossvp_workqueue_depth", "Keys waiting in the work queue (ready and delayed)"},
      {"ossvp_populations_in_flight", "PVCs being populated"},
      {"ossvp_population_duration_seconds", "Duration of finished populations, failures included"},
      {"ossvp_bytes_populated_total", "Bytes copied into populated volumes"},
      {"ossvp_time_to_bound_seconds", "Time from PVC creation to Bound"},
      {"ossvp_leader", "1 while this replica is the leader"},
      {"ossvp_phase_duration_seconds",
       "Time between two phases of a PVC's population, first observation to first observation"},
  };
  return h;
}

void header(std::ostringstream& out, const std::string& name, const char* type) {
  auto it = helpTexts().find(name);
  out << "# HELP " << name << " " << (it == helpTexts().end() ? name : it->second) << "\n";
  out << "# TYPE " << name << " " << type << "\n";
}

// Inserts `le` into a rendered label set.
std::string withLe(const std::string& labels, const std::string& le) {
  if (labels.empty()) return "{le=\"" + le + "\"}";
  return labels.substr(0, labels.size() - 1) + ",le=\"" + le + "\"}";
}
}  // namespace

std::string metricLabels(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    std::string escaped;
    for (char c : v) {
      if (c == '"' || c == '\\') escaped += '\\';
      if (c == '\n') {
        escaped += "\\n";
        continue;
      }
      escaped += c;
    }
    out += (out.empty() ? "{" : ",") + k + "=\"" + escaped + "\"";
  }
  return out.empty() ? out : out + "}";
}

void Metrics::inc(const std::string& name, const std::string& labels, double by) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_[name][labels] += by;
}

void Metrics::observe(const std::string& name, const std::string& labels, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  Histogram& h = histograms_[name][labels];
  if (h.buckets.empty()) {
    auto custom = bounds_.find(name);
    h.bounds = custom == bounds_.end() ? kDefaultBounds : custom->second;
    h.buckets.assign(h.bounds.size(), 0);
  }
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    if (seconds <= h.bounds[i]) {
      ++h.buckets[i];
      break;
    }
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::setBuckets(const std::string& name, std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  bounds_[name] = std::move(bounds);
}

void Metrics::setGauge(const std::string& name, std::function<double()> sample) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_[name] = std::move(sample);
}

double Metrics::counter(const std::string& name, const std::string& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counters_.find(name);
  if (it == counters_.end()) return 0;
  auto v = it->second.find(labels);
  return v == it->second.end() ? 0 : v->second;
}

Metrics::HistogramReading Metrics::histogram(const std::string& name, const std::string& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = histograms_.find(name);
  if (it == histograms_.end()) return {};
  auto h = it->second.find(labels);
  return h == it->second.end() ? HistogramReading{} : HistogramReading{h->second.count, h->second.sum};
}

std::string Metrics::render() const {
  std::map<std::string, std::function<double()>> gauges;
  std::ostringstream out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    gauges = gauges_;
    for (const auto& [name, series] : counters_) {
      header(out, name, "counter");
      for (const auto& [labels, v] : series) out << name << labels << " " << v << "\n";
    }
    for (const auto& [name, series] : histograms_) {
      header(out, name, "histogram");
      for (const auto& [labels, h] : series) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < h.bounds.size(); ++i) {
          cumulative += h.buckets[i];
          std::ostringstream le;
          le << h.bounds[i];
          out << name << "_bucket" << withLe(labels, le.str()) << " " << cumulative << "\n";
        }
        out << name << "_bucket" << withLe(labels, "+Inf") << " " << h.count << "\n";
        out << name << "_sum" << labels << " " << h.sum << "\n";
        out << name << "_count" << labels << " " << h.count << "\n";
      }
    }
  }
  for (const auto& [name, sample] : gauges) {  // sampled outside the lock
    header(out, name, "gauge");
    out << name << " " << sample() << "\n";
  }
  return out.str();
}

}  // namespace ossvp::controller
