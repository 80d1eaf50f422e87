#include "actors/deployment_controller.h"

#include <chrono>

#include "actors/deployment_plan.h"
#include "actors/object_util.h"
#include "ossvp/common/rfc3339.h"

namespace ossvp::kubesim {

void DeploymentController::syncAll() {
  auto deploys = store().listShared(gvr::kDeployments);
  if (deploys.empty()) return;
  auto sets = store().listShared(gvr::kReplicaSets);
  std::vector<std::shared_ptr<const json>> pods;  // listed once a Recreate Deployment needs them
  bool podsListed = false;
  for (const auto& d : deploys) {
    if (isDeleting(*d)) continue;
    std::vector<json> owned = controlledBy(*d, sets), ownedPods;
    if (usesRecreate(*d)) {
      if (!podsListed) pods = store().listShared(gvr::kPods);
      podsListed = true;
      for (const auto& rs : owned) {
        auto mine = controlledBy(rs, pods);
        ownedPods.insert(ownedPods.end(), std::make_move_iterator(mine.begin()), std::make_move_iterator(mine.end()));
      }
    }
    syncDeployment(*d, owned, ownedPods);
  }
}

void DeploymentController::scale(const json& deploy, const std::string& rsName, int replicas) {
  auto rs = store().get(gvr::kReplicaSets, namespaceOf(deploy), rsName);
  if (!rs) return;
  int from = (*rs)["spec"].value("replicas", 1);
  json copy = *rs;
  copy["spec"]["replicas"] = replicas;
  copy["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] =
      std::to_string(desiredReplicas(deploy));
  if (!store().update(gvr::kReplicaSets, namespaceOf(deploy), copy)) return;  // 409: next pass
  events_.normal(deploy, "ScalingReplicaSet",
                 std::string("Scaled ") + (replicas > from ? "up" : "down") + " replica set " + rsName + " from " +
                     std::to_string(from) + " to " + std::to_string(replicas));
}

void DeploymentController::syncDeployment(const json& deploy, const std::vector<json>& owned,
                                          const std::vector<json>& pods) {
  RolloutPlan plan = planRollout(deploy, owned, pods);
  if (!plan.create.is_null()) {
    auto r = store().create(gvr::kReplicaSets, namespaceOf(deploy), plan.create);
    if (r) {
      events_.normal(deploy, "ScalingReplicaSet",
                     "Scaled up replica set " + nameOf(*r) + " from 0 to " + std::to_string(desiredReplicas(deploy)));
    } else if (r.error().code != 409) {
      events_.warning(deploy, "FailedCreate",
                      "Failed to create new replica set \"" + nameOf(plan.create) + "\": " + r.error().message);
    }
  }
  for (const auto& [name, replicas] : plan.scale) scale(deploy, name, replicas);
  json status = deploymentStatus(deploy, owned, formatRfc3339(std::chrono::system_clock::now()));
  if (status == deploy.value("status", json::object())) return;
  json copy = deploy;
  copy["status"] = status;
  (void)store().updateStatus(gvr::kDeployments, namespaceOf(deploy), copy);
}

}  // namespace ossvp::kubesim
