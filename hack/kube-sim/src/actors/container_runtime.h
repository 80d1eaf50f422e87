// ContainerRuntime: the kubelet's seam to what runs a container, like the
// CRI. Two implementations: ProcessRuntime (the default: a local process per
// container, images mapped to host programs by --image-map) and
// PodmanRuntime (`kube-sim --runtime podman`: real OCI containers from the
// local podman storage). The kubelet prepares the pod's volumes, then asks
// the runtime to start each container and learns of its exit through the
// RuntimeContainer it gets back.
//
// Thread-safety: a runtime is shared by all kubelets (one thread each):
// start() and the RuntimeContainer methods are thread-safe; onExit runs on a
// runtime thread and must only flag and wake.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "actors/pod_environment.h"
#include "store/cluster_context.h"

namespace ossvp::kubesim {

// A started container.
class RuntimeContainer {
 public:
  // Removes what is left of the container (the podman runtime finishes that
  // on a thread of its own); its onExit is not called once this returned.
  virtual ~RuntimeContainer() = default;
  // The containerID the pod status shows ("<runtime>://<id>").
  virtual std::string id() const = 0;
  virtual bool exited() const = 0;
  // Exit code as a container runtime reports it: the code, or 128+signal.
  virtual int exitCode() const = 0;
  // The memory limit was hit and the container was killed (reason OOMKilled).
  virtual bool oomKilled() const = 0;
  // Sends `sig` to the container's processes (SIGTERM to stop, SIGKILL).
  virtual void signal(int sig) = 0;
};

// What the kubelet has prepared for one container start.
struct ContainerLaunch {
  const json& pod;
  const json& container;                                  // the container's spec
  const std::map<std::string, std::string>& volumePaths;  // volume name -> host path
  std::string terminationFile;                            // host file behind terminationMessagePath (empty, writable)
  std::string logFile;                                    // stdout+stderr go here (pods/log)
  int attempt = 0;                                        // restartCount of the container
};

class ContainerRuntime {
 public:
  virtual ~ContainerRuntime() = default;
  // Starts the container; onExit is called once when it has exited. nullptr
  // with `err` when it cannot start: reason StartError (the container is
  // terminated with exit code 128) or a waiting reason such as
  // CreateContainerConfigError or ErrImagePull (retried).
  virtual std::shared_ptr<RuntimeContainer> start(const ContainerLaunch& launch, std::function<void()> onExit,
                                                  PrepareError& err) = 0;
};

// The runtime `ctx.containerRuntimeName` names ("process" or "podman"); an
// error when it is unknown or not usable on this machine.
Result<std::shared_ptr<ContainerRuntime>> makeContainerRuntime(ClusterContext& ctx);

}  // namespace ossvp::kubesim
