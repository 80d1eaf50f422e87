#include "store/resource_registry.h"

#include <cctype>

namespace ossvp::kubesim {
namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

struct Builtin {
  const char* group;
  const char* version;
  const char* resource;
  const char* kind;
  bool namespaced;
  std::vector<std::string> shortNames;
  std::vector<std::string> subresources;
  bool status;
  bool generation;
  std::vector<std::string> fields;
  std::vector<std::string> categories;
};

ResourceInfo toInfo(const Builtin& b) {
  ResourceInfo r;
  r.gvr = {b.group, b.version, b.resource};
  r.kind = b.kind;
  r.listKind = std::string(b.kind) + "List";
  r.singular = b.kind;
  for (auto& c : r.singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  r.namespaced = b.namespaced;
  r.shortNames = b.shortNames;
  r.subresources = b.subresources;
  r.categories = b.categories;
  r.verbs = kAllVerbs;
  r.hasStatusSubresource = b.status;
  r.tracksGeneration = b.generation;
  r.fieldSelectors = b.fields;
  r.storageGroup = b.group;
  r.storageResource = b.resource;
  return r;
}

}  // namespace

ResourceRegistry::ResourceRegistry() {
  const std::vector<std::string> podFields = {
      "spec.nodeName",    "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
      "spec.hostNetwork", "status.phase",       "status.podIP",       "status.nominatedNodeName"};
  const std::vector<std::string> eventFields = {"involvedObject.kind",
                                                "involvedObject.namespace",
                                                "involvedObject.name",
                                                "involvedObject.uid",
                                                "involvedObject.apiVersion",
                                                "involvedObject.resourceVersion",
                                                "involvedObject.fieldPath",
                                                "reason",
                                                "reportingComponent",
                                                "source",
                                                "type"};
  const std::vector<Builtin> builtins = {
      {"", "v1", "namespaces", "Namespace", false, {"ns"}, {"status", "finalize"}, true, false, {"status.phase"}, {}},
      {"",
       "v1",
       "pods",
       "Pod",
       true,
       {"po"},
       {"status", "log", "binding", "eviction"},
       true,
       false,
       podFields,
       {"all"}},
      {"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, {"pvc"}, {"status"}, true, false, {}, {}},
      {"", "v1", "persistentvolumes", "PersistentVolume", false, {"pv"}, {"status"}, true, false, {}, {}},
      {"", "v1", "secrets", "Secret", true, {}, {}, false, false, {"type"}, {}},
      {"", "v1", "configmaps", "ConfigMap", true, {"cm"}, {}, false, false, {}, {}},
      {"", "v1", "serviceaccounts", "ServiceAccount", true, {"sa"}, {"token"}, false, false, {}, {}},
      {"", "v1", "events", "Event", true, {"ev"}, {}, false, false, eventFields, {}},
      {"", "v1", "nodes", "Node", false, {"no"}, {"status"}, true, false, {"spec.unschedulable"}, {}},
      {"", "v1", "services", "Service", true, {"svc"}, {"status"}, true, false, {}, {"all"}},
      {"events.k8s.io", "v1", "events", "Event", true, {"ev"}, {}, false, false, eventFields, {}},
      {"storage.k8s.io", "v1", "storageclasses", "StorageClass", false, {"sc"}, {}, false, false, {}, {}},
      {"storage.k8s.io", "v1", "csidrivers", "CSIDriver", false, {}, {}, false, false, {}, {}},
      {"apps", "v1", "deployments", "Deployment", true, {"deploy"}, {"status", "scale"}, true, true, {}, {"all"}},
      {"apps", "v1", "statefulsets", "StatefulSet", true, {"sts"}, {"status", "scale"}, true, true, {}, {"all"}},
      {"apps", "v1", "replicasets", "ReplicaSet", true, {"rs"}, {"status", "scale"}, true, true, {}, {"all"}},
      {"coordination.k8s.io", "v1", "leases", "Lease", true, {}, {}, false, false, {}, {}},
      {"rbac.authorization.k8s.io", "v1", "roles", "Role", true, {}, {}, false, false, {}, {}},
      {"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, {}, {}, false, false, {}, {}},
      {"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, {}, {}, false, false, {}, {}},
      {"rbac.authorization.k8s.io",
       "v1",
       "clusterrolebindings",
       "ClusterRoleBinding",
       false,
       {},
       {},
       false,
       false,
       {},
       {}},
      {"apiextensions.k8s.io",
       "v1",
       "customresourcedefinitions",
       "CustomResourceDefinition",
       false,
       {"crd", "crds"},
       {"status"},
       true,
       true,
       {},
       {"api-extensions"}},
      {"populator.storage.k8s.io",
       "v1beta1",
       "volumepopulators",
       "VolumePopulator",
       false,
       {},
       {},
       false,
       false,
       {},
       {}},
  };
  for (const auto& b : builtins) {
    ResourceInfo r = toInfo(b);
    if (r.gvr.group == "events.k8s.io") {
      r.storageGroup = "";  // shares storage with core/v1 events (converted by the API layer)
      r.storageResource = "events";
    }
    byGvr_[r.gvr] = std::move(r);
  }
}

void ResourceRegistry::add(ResourceInfo info) {
  std::lock_guard<std::mutex> lock(mu_);
  if (info.storageResource.empty()) {
    info.storageGroup = info.gvr.group;
    info.storageResource = info.gvr.resource;
  }
  byGvr_[info.gvr] = std::move(info);
  epoch_++;
}

void ResourceRegistry::removeResource(const std::string& group, const std::string& resource) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = byGvr_.begin(); it != byGvr_.end();) {
    if (it->first.group == group && it->first.resource == resource) {
      it = byGvr_.erase(it);
    } else {
      ++it;
    }
  }
  epoch_++;
}

std::optional<ResourceInfo> ResourceRegistry::find(const GVR& gvr) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = byGvr_.find(gvr);
  if (it == byGvr_.end()) return std::nullopt;
  return it->second;
}

std::optional<ResourceInfo> ResourceRegistry::findAnyVersion(const std::string& group,
                                                             const std::string& resource) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [k, v] : byGvr_) {
    if (k.group == group && k.resource == resource) return v;
  }
  return std::nullopt;
}

std::vector<ResourceInfo> ResourceRegistry::all() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ResourceInfo> out;
  for (const auto& [k, v] : byGvr_) out.push_back(v);
  return out;
}

uint64_t ResourceRegistry::epoch() const {
  std::lock_guard<std::mutex> lock(mu_);
  return epoch_;
}

}  // namespace ossvp::kubesim
