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
// A failure is reported as the kubelet's event reason + message
// (FailedMount, CreateContainerConfigError, ErrImagePull, ...).
//
// Thread-safety: stateless functions; call from the kubelet's worker thread.
#pragma once

#include <map>
#include <string>
#include <vector>

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

// Builds the process for one container (mounts, env, argv, user).
bool buildContainerProcess(ClusterContext& ctx, const json& pod, const json& container,
                           const std::map<std::string, std::string>& volumePaths, const std::string& terminationFile,
                           ProcessSpec& out, PrepareError& err);

// The program an image runs, from --image-map: exact image, then without
// digest/tag, then the last path component ("registry/x/populator:v1" ->
// "populator"). "" when unmapped.
std::string programForImage(const std::map<std::string, std::string>& imageMap, const std::string& image);

}  // namespace ossvp::kubesim
