// PodmanRuntime: `kube-sim --runtime podman`, the kubelet's container
// runtime for real OCI containers from the local podman storage (no registry:
// `--pull never`; hack/images.sh builds ossvp's images there). Per container:
// the kubelet's resolved ContainerConfig becomes `podman create`
// (podman_command.h: image, command/args, env, volume bind mounts, user and
// groups, read-only root, capabilities, no-new-privileges, memory limit,
// `--network host`), then `podman init`; with a memory limit on a cgroup v1
// host a CgroupOomGuard takes the container's OOM handling (OOMKilled), then
// `podman start --attach` runs it as a ContainerProcess whose output goes to
// the pod log file. The exit code comes from `podman inspect`. signal() is
// `podman kill --signal`; the kubelet sends SIGTERM, then SIGKILL after the
// grace period (what `podman stop -t <grace>` does). Dropping the container
// removes it (`podman rm --force`) on the runtime's RemovalQueue thread, not
// the dropping kubelet's; its onExit is not called once it is dropped.
// Containers are labelled with the owner
// (the kube-sim state dir): the runtime removes those left over at start and
// at shutdown. Settings: podman_command.h; containers.conf is written to
// <state dir>/podman/containers.conf.
//
// Thread-safety: start() and the containers' methods are thread-safe (every
// call is a separate podman process); exits are seen on waiter threads.
#pragma once

#include <memory>

#include "actors/container_runtime.h"
#include "actors/podman_command.h"
#include "actors/removal_queue.h"

namespace ossvp::kubesim {

class PodmanRuntime : public ContainerRuntime {
 public:
  // Checks that podman and runc are installed, writes containers.conf and
  // removes containers left over by an earlier kube-sim with this state dir.
  static Result<std::shared_ptr<PodmanRuntime>> create(ClusterContext& ctx);
  // The same with the given podman client, global args, PATH and storage
  // config (owner and containers.conf are filled in): tests run a stand-in.
  static Result<std::shared_ptr<PodmanRuntime>> create(ClusterContext& ctx, PodmanSettings s);
  ~PodmanRuntime() override;  // finishes queued removals, then removes every container it owns

  std::shared_ptr<RuntimeContainer> start(const ContainerLaunch& launch, std::function<void()> onExit,
                                          PrepareError& err) override;
  const PodmanSettings& settings() const { return settings_; }

 private:
  PodmanRuntime(ClusterContext& ctx, PodmanSettings s)
      : ctx_(ctx), settings_(std::move(s)), removals_(std::make_shared<RemovalQueue>()) {}
  void removeOwnedContainers() const;

  ClusterContext& ctx_;
  PodmanSettings settings_;
  // Shared with the containers, which queue their own removal when dropped.
  std::shared_ptr<RemovalQueue> removals_;
};

}  // namespace ossvp::kubesim
