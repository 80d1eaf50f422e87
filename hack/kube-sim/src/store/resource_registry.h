// ResourceRegistry: the set of resource types kube-sim serves (built-ins plus
// the resources of established CRDs), with what the store and the API layer
// need to know about each: kind, scope, short names, subresources, and how
// generation/status behave.
//
// Thread-safety: internally synchronized; lookups return copies.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace ossvp::kubesim {

// Identifies a resource type: group ("" for core), version, plural resource.
struct GVR {
  std::string group;
  std::string version;
  std::string resource;

  std::string groupVersion() const { return group.empty() ? version : group + "/" + version; }
  // "resource" or "resource.group" (as in error messages).
  std::string groupResource() const { return group.empty() ? resource : resource + "." + group; }
  bool operator<(const GVR& o) const {
    return std::tie(group, version, resource) < std::tie(o.group, o.version, o.resource);
  }
  bool operator==(const GVR& o) const = default;
};

// Common GVRs (so actors need no string literals).
namespace gvr {
inline const GVR kNamespaces{"", "v1", "namespaces"};
inline const GVR kPods{"", "v1", "pods"};
inline const GVR kPersistentVolumeClaims{"", "v1", "persistentvolumeclaims"};
inline const GVR kPersistentVolumes{"", "v1", "persistentvolumes"};
inline const GVR kSecrets{"", "v1", "secrets"};
inline const GVR kConfigMaps{"", "v1", "configmaps"};
inline const GVR kServiceAccounts{"", "v1", "serviceaccounts"};
inline const GVR kEvents{"", "v1", "events"};
inline const GVR kNodes{"", "v1", "nodes"};
inline const GVR kStorageClasses{"storage.k8s.io", "v1", "storageclasses"};
inline const GVR kStatefulSets{"apps", "v1", "statefulsets"};
inline const GVR kDeployments{"apps", "v1", "deployments"};
inline const GVR kReplicaSets{"apps", "v1", "replicasets"};
inline const GVR kLeases{"coordination.k8s.io", "v1", "leases"};
inline const GVR kCustomResourceDefinitions{"apiextensions.k8s.io", "v1", "customresourcedefinitions"};
}  // namespace gvr

struct ResourceInfo {
  GVR gvr;
  std::string kind;
  std::string listKind;
  std::string singular;
  bool namespaced = true;
  std::vector<std::string> shortNames;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;         // discovery verbs
  std::vector<std::string> subresources;  // e.g. "status", "log", "token", "binding"
  bool hasStatusSubresource = false;      // main endpoint keeps .status; /status keeps the rest
  bool isCustom = false;                  // served from a CRD (no strategic merge patch)
  // Generation: "none" (core kinds: never set), "spec" (bumped when anything
  // outside metadata/status changes; CRs, CRDs, apps/v1).
  bool tracksGeneration = false;
  bool allowUnconditionalUpdate = true;
  // Extra field-selector labels beyond metadata.name/metadata.namespace.
  std::vector<std::string> fieldSelectors;
  // Storage key: resources sharing storage (e.g. core/v1 and events.k8s.io/v1
  // events) use the same storageGroup/storageResource.
  std::string storageGroup;
  std::string storageResource;
  // For CRs: the served version's JSON schema and printer columns (copied from the CRD).
  nlohmann::json crdVersion;  // the CRD's spec.versions[i] entry, null for built-ins
  std::string crdName;
};

class ResourceRegistry {
 public:
  ResourceRegistry();  // registers the built-in resources

  void add(ResourceInfo info);
  // Removes every version of `group`/`resource` (CRD deleted).
  void removeResource(const std::string& group, const std::string& resource);

  std::optional<ResourceInfo> find(const GVR& gvr) const;
  // Finds by group + resource in any served version (first registered).
  std::optional<ResourceInfo> findAnyVersion(const std::string& group, const std::string& resource) const;
  std::vector<ResourceInfo> all() const;
  // Increments whenever the set changes (discovery caches key on it).
  uint64_t epoch() const;

 private:
  mutable std::mutex mu_;
  std::map<GVR, ResourceInfo> byGvr_;
  uint64_t epoch_ = 1;
};

}  // namespace ossvp::kubesim
