// ControllerOptions: everything the reconciler is configured with (from
// main.cpp's flags), with documented defaults; and the --feature-gates parser.
//
// Thread-safety: plain values, immutable once the controller starts.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "ossvp/common/result.h"

namespace ossvp::controller {

struct PodResources {
  std::string cpuRequest = "100m";
  std::string memoryRequest = "128Mi";
  std::string cpuLimit;  // "" = no limit
  std::string memoryLimit = "1Gi";
};

struct ControllerOptions {
  // Where prime PVCs and populator pods are created. Default: ack-volume-populator.
  std::string populatorNamespace = "ack-volume-populator";
  // The populator image run by generic-mode pods.
  std::string populatorImage = "registry.cn-hangzhou.aliyuncs.com/acs/ossvp-populator:latest";
  // HOST=URL pairs handed to every populator pod (--endpoint-override); empty by default.
  std::vector<std::string> endpointOverrides;
  PodResources podResources;
  // Feature gate VolumePopulator (default on): off = the controller ignores every PVC.
  bool volumePopulatorEnabled = true;
  // Feature gate VolumePopulatorPodHandler: populator pods run as
  // `populatorServiceAccount` (which may patch their own progress annotation).
  bool podHandlerEnabled = false;
  std::string populatorServiceAccount = "ossvp-populator";
  // UID/GID populator pods run as (non-root).
  int64_t podRunAsUser = 65532;
  // Attempts per PVC before giving up; the n-th retry waits
  // retryBaseDelay * 2^(n-1), at most retryMaxDelay.
  int maxAttempts = 3;
  std::chrono::milliseconds retryBaseDelay{std::chrono::seconds(10)};
  std::chrono::milliseconds retryMaxDelay{std::chrono::minutes(5)};
  // A populator pod that is not scheduled or whose container waits (image
  // pull, ...) for a reason that may clear by itself is reported stuck
  // (event PopulatorPodStuck) only once it has been so this long since its
  // creation; reasons that need someone to act are reported at once (pod_blocker.h).
  std::chrono::milliseconds podStuckGrace{std::chrono::seconds(60)};
  // Periodic re-examination of every in-flight PVC, and the orphan sweep.
  std::chrono::milliseconds resyncPeriod{std::chrono::seconds(60)};
  std::chrono::milliseconds sweepPeriod{std::chrono::minutes(5)};
  // bmcpfs-dataflow mode: the NAS OpenAPI endpoint (host or URL; default
  // nas.<region>.aliyuncs.com, a host listed in endpointOverrides maps to its
  // URL), its region (default: the ossvp's), and an optional Throughput
  // (MB/s) sent to every CreateDataFlow (0: the API's rules).
  std::string cpfsEndpoint;
  std::string cpfsRegion;
  int cpfsThroughputMBps = 0;
  std::chrono::milliseconds cpfsPollInterval{std::chrono::seconds(2)};
  // Progress updates of one ossvp's PVCs are written together at most this
  // long after the first of them (StatusWriter::updateCoalesced); 0: at once.
  std::chrono::milliseconds statusCoalesceWindow{0};
};

// Parses "VolumePopulator=true,VolumePopulatorPodHandler=false" (the seed's
// format). Unknown gates are an error naming the known ones.
Result<std::map<std::string, bool>> parseFeatureGates(const std::string& text);
// Applies parsed gates onto `options`.
void applyFeatureGates(const std::map<std::string, bool>& gates, ControllerOptions* options);

}  // namespace ossvp::controller
