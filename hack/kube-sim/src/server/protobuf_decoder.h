// Decoder for Kubernetes protobuf request bodies
// (application/vnd.kubernetes.protobuf: "k8s\0" + runtime.Unknown{typeMeta,
// raw}) into JSON, for the kinds that kubectl's typed clients send as
// protobuf (kubectl create namespace|configmap|secret|serviceaccount|role|
// rolebinding|clusterrole|clusterrolebinding|token). The message layouts
// are a hand-written table of the k8s.io/api field numbers for those kinds.
//
// Thread-safety: pure function.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "store/api_error.h"

namespace ossvp::kubesim {

// 415 UnsupportedMediaType for kinds outside the table (send JSON instead).
ApiResult<nlohmann::json> decodeKubernetesProtobuf(const std::string& body);

}  // namespace ossvp::kubesim
