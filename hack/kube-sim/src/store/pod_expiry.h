// Pod expiry: the store's stand-in for the kubelet / pod GC finishing a
// graceful delete. A pod with a deletionTimestamp (now + grace period when it
// was deleted) and no finalizers expires 5 s after that time, which leaves
// the kubelet actor room to finish it first. Not on a powered-off node
// (annotation kubesim.io/power=off): as in Kubernetes such a pod stays
// Terminating until its node is back or deleted (pod GC).
//
// Thread-safety: a pure function of the objects it is given; the caller
// holds whatever guards them (the store's mutex).
#pragma once

#include <cstdint>
#include <vector>

#include "store/object_table.h"

namespace ossvp::kubesim {

// The pods of `objects` ("/pods", their nodes under "/nodes") that have
// expired at `nowSeconds` (Unix time).
std::vector<ObjectId> expiredPods(const ObjectTable& objects, int64_t nowSeconds);

}  // namespace ossvp::kubesim
