// podTemplateHash: the `pod-template-hash` label value a Deployment gives the
// ReplicaSet (and its pods) of one pod template, as k/k's
// controller.ComputeHash does it: FNV-32a over the template (here its
// canonical JSON, keys sorted) and, when non-zero, the Deployment's
// status.collisionCount, printed in decimal and encoded with
// rand.SafeEncodeString's alphabet (no vowels, no look-alike digits), so
// the ReplicaSet is named `<deployment>-<hash>`. Equal templates give equal
// hashes; any change to the template gives a new one (a new ReplicaSet).
//
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <string>

#include "store/api_error.h"

namespace ossvp::kubesim {

std::string podTemplateHash(const json& podTemplate, int64_t collisionCount = 0);

}  // namespace ossvp::kubesim
