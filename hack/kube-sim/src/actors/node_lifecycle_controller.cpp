#include "actors/node_lifecycle_controller.h"

#include <ctime>
#include <map>
#include <set>

#include "actors/cluster_bootstrap.h"
#include "actors/node_health.h"
#include "actors/object_util.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

namespace {

bool isUnreachableTaint(const json& t) {
  std::string key = t.value("key", "");
  return key == names::kTaintUnreachable || key == names::kTaintNotReady;
}

std::map<std::string, std::vector<json>> groupByNode(const std::vector<std::shared_ptr<const json>>& pods) {
  std::map<std::string, std::vector<json>> out;
  for (const auto& p : pods) {
    std::string n = str(*p, {"spec", "nodeName"});
    if (!n.empty()) out[n].push_back(*p);
  }
  return out;
}

// Nodes that need their pods looked at: powered off (NotReady after the
// grace period) or carrying a NoExecute taint. Others' pods are not copied.
bool needsPods(const json& node) {
  if (nodePoweredOff(node)) return true;
  for (const auto& t : arrayAt(node, "spec", "taints")) {
    if (t.is_object() && t.value("effect", "") == "NoExecute") return true;
  }
  return false;
}

std::vector<std::shared_ptr<const json>> podsOfNodes(ObjectStore& store, const std::vector<json>& nodes) {
  std::set<std::string> wanted;
  for (const auto& n : nodes) {
    if (needsPods(n)) wanted.insert(nameOf(n));
  }
  std::vector<std::shared_ptr<const json>> out;
  if (wanted.empty()) return out;
  for (auto& p : store.listShared(gvr::kPods)) {
    if (wanted.count(str(*p, {"spec", "nodeName"}))) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

NodeLifecycleController::NodeLifecycleController(ClusterContext& ctx)
    : Actor(ctx, "node-lifecycle-controller"),
      grace_(secondsFromEnv("KUBESIM_NODE_MONITOR_GRACE_PERIOD", 50)),
      events_(*ctx.store, "node-controller", std::chrono::seconds(15)) {}

std::vector<GVR> NodeLifecycleController::watchedResources() const { return {gvr::kNodes, gvr::kPods}; }

void NodeLifecycleController::syncAll() {
  auto nodes = store().list(gvr::kNodes, "");
  if (!nodes) return;
  auto podsByNode = groupByNode(podsOfNodes(store(), nodes->items));
  for (const auto& node : nodes->items) {
    std::string name = nameOf(node);
    if (isDeleting(node)) continue;
    if (!nodePoweredOff(node))
      markReady(node);
    else if (poweredOff_.seen(name) >= grace_)
      markUnknown(node, podsByNode[name]);
  }
  poweredOff_.endPass();
  // Taint eviction works on the state just written: re-read nodes and pods.
  auto tainted = store().list(gvr::kNodes, "");
  if (!tainted) return;
  podsByNode = groupByNode(podsOfNodes(store(), tainted->items));
  for (const auto& node : tainted->items) evict(node, podsByNode[nameOf(node)]);
}

void NodeLifecycleController::markReady(const json& node) {
  std::string name = nameOf(node);
  json n = node;
  bool specDirty = false;
  // Kubelet registration labels.
  const json registration = {
      {"kubernetes.io/hostname", name}, {"kubernetes.io/os", "linux"}, {"kubernetes.io/arch", "amd64"}};
  for (const auto& [k, v] : registration.items()) {
    if (label(n, k).empty()) {
      n["metadata"]["labels"][k] = v;
      specDirty = true;
    }
  }
  json taints = json::array();
  for (const auto& t : arrayAt(node, "spec", "taints")) {
    if (isUnreachableTaint(t))
      specDirty = true;
    else
      taints.push_back(t);
  }
  if (specDirty) {
    if (!n["spec"].is_object()) n["spec"] = json::object();
    if (taints.empty())
      n["spec"].erase("taints");
    else
      n["spec"]["taints"] = taints;
    auto r = store().update(gvr::kNodes, "", n);
    if (!r) {
      logDebug("kube-sim node-lifecycle: {}: {}", name, r.error().message);
      return;
    }
    n = *r;
  }
  std::string ready = nodeReadyStatus(n);
  if (ready == "True" && n["status"].contains("capacity")) return;
  json st = n["status"].is_object() && n["status"].contains("capacity") ? n["status"] : kubeletNodeStatus(name);
  st["conditions"] = withCondition(arrayAt(n, "status", "conditions"), kubeletReadyCondition());
  n["status"] = st;
  auto r = store().updateStatus(gvr::kNodes, "", n);
  if (!r) {
    logDebug("kube-sim node-lifecycle: status of {}: {}", name, r.error().message);
    return;
  }
  if (!ready.empty()) {
    recordEvent(store(), n, "Normal", "NodeReady", "Node " + name + " status is now: NodeReady", "kubelet");
    logInfo("kube-sim: node {} is Ready again", name);
  }
}

void NodeLifecycleController::markUnknown(const json& node, const std::vector<json>& pods) {
  std::string name = nameOf(node);
  json n = node;
  if (!nodeHasTaint(n, names::kTaintUnreachable, "NoExecute") ||
      !nodeHasTaint(n, names::kTaintUnreachable, "NoSchedule")) {
    json taints = json::array();
    for (const auto& t : arrayAt(node, "spec", "taints")) {
      if (!isUnreachableTaint(t)) taints.push_back(t);
    }
    taints.push_back({{"key", names::kTaintUnreachable}, {"effect", "NoSchedule"}});
    taints.push_back({{"key", names::kTaintUnreachable}, {"effect", "NoExecute"}, {"timeAdded", nowRfc3339()}});
    n["spec"]["taints"] = taints;
    auto r = store().update(gvr::kNodes, "", n);
    if (!r) {
      logDebug("kube-sim node-lifecycle: taint {}: {}", name, r.error().message);
      return;
    }
    n = *r;
  }
  if (nodeReadyStatus(n) == "Unknown") return;
  json conds = json::array();
  for (auto c : arrayAt(n, "status", "conditions")) {
    if (c.value("status", "") != "Unknown") c["lastTransitionTime"] = nowRfc3339();
    c["status"] = "Unknown";
    c["reason"] = "NodeStatusUnknown";
    c["message"] = "Kubelet stopped posting node status.";
    conds.push_back(c);
  }
  if (conds.empty()) {
    conds.push_back({{"type", "Ready"},
                     {"status", "Unknown"},
                     {"reason", "NodeStatusUnknown"},
                     {"message", "Kubelet stopped posting node status."},
                     {"lastTransitionTime", nowRfc3339()}});
  }
  n["status"]["conditions"] = conds;
  auto r = store().updateStatus(gvr::kNodes, "", n);
  if (!r) {
    logDebug("kube-sim node-lifecycle: status of {}: {}", name, r.error().message);
    return;
  }
  events_.normal(*r, "NodeNotReady", "Node " + name + " status is now: NodeNotReady");
  logInfo("kube-sim: node {} is unreachable (powered off for {} s): Ready=Unknown, tainted", name, grace_.count());
  // MarkPodsNotReady.
  for (const auto& pod : pods) {
    std::string phase = str(pod, {"status", "phase"});
    if (phase == "Succeeded" || phase == "Failed") continue;
    json p = pod;
    json ready = {
        {"type", "Ready"}, {"status", "False"}, {"lastProbeTime", nullptr}, {"lastTransitionTime", nowRfc3339()}};
    p["status"]["conditions"] = withCondition(arrayAt(pod, "status", "conditions"), ready);
    if (p == pod) continue;
    if (store().updateStatus(gvr::kPods, namespaceOf(pod), p))
      events_.warning(pod, "NodeNotReady", "Node is not ready");
  }
}

void NodeLifecycleController::evict(const json& node, const std::vector<json>& pods) {
  json taints = arrayAt(node, "spec", "taints");
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (const auto& pod : pods) {
    if (isDeleting(pod)) continue;
    std::string phase = str(pod, {"status", "phase"});
    if (phase == "Succeeded" || phase == "Failed") continue;
    NoExecuteDecision d = noExecuteDecision(taints, arrayAt(pod, "spec", "tolerations"), now);
    bool due = d.kind == NoExecuteDecision::Kind::kEvictNow ||
               (d.kind == NoExecuteDecision::Kind::kEvictAt && now >= d.evictAtUnix);
    if (!due) continue;
    std::string ns = namespaceOf(pod);
    json p = pod;
    p["status"]["conditions"] = withCondition(
        arrayAt(pod, "status", "conditions"),
        disruptionTargetCondition("DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint"));
    auto marked = store().updateStatus(gvr::kPods, ns, p);
    if (!marked) continue;  // lost a race (409): next pass
    recordEvent(store(), pod, "Normal", "TaintManagerEviction", "Marking for deletion Pod " + ns + "/" + nameOf(pod),
                "taint-eviction-controller");
    DeleteOptions o;
    o.preconditionUid = uidOf(pod);
    auto r = store().remove(gvr::kPods, ns, nameOf(pod), o);
    if (!r && r.error().code != 404)
      logWarn("kube-sim taint eviction: {}/{}: {}", ns, nameOf(pod), r.error().message);
    else
      logInfo("kube-sim taint eviction: deleting {}/{} from node {}", ns, nameOf(pod), nameOf(node));
  }
}

}  // namespace ossvp::kubesim
