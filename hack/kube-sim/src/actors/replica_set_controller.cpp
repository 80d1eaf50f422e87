#include "actors/replica_set_controller.h"

#include "actors/object_util.h"
#include "actors/replica_set_plan.h"

namespace ossvp::kubesim {

void ReplicaSetController::syncAll() {
  auto sets = store().listShared(gvr::kReplicaSets);
  if (sets.empty()) return;
  auto pods = store().listShared(gvr::kPods);
  for (const auto& rs : sets) {
    if (!isDeleting(*rs)) syncReplicaSet(*rs, controlledBy(*rs, pods));
  }
}

void ReplicaSetController::createPod(const json& rs) {
  const json tmpl = rs["spec"].value("template", json::object());
  json meta = tmpl.value("metadata", json::object());
  json owner = rs;
  owner["apiVersion"] = "apps/v1";
  owner["kind"] = "ReplicaSet";
  json podMeta = {{"generateName", nameOf(rs) + "-"},
                  {"namespace", namespaceOf(rs)},
                  {"labels", meta.value("labels", json::object())},
                  {"ownerReferences", json::array({controllerOwnerRef(owner)})}};
  if (meta.contains("annotations")) podMeta["annotations"] = meta["annotations"];
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", podMeta}, {"spec", tmpl.value("spec", json::object())}};
  auto r = store().create(gvr::kPods, namespaceOf(rs), pod);
  if (!r) {
    events_.warning(rs, "FailedCreate", "Error creating: " + r.error().message);
    return;
  }
  events_.normal(rs, "SuccessfulCreate", "Created pod: " + nameOf(*r));
}

void ReplicaSetController::syncReplicaSet(const json& rs, const std::vector<json>& pods) {
  ReplicaDiff diff = diffReplicas(rs["spec"].value("replicas", 1), pods);
  for (int i = 0; i < diff.toCreate; ++i) createPod(rs);
  for (const auto& name : diff.toDelete) {
    if (store().remove(gvr::kPods, namespaceOf(rs), name)) events_.normal(rs, "SuccessfulDelete", "Deleted pod: " + name);
  }
  // Counted from what this pass saw; the next pass (woken by the pod writes
  // above) counts the pods it created.
  json status = replicaSetStatus(rs, pods);
  if (status == rs.value("status", json::object())) return;
  json copy = rs;
  copy["status"] = status;
  (void)store().updateStatus(gvr::kReplicaSets, namespaceOf(rs), copy);
}

}  // namespace ossvp::kubesim
