#include "actors/scheduler.h"

#include <algorithm>
#include <set>

#include "actors/label_match.h"
#include "actors/object_util.h"
#include "actors/storage_names.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

struct Scheduler::Snapshot {
  std::vector<json> nodes;
  std::map<std::string, int> podsPerNode;
  std::map<std::string, json> classes;
};

namespace {

std::string preemptionSuffix(size_t nodes) {
  return " preemption: 0/" + std::to_string(nodes) + " nodes are available: " + std::to_string(nodes) +
         " Preemption is not helpful for scheduling.";
}

// Why `node` cannot take `pod` ("" when it can), in the scheduler's wording.
std::string nodeMismatch(const json& pod, const json& node, const std::vector<json>& boundVolumes) {
  json nodeSpec = node.value("spec", json::object());  // a Node created without spec has none
  if (nodeSpec.value("unschedulable", false)) return "node(s) were unschedulable";
  json labels = node["metadata"].value("labels", json::object());
  const json& spec = pod["spec"];
  if (spec.contains("nodeSelector") && spec["nodeSelector"].is_object()) {
    for (auto& [k, v] : spec["nodeSelector"].items()) {
      if (!labels.contains(k) || labels[k] != v) return "node(s) didn't match Pod's node affinity/selector";
    }
  }
  json required = spec.value("affinity", json::object())
                      .value("nodeAffinity", json::object())
                      .value("requiredDuringSchedulingIgnoredDuringExecution", json());
  if (required.is_object() && !nodeSelectorMatches(required, node)) {
    return "node(s) didn't match Pod's node affinity/selector";
  }
  json taint = untoleratedTaint(nodeSpec.value("taints", json::array()), spec.value("tolerations", json::array()));
  if (!taint.is_null()) {
    return "node(s) had untolerated taint {" + taint.value("key", "") + ": " + taint.value("value", "") + "}";
  }
  for (const auto& pv : boundVolumes) {
    json req = pv["spec"].value("nodeAffinity", json::object()).value("required", json());
    if (req.is_object() && !nodeSelectorMatches(req, node)) return "node(s) had volume node affinity conflict";
  }
  return "";
}

int preferredScore(const json& pod, const json& node) {
  int score = 0;
  json prefs = pod["spec"]
                   .value("affinity", json::object())
                   .value("nodeAffinity", json::object())
                   .value("preferredDuringSchedulingIgnoredDuringExecution", json::array());
  for (const auto& p : prefs) {
    if (p.contains("preference") && nodeSelectorTermMatches(p["preference"], node)) score += p.value("weight", 0);
  }
  return score;
}

// Whether a pending pod's assumed node still stands: the node still exists and
// every WaitForFirstConsumer claim still carries a selected-node (the volume
// populator resets it when the node died; k/k volumebinding then reschedules).
bool assumptionHolds(const std::vector<json>& nodes, const std::vector<json>& waitClaims, const std::string& node) {
  bool exists = std::any_of(nodes.begin(), nodes.end(), [&](const json& n) { return nameOf(n) == node; });
  return exists && std::none_of(waitClaims.begin(), waitClaims.end(),
                                [](const json& c) { return annotation(c, names::kSelectedNode).empty(); });
}

}  // namespace

Scheduler::Scheduler(ClusterContext& ctx)
    : Actor(ctx, "scheduler"), events_(*ctx.store, "default-scheduler", std::chrono::seconds(10)) {}

std::vector<GVR> Scheduler::watchedResources() const { return {gvr::kPods, gvr::kPersistentVolumeClaims, gvr::kNodes}; }

void Scheduler::syncAll() {
  Snapshot s;
  auto nodes = store().list(gvr::kNodes, "");
  auto pods = store().listShared(gvr::kPods);
  auto classes = store().list(gvr::kStorageClasses, "");
  if (!nodes) return;
  s.nodes = nodes->items;
  std::sort(s.nodes.begin(), s.nodes.end(), [](const json& a, const json& b) { return nameOf(a) < nameOf(b); });
  if (classes)
    for (auto& c : classes->items) s.classes[nameOf(c)] = c;
  std::set<std::string> live;
  for (const auto& p : pods) {
    std::string n = str(*p, {"spec", "nodeName"});
    if (!n.empty()) s.podsPerNode[n]++;
    live.insert(uidOf(*p));
  }
  for (auto it = assumed_.begin(); it != assumed_.end();) {
    it = live.count(it->first) ? std::next(it) : assumed_.erase(it);
  }
  for (const auto& ptr : pods) {
    const json& p = *ptr;
    if (!str(p, {"spec", "nodeName"}).empty() || isDeleting(p)) continue;
    std::string scheduler = str(p, {"spec", "schedulerName"});
    if (!scheduler.empty() && scheduler != "default-scheduler") continue;
    schedule(s, p);
  }
}

void Scheduler::markUnschedulable(const json& pod, const std::string& message) {
  events_.warning(pod, "FailedScheduling", message);
  json copy = pod;
  json& st = copy["status"];
  if (!st.is_object()) st = json::object();
  st["phase"] = "Pending";
  json conds = json::array();
  for (const auto& c : st.value("conditions", json::array())) {
    if (c.value("type", "") != "PodScheduled") conds.push_back(c);
  }
  conds.push_back({{"type", "PodScheduled"},
                   {"status", "False"},
                   {"reason", "Unschedulable"},
                   {"message", message},
                   {"lastProbeTime", nullptr},
                   {"lastTransitionTime", nowRfc3339()}});
  for (const auto& c : pod.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == "PodScheduled" && c.value("message", "") == message) return;  // unchanged
  }
  st["conditions"] = conds;
  (void)store().updateStatus(gvr::kPods, namespaceOf(pod), copy);
}

void Scheduler::schedule(Snapshot& s, const json& pod) {
  std::string ns = namespaceOf(pod);
  size_t total = s.nodes.size();
  std::string prefix = "0/" + std::to_string(total) + " nodes are available: ";
  std::vector<json> boundVolumes;
  std::vector<json> waitClaims;  // unbound WaitForFirstConsumer claims
  for (const auto& vol : pod["spec"].value("volumes", json::array())) {
    std::string claimName = str(vol, {"persistentVolumeClaim", "claimName"});
    bool ephemeral = vol.contains("ephemeral");
    if (ephemeral) claimName = nameOf(pod) + "-" + vol.value("name", "");
    if (claimName.empty()) continue;
    auto claim = store().get(gvr::kPersistentVolumeClaims, ns, claimName);
    if (!claim) {
      markUnschedulable(pod,
                        prefix + "persistentvolumeclaim \"" + claimName + "\" not found." + preemptionSuffix(total));
      return;
    }
    if (ephemeral && !isControlledBy(*claim, uidOf(pod))) {
      markUnschedulable(pod, prefix + "PVC " + ns + "/" + claimName + " was not created for pod " + ns + "/" +
                                 nameOf(pod) + " (pod is not owner)." + preemptionSuffix(total));
      return;
    }
    if (isDeleting(*claim)) {
      markUnschedulable(
          pod, prefix + "persistentvolumeclaim \"" + claimName + "\" is being deleted." + preemptionSuffix(total));
      return;
    }
    std::string volumeName = str(*claim, {"spec", "volumeName"});
    if (!volumeName.empty()) {
      if (auto pv = store().get(gvr::kPersistentVolumes, "", volumeName)) boundVolumes.push_back(*pv);
      continue;
    }
    auto cls = s.classes.find(str(*claim, {"spec", "storageClassName"}));
    if (cls != s.classes.end() && cls->second.value("volumeBindingMode", "") == "WaitForFirstConsumer") {
      waitClaims.push_back(*claim);
      continue;
    }
    markUnschedulable(pod, prefix + "1 pod has unbound immediate PersistentVolumeClaims." + preemptionSuffix(total));
    return;
  }

  std::string chosen;
  auto assumed = assumed_.find(uidOf(pod));
  if (assumed != assumed_.end() && assumptionHolds(s.nodes, waitClaims, assumed->second)) {
    chosen = assumed->second;
  } else {
    if (assumed != assumed_.end()) assumed_.erase(assumed);
    std::map<std::string, int> reasons;
    int bestScore = -1;
    for (const auto& node : s.nodes) {
      std::string why = nodeMismatch(pod, node, boundVolumes);
      if (!why.empty()) {
        reasons[why]++;
        continue;
      }
      int score = preferredScore(pod, node) * 1000 - s.podsPerNode[nameOf(node)];
      if (chosen.empty() || score > bestScore) {
        chosen = nameOf(node);
        bestScore = score;
      }
    }
    if (chosen.empty()) {
      std::string msg = prefix;
      bool first = true;
      for (const auto& [why, n] : reasons) {
        msg += (first ? "" : ", ") + std::to_string(n) + " " + why;
        first = false;
      }
      if (total == 0) msg += "no nodes available to schedule pods";
      markUnschedulable(pod, msg + "." + preemptionSuffix(total));
      return;
    }
  }
  // WaitForFirstConsumer: select the node on the claims, wait for them to bind.
  bool allBound = true;
  for (const auto& claim : waitClaims) {
    allBound = false;
    if (annotation(claim, names::kSelectedNode) != chosen) {
      json c = claim;
      setAnnotation(c, names::kSelectedNode, chosen);
      (void)store().update(gvr::kPersistentVolumeClaims, ns, c);
    }
  }
  if (!allBound) {
    assumed_[uidOf(pod)] = chosen;
    return;
  }
  assumed_.erase(uidOf(pod));
  bindPod(pod, chosen);
  s.podsPerNode[chosen]++;
}

void Scheduler::bindPod(const json& pod, const std::string& node) {
  json copy = pod;
  copy["spec"]["nodeName"] = node;
  auto r = store().update(gvr::kPods, namespaceOf(pod), copy);
  if (!r) {
    logDebug("kube-sim scheduler: binding {}/{}: {}", namespaceOf(pod), nameOf(pod), r.error().message);
    return;
  }
  json bound = *r;
  json& st = bound["status"];
  if (!st.is_object()) st = json::object();
  st["phase"] = st.value("phase", "").empty() ? "Pending" : st["phase"];
  json conds = json::array();
  for (const auto& c : st.value("conditions", json::array())) {
    if (c.value("type", "") != "PodScheduled") conds.push_back(c);
  }
  conds.push_back(
      {{"type", "PodScheduled"}, {"status", "True"}, {"lastProbeTime", nullptr}, {"lastTransitionTime", nowRfc3339()}});
  st["conditions"] = conds;
  (void)store().updateStatus(gvr::kPods, namespaceOf(pod), bound);
  recordEvent(store(), bound, "Normal", "Scheduled",
              "Successfully assigned " + namespaceOf(pod) + "/" + nameOf(pod) + " to " + node, "default-scheduler");
  logInfo("kube-sim scheduler: {}/{} -> {}", namespaceOf(pod), nameOf(pod), node);
}

}  // namespace ossvp::kubesim
