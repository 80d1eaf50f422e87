// PodEnvironment: what the kubelet prepares before a container starts, as
// Kubernetes defines it:
//   - volumes: each pod volume resolved to a host path (PVC/ephemeral -> the
//     bound PV's directory; emptyDir; hostPath; secret, configMap,
//     downwardAPI and projected volumes (incl. serviceAccountToken with
//     audience, via ClusterContext::mintServiceAccountToken) written as files
//     into the pod's sandbox), then per container the bind mounts at the
//     spec's mountPath (subPath, readOnly) plus the automounted service
//     account (token, ca.crt, namespace at
//     /var/run/secrets/kubernetes.io/serviceaccount) unless disabled;
//   - env: env/envFrom with secretKeyRef, configMapKeyRef, fieldRef (downward
//     API) and resourceFieldRef, $(VAR) expansion, plus HOSTNAME, PATH and
//     KUBERNETES_SERVICE_HOST/PORT pointing at kube-sim;
//   - argv: the image's program from --image-map (see Kubelet for the rules).
// resolveContainerConfig() is the runtime-independent part (env, mounts,
// command/args, security context, memory limit); buildContainerProcess() adds
// what the process runtime needs on top of it.
// A failure is reported as the kubelet's event reason + message
// (FailedMount, CreateContainerConfigError, ErrImagePull, ...).
//
// Thread-safety: stateless functions; call from the kubelet's worker thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/container_config.h"
#include "actors/container_process.h"
#include "store/cluster_context.h"

namespace ossvp::kubesim {

struct PrepareError {
  std::string reason;  // event reason and container waiting reason
  std::string message;
};

// Resolves and materializes the pod's volumes under `sandboxDir`; fills
// `volumePaths` (volume name -> host path). Returns false with `err` when a
// volume is not ready (unbound claim, missing secret ...).
bool preparePodVolumes(ClusterContext& ctx, const json& pod, const std::string& sandboxDir,
                       std::map<std::string, std::string>& volumePaths, PrepareError& err);

// Resolves one container of `pod` for a runtime: `baseEnv` first (what the
// runtime's image would define; $(VAR) may refer to it), then
// KUBERNETES_SERVICE_HOST/PORT (kube-sim), envFrom and env; the volume
// mounts, the service account automount, the termination message file
// (`terminationFile` on the host). False with `err`
// (CreateContainerConfigError) when a referenced Secret/ConfigMap, key or
// volume is missing.
bool resolveContainerConfig(ClusterContext& ctx, const json& pod, const json& container,
                            const std::map<std::string, std::string>& volumePaths, const std::string& terminationFile,
                            const std::vector<std::pair<std::string, std::string>>& baseEnv, ContainerConfig& out,
                            PrepareError& err);

// securityContext.runAsUser of the container, else of the pod.
std::optional<int64_t> effectiveRunAsUser(const json& pod, const json& container);

// Builds the process for one container (mounts, env, argv, user).
bool buildContainerProcess(ClusterContext& ctx, const json& pod, const json& container,
                           const std::map<std::string, std::string>& volumePaths, const std::string& terminationFile,
                           ProcessSpec& out, PrepareError& err);

// The first executable `cmd` in the PATH (of kube-sim); "" when none.
std::string findProgramInPath(const std::string& cmd);

// The program an image runs, from --image-map: exact image, then without
// digest/tag, then the last path component ("registry/x/populator:v1" ->
// "populator"). "" when unmapped.
std::string programForImage(const std::map<std::string, std::string>& imageMap, const std::string& image);

}  // namespace ossvp::kubesim
