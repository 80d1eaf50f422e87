// FaultInjector: the admin-controlled failure modes of kube-sim: answer matching requests with a given HTTP error
// (410/409/429/500...) a number of times, and add latency to every request.
// Watch dropping / compaction / restart are driven by the ApiServer.
//
// Admin API (JSON): POST /kube-sim/faults
//   {"rules":[{"method":"GET","pathContains":"/configmaps","code":500,"count":1}],"latencyMs":0}
// DELETE /kube-sim/faults clears everything.
//
// Thread-safety: internally synchronized.
#pragma once

#include <nlohmann/json.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ossvp::kubesim {

class FaultInjector {
 public:
  struct Rule {
    std::string method;        // empty: any
    std::string pathContains;  // empty: any
    bool watchOnly = false;    // only requests with watch=true
    int code = 500;
    int count = 1;  // remaining hits; -1 = forever
  };

  void configure(const nlohmann::json& config);  // adds rules, sets latency
  void clear();
  int latencyMs() const;
  // The error code to answer this request with, consuming one hit.
  std::optional<int> match(const std::string& method, const std::string& path, bool watch);
  nlohmann::json describe() const;

 private:
  mutable std::mutex mu_;
  std::vector<Rule> rules_;
  int latencyMs_ = 0;
};

}  // namespace ossvp::kubesim
