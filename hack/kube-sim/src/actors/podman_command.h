// PodmanCommand: the podman command lines of kube-sim's podman runtime, as
// pure functions of the settings and a resolved ContainerConfig (unit-tested
// argv by argv). Every call carries the settings this kind of host needs:
// `--runtime /usr/sbin/runc --cgroup-manager cgroupfs` (crun refuses hybrid
// cgroup hierarchies), a containers.conf with `default_ulimits = []` in
// CONTAINERS_CONF, explicit ulimits, and local images only (`--pull never`).
// A container runs with `--network host` (pods reach kube-sim and the OSS
// emulator on 127.0.0.1) and is named and labelled after its pod, so that the
// runtime finds its leftovers by the owner label (the kube-sim state dir).
// Env values never appear in an argv: the create command names them
// (`--env NAME`) and podman reads them from its own environment.
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <string>
#include <vector>

#include "actors/container_config.h"

namespace ossvp::kubesim {

struct PodmanSettings {
  std::string podman = "/usr/bin/podman";  // absolute path of the podman client
  std::vector<std::string> globalArgs = {"--runtime", "/usr/sbin/runc", "--cgroup-manager", "cgroupfs"};
  std::vector<std::string> ulimits = {"nofile=1024:1024", "nproc=1024:1024"};
  std::string containersConf;  // CONTAINERS_CONF of every call
  // CONTAINERS_STORAGE_CONF of every call when set: kube-sim's own, so its
  // containers use the image store of whoever started it (hack/images.sh).
  std::string storageConf;
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";  // PATH of every call
  std::string owner;  // value of the owner label (kube-sim's state dir)
};

struct PodmanCommand {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // the client's whole environment, "K=V"
  std::string verb;              // the subcommand ("create", "rm"), for errors: argv may hold a pod's args
};

inline constexpr const char* kPodmanOwnerLabel = "io.kube-sim.owner";

// `podman <global args> <args...>` with the settings' environment.
PodmanCommand podmanCommand(const PodmanSettings& s, std::vector<std::string> args);

// The container's name: k8s_<container>_<pod>_<namespace>_<pod uid>_<attempt>
// (what the kubelet's CRI names look like).
std::string podmanContainerName(const ContainerConfig& c, int attempt);

// `podman create` for the container. `imageUser` is the image's configured
// user (for runAsGroup without runAsUser).
PodmanCommand podmanCreateCommand(const PodmanSettings& s, const ContainerConfig& c, int attempt,
                                  const std::string& imageUser);

// `podman ps` listing the ids of every container with the settings' owner.
PodmanCommand podmanListOwnedCommand(const PodmanSettings& s);

}  // namespace ossvp::kubesim
