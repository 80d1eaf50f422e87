#include "actors/pod_gc.h"

#include <map>

#include "actors/node_health.h"
#include "actors/object_util.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

PodGarbageCollector::PodGarbageCollector(ClusterContext& ctx)
    : Actor(ctx, "pod-garbage-collector"), quarantine_(secondsFromEnv("KUBESIM_POD_GC_QUARANTINE", 40)) {}

std::vector<GVR> PodGarbageCollector::watchedResources() const { return {gvr::kNodes, gvr::kPods}; }

void PodGarbageCollector::syncAll() {
  auto nodes = store().list(gvr::kNodes, "");
  auto pods = store().listShared(gvr::kPods);
  if (!nodes) return;
  std::map<std::string, const json*> byName;
  for (const auto& n : nodes->items) byName[nameOf(n)] = &n;
  for (const auto& ptr : pods) {
    const json& pod = *ptr;
    std::string nodeName = str(pod, {"spec", "nodeName"});
    // A pod whose finalizers hold it after a force delete: nothing more to do.
    bool held = isDeleting(pod) && !arrayAt(pod, "metadata", "finalizers").empty();
    if (nodeName.empty() || held) continue;
    auto node = byName.find(nodeName);
    if (node == byName.end()) {
      if (missing_.seen(nodeName) >= quarantine_) {
        markFailedAndDelete(pod, disruptionTargetCondition("DeletionByPodGC", "PodGC: node no longer exists"),
                            "node " + nodeName + " no longer exists");
      }
      continue;
    }
    if (isDeleting(pod) && nodeHasTaint(*node->second, names::kTaintOutOfService, "NoExecute") &&
        nodeReadyStatus(*node->second) != "True") {
      markFailedAndDelete(pod, nullptr, "terminating on out-of-service node " + nodeName);
    }
  }
  missing_.endPass();
}

void PodGarbageCollector::markFailedAndDelete(const json& pod, const json& condition, const std::string& why) {
  std::string ns = namespaceOf(pod);
  std::string phase = str(pod, {"status", "phase"});
  if (phase != "Succeeded" && phase != "Failed") {
    json p = pod;
    p["status"]["phase"] = "Failed";
    if (condition.is_object()) {
      p["status"]["conditions"] = withCondition(arrayAt(pod, "status", "conditions"), condition);
    }
    auto r = store().updateStatus(gvr::kPods, ns, p);
    if (!r) {
      logDebug("kube-sim pod GC: marking {}/{} Failed: {}", ns, nameOf(pod), r.error().message);
      return;  // retried on the next pass
    }
  }
  DeleteOptions o;
  o.gracePeriodSeconds = 0;
  o.preconditionUid = uidOf(pod);
  auto r = store().remove(gvr::kPods, ns, nameOf(pod), o);
  if (!r && r.error().code != 404) {
    logWarn("kube-sim pod GC: deleting {}/{}: {}", ns, nameOf(pod), r.error().message);
    return;
  }
  logInfo("kube-sim pod GC: force-deleted {}/{} ({})", ns, nameOf(pod), why);
}

}  // namespace ossvp::kubesim
