// buildPopulatorPod: the generic-mode populator Pod spec (the pod contract
// of populator/README.md): it mounts the prime PVC at /mnt/target and runs
// ossvp-populator with the ossvp's endpoint/region/bucket/path/throughput,
// AccessKey env from the Secret (secretKeyRef) or RRSA env plus a projected
// token (audience sts.aliyuncs.com); the ossvp's labels, annotations,
// affinity and tolerations; pinned to the selected node when there is one;
// non-root, resources from the controller flags.
//
// Thread-safety: pure function.
#pragma once

#include <string>

#include "ossvp/controller/controller_options.h"
#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/ossvp_types.h"

namespace ossvp::controller {

inline constexpr std::string_view kPopulatorMountPath = "/mnt/target";
inline constexpr std::string_view kRrsaTokenDir = "/var/run/secrets/ack.alibabacloud.com/rrsa-tokens";

struct PopulatorPodInput {
  std::string pvcNamespace, pvcName, pvcUid;
  const OssvpObject* source = nullptr;
  std::string selectedNode;  // "" = let the scheduler decide
  int attempt = 1;
};

kube::Object buildPopulatorPod(const PopulatorPodInput& in, const ControllerOptions& options);

}  // namespace ossvp::controller
