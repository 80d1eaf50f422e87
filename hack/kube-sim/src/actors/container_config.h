// ContainerConfig: one container of a pod as the kubelet hands it to a
// container runtime, with everything from the API objects already resolved:
// env values (secretKeyRef, configMapKeyRef, downward API, $(VAR) expansion),
// volume mounts as host paths, the security context (container over pod),
// the memory limit. Filled by resolveContainerConfig() (pod_environment.h);
// each runtime (process_runtime.h, podman_runtime.h) turns it into a start.
// Also the runAsNonRoot verification the kubelet makes before a start.
//
// Thread-safety: a value type; runAsNonRootViolation is a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/container_process.h"

namespace ossvp::kubesim {

// Every member has an initializer, so designated initializers may name a few.
struct ContainerConfig {
  std::string podName{}, podNamespace{}, podUid{};
  std::string name{};  // the container's name in the pod
  std::string image{};
  std::vector<std::string> command{};                      // spec command, $(VAR)-expanded
  std::vector<std::string> args{};                         // spec args, $(VAR)-expanded
  std::vector<std::pair<std::string, std::string>> env{};  // in definition order
  std::vector<MountSpec> mounts{};                         // volumes, service account, termination log
  std::string workingDir{};                                // spec workingDir ("" = the image's)
  std::optional<int64_t> runAsUser{}, runAsGroup{};
  bool runAsNonRoot = false;
  std::vector<int64_t> supplementalGroups{};  // fsGroup first, then supplementalGroups
  bool readOnlyRootFilesystem = false;
  bool allowPrivilegeEscalation = true;
  bool privileged = false;
  std::vector<std::string> capAdd{}, capDrop{};
  std::optional<uint64_t> memoryLimitBytes{};  // resources.limits.memory
};

// The kubelet's runAsNonRoot verification: "" when the container may start,
// else the CreateContainerConfigError message. `imageUser` is the image's
// configured user ("" = root): consulted only without runAsUser.
std::string runAsNonRootViolation(const ContainerConfig& c, const std::string& imageUser);

}  // namespace ossvp::kubesim
