#include "actors/replica_set_plan.h"

#include <algorithm>
#include <tuple>

#include "actors/object_util.h"

namespace ossvp::kubesim {

namespace {

int restarts(const json& pod) {
  int n = 0;
  for (const auto& c : pod.value("status", json::object()).value("containerStatuses", json::array())) {
    n = std::max(n, c.value("restartCount", 0));
  }
  return n;
}

// True when pod `a` should be deleted before pod `b`.
bool deleteBefore(const json& a, const json& b) {
  auto rank = [](const json& p) {
    return std::make_tuple(str(p, {"spec", "nodeName"}).empty() ? 0 : 1,
                           str(p, {"status", "phase"}) == "Pending" ? 0 : 1, podIsReady(p) ? 1 : 0, -restarts(p));
  };
  if (rank(a) != rank(b)) return rank(a) < rank(b);
  // Newest first (RFC 3339 timestamps order as strings).
  return std::make_tuple(str(a, {"metadata", "creationTimestamp"}), nameOf(a)) >
         std::make_tuple(str(b, {"metadata", "creationTimestamp"}), nameOf(b));
}

}  // namespace

bool podIsActive(const json& pod) {
  std::string phase = str(pod, {"status", "phase"});
  return phase != "Failed" && phase != "Succeeded" && !isDeleting(pod);
}

ReplicaDiff diffReplicas(int desired, const std::vector<json>& ownedPods) {
  std::vector<const json*> active;
  for (const auto& p : ownedPods) {
    if (podIsActive(p)) active.push_back(&p);
  }
  ReplicaDiff d;
  int have = static_cast<int>(active.size());
  if (have < desired) {
    d.toCreate = desired - have;
    return d;
  }
  std::sort(active.begin(), active.end(), [](const json* a, const json* b) { return deleteBefore(*a, *b); });
  for (int i = 0; i < have - desired; ++i) d.toDelete.push_back(nameOf(*active[i]));
  return d;
}

json replicaSetStatus(const json& rs, const std::vector<json>& ownedPods) {
  const json templateLabels =
      rs.value("spec", json::object()).value("template", json::object()).value("metadata", json::object()).value(
          "labels", json::object());
  int replicas = 0, labeled = 0, ready = 0;
  for (const auto& p : ownedPods) {
    if (!podIsActive(p)) continue;
    replicas++;
    const json labels = p.value("metadata", json::object()).value("labels", json::object());
    bool full = true;
    for (const auto& [k, v] : templateLabels.items()) full = full && labels.value(k, json()) == v;
    if (full) labeled++;
    if (podIsReady(p)) ready++;
  }
  json status = rs.value("status", json::object());
  status["replicas"] = replicas;
  status["fullyLabeledReplicas"] = labeled;
  status["readyReplicas"] = ready;
  status["availableReplicas"] = ready;
  status["observedGeneration"] = rs.value("metadata", json::object()).value("generation", 1);
  return status;
}

}  // namespace ossvp::kubesim
