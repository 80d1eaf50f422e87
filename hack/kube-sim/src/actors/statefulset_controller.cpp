#include "actors/statefulset_controller.h"

#include <functional>
#include <map>

#include "actors/default_class.h"
#include "actors/object_util.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

namespace {

std::string revisionHash(const json& set) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08zx",
                std::hash<std::string>{}(set["spec"].value("template", json()).dump()) & 0xffffffffu);
  return nameOf(set) + "-" + std::string(buf).substr(0, 10);
}

json ownerOf(const json& set) {
  json owner = set;
  owner["apiVersion"] = "apps/v1";
  owner["kind"] = "StatefulSet";
  return controllerOwnerRef(owner);
}

std::string claimName(const json& tmpl, const json& set, int ordinal) {
  return str(tmpl, {"metadata", "name"}) + "-" + nameOf(set) + "-" + std::to_string(ordinal);
}

}  // namespace

void StatefulSetController::syncAll() {
  auto sets = store().list(gvr::kStatefulSets, "");
  if (!sets || sets->items.empty()) return;
  auto pods = store().listShared(gvr::kPods);
  for (const auto& set : sets->items) {
    if (!isDeleting(set)) syncSet(set, controlledBy(set, pods));
  }
}

bool StatefulSetController::ensureClaims(const json& set, int ordinal) {
  std::string ns = namespaceOf(set);
  std::string podName = nameOf(set) + "-" + std::to_string(ordinal);
  bool deleteWithSet = str(set, {"spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"}) == "Delete";
  for (const auto& tmpl : set["spec"].value("volumeClaimTemplates", json::array())) {
    std::string name = claimName(tmpl, set, ordinal);
    if (store().get(gvr::kPersistentVolumeClaims, ns, name)) continue;
    json labels = tmpl.value("metadata", json::object()).value("labels", json::object());
    const json matchLabels = set["spec"].value("selector", json::object()).value("matchLabels", json::object());
    for (auto& [k, v] : matchLabels.items()) {
      labels[k] = v;
    }
    json claim = {{"apiVersion", "v1"},
                  {"kind", "PersistentVolumeClaim"},
                  {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
                  {"spec", tmpl.value("spec", json::object())}};
    if (tmpl.value("metadata", json::object()).contains("annotations")) {
      claim["metadata"]["annotations"] = tmpl["metadata"]["annotations"];
    }
    if (deleteWithSet) {
      json ref = ownerOf(set);
      ref["controller"] = true;
      claim["metadata"]["ownerReferences"] = json::array({ref});
    }
    applyDefaultStorageClass(store(), claim);
    auto r = store().create(gvr::kPersistentVolumeClaims, ns, claim);
    if (!r && r.error().code != 409) {
      events_.warning(set, "FailedCreate",
                      "create Claim " + name + " for Pod " + podName + " in StatefulSet " + nameOf(set) +
                          " failed error: " + r.error().message);
      return false;
    }
    events_.normal(set, "SuccessfulCreate",
                   "create Claim " + name + " Pod " + podName + " in StatefulSet " + nameOf(set) + " success");
  }
  return true;
}

void StatefulSetController::createPod(const json& set, int ordinal) {
  std::string ns = namespaceOf(set);
  std::string podName = nameOf(set) + "-" + std::to_string(ordinal);
  const json tmpl = set["spec"].value("template", json::object());
  json meta = tmpl.value("metadata", json::object());
  json labels = meta.value("labels", json::object());
  labels["statefulset.kubernetes.io/pod-name"] = podName;
  labels["apps.kubernetes.io/pod-index"] = std::to_string(ordinal);
  labels["controller-revision-hash"] = revisionHash(set);
  json spec = tmpl.value("spec", json::object());
  spec["hostname"] = podName;
  if (!str(set, {"spec", "serviceName"}).empty()) spec["subdomain"] = str(set, {"spec", "serviceName"});
  json volumes = json::array();
  std::map<std::string, std::string> claims;
  for (const auto& t : set["spec"].value("volumeClaimTemplates", json::array())) {
    claims[str(t, {"metadata", "name"})] = claimName(t, set, ordinal);
  }
  for (const auto& v : spec.value("volumes", json::array())) {
    if (!claims.count(v.value("name", ""))) volumes.push_back(v);
  }
  for (const auto& [vol, claim] : claims) {
    volumes.push_back({{"name", vol}, {"persistentVolumeClaim", {{"claimName", claim}}}});
  }
  spec["volumes"] = volumes;
  json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", podName}, {"namespace", ns}, {"labels", labels}, {"ownerReferences", json::array({ownerOf(set)})}}},
      {"spec", spec}};
  if (meta.contains("annotations")) pod["metadata"]["annotations"] = meta["annotations"];
  auto r = store().create(gvr::kPods, ns, pod);
  if (!r) {
    if (r.error().code != 409) {
      events_.warning(
          set, "FailedCreate",
          "create Pod " + podName + " in StatefulSet " + nameOf(set) + " failed error: " + r.error().message);
    }
    return;
  }
  events_.normal(set, "SuccessfulCreate", "create Pod " + podName + " in StatefulSet " + nameOf(set) + " successful");
}

void StatefulSetController::syncSet(const json& set, const std::vector<json>& pods) {
  int replicas = set["spec"].value("replicas", 1);
  bool parallel = str(set, {"spec", "podManagementPolicy"}) == "Parallel";
  std::string prefix = nameOf(set) + "-";
  std::map<int, json> byOrdinal;
  for (const auto& p : pods) {
    std::string n = nameOf(p);
    if (n.rfind(prefix, 0) != 0) continue;
    try {
      byOrdinal[std::stoi(n.substr(prefix.size()))] = p;
    } catch (...) {
    }
  }
  for (int i = 0; i < replicas; ++i) {
    auto it = byOrdinal.find(i);
    if (it == byOrdinal.end()) {
      if (!ensureClaims(set, i)) break;
      createPod(set, i);
      if (!parallel) break;
      continue;
    }
    const json& pod = it->second;
    std::string phase = str(pod, {"status", "phase"});
    if ((phase == "Failed" || phase == "Succeeded") && !isDeleting(pod)) {
      (void)store().remove(gvr::kPods, namespaceOf(pod), nameOf(pod));
      events_.normal(set, "SuccessfulDelete",
                     "delete Pod " + nameOf(pod) + " in StatefulSet " + nameOf(set) + " successful");
      if (!parallel) break;
    }
    if (!parallel && (!podIsReady(pod) || isDeleting(pod))) break;
  }
  // Scale down, highest ordinal first.
  for (auto it = byOrdinal.rbegin(); it != byOrdinal.rend(); ++it) {
    if (it->first < replicas || isDeleting(it->second)) continue;
    (void)store().remove(gvr::kPods, namespaceOf(it->second), nameOf(it->second));
    events_.normal(set, "SuccessfulDelete",
                   "delete Pod " + nameOf(it->second) + " in StatefulSet " + nameOf(set) + " successful");
    if (!parallel) break;
  }
  int ready = 0, current = 0;
  for (const auto& [i, p] : byOrdinal) {
    if (i >= replicas) continue;
    current++;
    if (podIsReady(p)) ready++;
  }
  json status = set.value("status", json::object());
  json want = status;
  want["observedGeneration"] = set["metadata"].value("generation", 1);
  want["replicas"] = current;
  want["readyReplicas"] = ready;
  want["availableReplicas"] = ready;
  want["currentReplicas"] = current;
  want["updatedReplicas"] = current;
  want["currentRevision"] = revisionHash(set);
  want["updateRevision"] = revisionHash(set);
  want["collisionCount"] = 0;
  if (want == status) return;
  json copy = set;
  copy["status"] = want;
  (void)store().updateStatus(gvr::kStatefulSets, namespaceOf(set), copy);
}

}  // namespace ossvp::kubesim
