// QuantityFields: the resource.Quantity fields of the built-in kinds kube-sim
// serves, checked on every create and update as kube-apiserver checks them:
//   * decoding: a value that is not a quantity (quantity.h) makes the body
//     undecodable: 400 BadRequest `Pod in version "v1" cannot be handled as a
//     Pod: quantities must match the regular expression '...'` (or "unable to
//     parse quantity's suffix"), nothing stored. A JSON number (YAML
//     `memory: 1024`) decodes as the quantity it spells and is stored as that
//     string, so that readers (the kubelet) only ever see text;
//   * validation: a negative container resource (limits, requests) is 422
//     Invalid `spec.containers[0].resources.limits.memory: Invalid value:
//     "-1": must be greater than or equal to 0`.
// Fields: in a pod spec (Pod spec; Deployment, ReplicaSet and StatefulSet
// spec.template.spec) the resources limits/requests of containers,
// initContainers and ephemeralContainers, their env resourceFieldRef
// divisors, the pod-level resources and overhead, emptyDir sizeLimit and
// ephemeral volume claim templates; PVC spec.resources (and StatefulSet
// volumeClaimTemplates); PV spec.capacity.
//
// Thread-safety: a pure function of its arguments.
#pragma once

#include <optional>

#include "store/api_error.h"
#include "store/resource_registry.h"

namespace ossvp::kubesim {

// The decode error or validation error of `obj`'s quantities (strings made of
// JSON numbers in place), or nullopt.
std::optional<ApiError> admitQuantities(const ResourceInfo& info, json& obj);

}  // namespace ossvp::kubesim
