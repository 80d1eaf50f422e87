#include "actors/container_runtime.h"

#include "actors/podman_runtime.h"
#include "actors/process_runtime.h"

namespace ossvp::kubesim {

Result<std::shared_ptr<ContainerRuntime>> makeContainerRuntime(ClusterContext& ctx) {
  if (ctx.containerRuntimeName.empty() || ctx.containerRuntimeName == "process") {
    return std::shared_ptr<ContainerRuntime>(std::make_shared<ProcessRuntime>(ctx));
  }
  if (ctx.containerRuntimeName == "podman") {
    auto podman = PodmanRuntime::create(ctx);
    if (!podman.isOk()) return podman.status();
    return std::shared_ptr<ContainerRuntime>(*podman);
  }
  return invalidArgument("--runtime " + ctx.containerRuntimeName + ": expected process or podman");
}

}  // namespace ossvp::kubesim
