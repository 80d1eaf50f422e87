// ProcessRuntime: the default container runtime of kube-sim's kubelet. Each
// container is a local process (ContainerProcess: own process group, own
// mount namespace with the volumes bind-mounted at their mountPath), its
// program from --image-map (buildContainerProcess in pod_environment.h).
// memory limits are not enforced and there are no OOM kills.
//
// Thread-safety: stateless apart from the context; start() is thread-safe.
#pragma once

#include "actors/container_runtime.h"

namespace ossvp::kubesim {

class ProcessRuntime : public ContainerRuntime {
 public:
  explicit ProcessRuntime(ClusterContext& ctx) : ctx_(ctx) {}
  std::shared_ptr<RuntimeContainer> start(const ContainerLaunch& launch, std::function<void()> onExit,
                                          PrepareError& err) override;

 private:
  ClusterContext& ctx_;
};

}  // namespace ossvp::kubesim
