#include "actors/cluster_bootstrap.h"

#include "actors/object_util.h"
#include "actors/storage_names.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

namespace {

json nodeLabels(const std::string& name, int index, int count) {
  static const char* kZones[] = {"kube-sim-a", "kube-sim-b", "kube-sim-c"};
  json labels = {{"kubernetes.io/hostname", name},
                 {"kubernetes.io/os", "linux"},
                 {"kubernetes.io/arch", "amd64"},
                 {"beta.kubernetes.io/os", "linux"},
                 {"beta.kubernetes.io/arch", "amd64"},
                 {"topology.kubernetes.io/region", "kube-sim"},
                 {"topology.kubernetes.io/zone", kZones[(index - 1) % 3]},
                 {"node.kubernetes.io/instance-type", "kube-sim.node"}};
  if (count >= 3 && index == count) labels["kubesim.io/reserved"] = "true";
  return labels;
}

void ensureNode(ObjectStore& store, int index, int count) {
  std::string name = "node-" + std::to_string(index);
  json labels = nodeLabels(name, index, count);
  json taints = json::array();
  if (count >= 3 && index == count) {
    taints.push_back({{"key", "kubesim.io/reserved"}, {"value", "true"}, {"effect", "NoSchedule"}});
  }
  auto existing = store.get(gvr::kNodes, "", name);
  if (existing) {
    json n = *existing;
    bool dirty = false;
    for (auto& [k, v] : labels.items()) {
      if (label(n, k).empty()) {
        n["metadata"]["labels"][k] = v;
        dirty = true;
      }
    }
    if (!taints.empty() && !n["spec"].contains("taints")) {
      n["spec"]["taints"] = taints;
      dirty = true;
    }
    if (dirty) (void)store.update(gvr::kNodes, "", n);
    return;
  }
  json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", name}, {"labels", labels}}},
               {"spec", {{"podCIDR", "10.244." + std::to_string(index) + ".0/24"}}},
               {"status", kubeletNodeStatus(name)}};
  if (!taints.empty()) node["spec"]["taints"] = taints;
  auto r = store.create(gvr::kNodes, "", node);
  if (r) {
    json created = *r;
    created["status"] = node["status"];
    (void)store.updateStatus(gvr::kNodes, "", created);
  } else if (r.error().code != 409) {
    logWarn("kube-sim: cannot create node {}: {}", name, r.error().message);
  }
}

void ensureClass(ObjectStore& store, const std::string& name, const std::string& mode, bool isDefault) {
  if (store.get(gvr::kStorageClasses, "", name)) return;
  json sc = {{"apiVersion", "storage.k8s.io/v1"},     {"kind", "StorageClass"},    {"metadata", {{"name", name}}},
             {"provisioner", names::kHostPathDriver}, {"reclaimPolicy", "Delete"}, {"volumeBindingMode", mode},
             {"allowVolumeExpansion", true}};
  if (isDefault) sc["metadata"]["annotations"] = {{names::kDefaultClass, "true"}};
  auto r = store.create(gvr::kStorageClasses, "", sc);
  if (!r && r.error().code != 409) logWarn("kube-sim: cannot create StorageClass {}: {}", name, r.error().message);
}

}  // namespace

json kubeletReadyCondition() {
  return {{"type", "Ready"},
          {"status", "True"},
          {"reason", "KubeletReady"},
          {"message", "kubelet is posting ready status"},
          {"lastHeartbeatTime", nowRfc3339()},
          {"lastTransitionTime", nowRfc3339()}};
}

json kubeletNodeStatus(const std::string& name) {
  json resources = {{"cpu", "8"}, {"memory", "32Gi"}, {"pods", "110"}, {"ephemeral-storage", "100Gi"}};
  return {{"capacity", resources},
          {"allocatable", resources},
          {"conditions", json::array({kubeletReadyCondition()})},
          {"addresses", json::array({{{"type", "InternalIP"}, {"address", "127.0.0.1"}},
                                     {{"type", "Hostname"}, {"address", name}}})},
          {"nodeInfo",
           {{"kubeletVersion", "v1.32.0-kube-sim"},
            {"containerRuntimeVersion", "kube-sim://1.0"},
            {"operatingSystem", "linux"},
            {"architecture", "amd64"},
            {"osImage", "kube-sim"}}}};
}

void bootstrapCluster(ClusterContext& ctx) {
  int count = ctx.nodes < 1 ? 1 : ctx.nodes;
  for (int i = 1; i <= count; ++i) ensureNode(*ctx.store, i, count);
  ensureClass(*ctx.store, "kube-sim-local", "Immediate", true);
  ensureClass(*ctx.store, "kube-sim-local-wffc", "WaitForFirstConsumer", false);
}

}  // namespace ossvp::kubesim
