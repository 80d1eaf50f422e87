// startClusterActors: starts kube-sim's cluster actors (provisioner, PV binder,
// scheduler, kubelet, controllers) against the context's object store.
// Called once by main() after the store is ready and before the kubeconfig is
// written; the actors live until stopClusterActors() (at shutdown).
//
// Thread-safety: call from main() only.
#pragma once

#include "store/cluster_context.h"

namespace ossvp::kubesim {

void startClusterActors(ClusterContext& ctx);
void stopClusterActors();

}  // namespace ossvp::kubesim
