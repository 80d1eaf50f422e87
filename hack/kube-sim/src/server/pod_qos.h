// PodQos: a pod's quality-of-service class, status.qosClass, as kube-apiserver
// computes it when the pod is created (ComputePodQOS of
// pkg/apis/core/helper/qos): only cpu and memory count; over containers and
// init containers (not ephemeral ones), the requests and limits above zero
// are summed per resource. Guaranteed when every container has cpu and
// memory limits and the summed requests equal the summed limits, resource
// for resource; BestEffort when no container has any such request or limit;
// Burstable otherwise. Quantities compare exactly, in milli-units ("1" cpu is
// "1000m", "1Gi" is "1073741824"; a fraction of a milli-unit counts as one, as
// the API server's SetDefaults_ResourceList rounds it up before). Pod-level
// spec.resources are not looked at (the PodLevelResources gate is off in v1.32).
//
// Thread-safety: a pure function of its argument.
#pragma once

#include <string>

#include "store/api_error.h"

namespace ossvp::kubesim {

// "Guaranteed", "Burstable" or "BestEffort" for `pod` (its spec as admitted:
// requests already defaulted from limits, quantities valid and non-negative).
std::string computePodQos(const json& pod);

}  // namespace ossvp::kubesim
