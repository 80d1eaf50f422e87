// PodBlocker: why a populator pod that has not finished makes no progress
// (not scheduled; a container waiting on its image, a Secret, a mount), and
// whether that resolves by itself.
//
// Most reasons are transient: right after the pod is created the scheduler
// reports "pod has unbound immediate PersistentVolumeClaims" while the prime
// volume is still being provisioned, a node may be full or not ready for a
// while, an image pull may be retried. They are worth a warning only when they
// last (PodStrategy waits ControllerOptions::podStuckGrace). A few need
// someone to act and are permanent: an invalid image name, an image that may
// never be pulled, a container configuration error, a volume that no node
// the pod may use can reach ("volume node affinity conflict").
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "ossvp/controller/kube/object_util.h"

namespace ossvp::controller {

struct PodBlocker {
  // "not scheduled: <scheduler message>" or "<waiting reason>: <message>";
  // empty when nothing is wrong.
  std::string what;
  bool permanent = false;  // will not resolve by itself: report at once

  bool blocked() const { return !what.empty(); }
};

PodBlocker podBlocker(const kube::Object& pod);

}  // namespace ossvp::controller
