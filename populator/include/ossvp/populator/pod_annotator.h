// PodAnnotator: writes the progress JSON into the populator Pod's own
// annotation (populator_contract::kProgressAnnotation) with one JSON
// merge-patch to the API server, so the controller can mirror progress by
// watching Pods. Active only in a Pod: POD_NAME and POD_NAMESPACE (downward
// API) set and a service-account token file present. Failures are logged
// (rate-limited) and never fail the copy.
//
// Environment: KUBERNETES_SERVICE_HOST/PORT (in-cluster API URL),
// OSSVP_KUBE_API_URL (overrides the URL, e.g. http://127.0.0.1:PORT in tests),
// OSSVP_KUBE_TOKEN_FILE / OSSVP_KUBE_CA_FILE (override the service-account
// token and CA paths). The token is re-read on every patch (rotation).
//
// Thread-safety: not thread-safe; the progress reporter thread owns it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ossvp/common/populator_contract.h"
#include "ossvp/common/status.h"

namespace ossvp::populator {

using populator_contract::kProgressAnnotation;

struct PodTarget {
  std::string apiUrl;  // "https://10.0.0.1:443"
  std::string tokenFile;
  std::string caFile;  // empty: the system trust store
  std::string ns;
  std::string pod;
};

// Reads the environment; nullopt when not running in a Pod (or no token).
std::optional<PodTarget> detectPodTarget();

// The merge-patch body that sets the annotation to `progressJson`.
std::string progressPatchBody(const std::string& progressJson);

class PodAnnotator {
 public:
  explicit PodAnnotator(PodTarget target);
  // Sends one PATCH; Ok on a 2xx answer. Times out after 5 s.
  Status patch(const std::string& progressJson);
  const PodTarget& target() const { return target_; }

 private:
  PodTarget target_;
  int failures_ = 0;
};

}  // namespace ossvp::populator
