// ClusterContext: everything the cluster actors (hack/kube-sim/src/actors/)
// get from the kube-sim binary: the object store they read/write/watch, the
// command-line configuration (image map, CPFS root, nodes, state dir,
// container runtime), the cluster identity (API server URL, CA certificate),
// and a token minter for service-account tokens (projected volumes).
//
// Division of labour (see hack/kube-sim/README.md): the store (not the
// actors) implements deletion semantics including ownerReference garbage
// collection, finalizers and namespace termination; the API server implements
// the TokenRequest subresource with mintServiceAccountToken below. Actors do
// provisioning, binding, scheduling, kubelet, StatefulSet and ephemeral
// volumes, and record Events through recordEvent().
//
// Thread-safety: the struct is filled before startClusterActors() and then
// read-only; store and the function members are thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/object_store.h"

namespace ossvp::kubesim {

class ContainerRuntime;  // src/actors/container_runtime.h

struct TokenRequestSpec {
  std::string ns;
  std::string serviceAccount;
  std::vector<std::string> audiences;  // empty: the API server's default audience
  int64_t expirationSeconds = 3600;
  // Optional bound object (a Pod): {kind, name, uid}.
  nlohmann::json boundObjectRef;
};

struct MintedToken {
  std::string token;
  std::string expirationTimestamp;  // RFC 3339
};

struct ClusterContext {
  ObjectStore* store = nullptr;
  std::map<std::string, std::string> imageMap;  // image (as in pod spec) -> local program path
  std::string cpfsRoot;                         // emulator's --cpfs-root ("" if none)
  int nodes = 1;                                // node-1 .. node-N (Node objects created by main)
  std::string stateDir;                         // persistent state (actor data under stateDir/actors)
  std::string serverUrl;                        // https://127.0.0.1:PORT (what pods should use)
  std::string caCertPem;                        // CA that signed the server certificate
  std::string caCertFile;                       // same, as a file path
  // --runtime (process | podman), and the kubelets' runtime it made
  // (makeContainerRuntime; null: the process runtime).
  std::string containerRuntimeName = "process";
  std::shared_ptr<ContainerRuntime> containerRuntime;
  // Mints a signed service-account JWT (the SA must exist); error text on failure.
  std::function<ApiResult<MintedToken>(const TokenRequestSpec&)> mintServiceAccountToken;
};

// The log file of one container of one pod: the kubelet actor appends the
// container's stdout+stderr there, and the API server's pods/log reads it:
// <stateDir>/pod-logs/<namespace>/<pod name>_<pod uid>/<container>.log
std::string podLogPath(const std::string& stateDir, const std::string& ns, const std::string& pod,
                       const std::string& podUid, const std::string& container);

// Now as an RFC 3339 Time, "YYYY-MM-DDTHH:MM:SSZ" (other times and formats:
// ossvp/common/rfc3339.h).
std::string nowRfc3339();

// Records a core/v1 Event about `involved` (an object with apiVersion/kind/metadata)
// the way client-go's recorder does: first occurrence creates
// `<name>.<hex nanos>`, a repeat (same reason/message/source) bumps count and
// lastTimestamp. type: "Normal"|"Warning".
void recordEvent(ObjectStore& store, const nlohmann::json& involved, const std::string& type, const std::string& reason,
                 const std::string& message, const std::string& component);

}  // namespace ossvp::kubesim
