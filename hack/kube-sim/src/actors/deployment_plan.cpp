#include "actors/deployment_plan.h"

#include <algorithm>

#include "actors/object_util.h"
#include "actors/pod_template_hash.h"

namespace ossvp::kubesim {

namespace {

constexpr const char* kHashLabel = "pod-template-hash";
constexpr const char* kRevision = "deployment.kubernetes.io/revision";

int specReplicas(const json& rs) { return rs.value("spec", json::object()).value("replicas", 1); }
int statusInt(const json& rs, const char* field) { return rs.value("status", json::object()).value(field, 0); }

const json* findNew(const json& deploy, const std::vector<json>& owned) {
  std::string hash = deploymentTemplateHash(deploy);
  for (const auto& rs : owned) {
    if (!isDeleting(rs) && label(rs, kHashLabel) == hash) return &rs;
  }
  return nullptr;
}

// All of the new ReplicaSet's pods exist, are counted and available.
bool newComplete(const json& deploy, const json* newRs) {
  int want = desiredReplicas(deploy);
  return newRs != nullptr && specReplicas(*newRs) == want &&
         statusInt(*newRs, "observedGeneration") >= newRs->value("metadata", json::object()).value("generation", 1) &&
         statusInt(*newRs, "replicas") == want && statusInt(*newRs, "availableReplicas") >= want;
}

// recreate.go oldPodsRunning: an old ReplicaSet still counts pods, or a pod
// of one (`pods`: of any owned ReplicaSet) is not Succeeded/Failed; a
// terminating pod (deletionTimestamp set, dropped from its ReplicaSet's
// count at once) still runs until the kubelet has stopped it.
bool oldPodsRunning(const json* newRs, const std::vector<json>& owned, const std::vector<json>& pods) {
  for (const auto& rs : owned) {
    if (&rs != newRs && statusInt(rs, "replicas") > 0) return true;
  }
  for (const auto& pod : pods) {
    if (newRs != nullptr && isControlledBy(pod, uidOf(*newRs))) continue;
    std::string phase = str(pod, {"status", "phase"});
    if (phase != "Succeeded" && phase != "Failed") return true;
  }
  return false;
}

json newReplicaSet(const json& deploy, const std::vector<json>& owned) {
  std::string hash = deploymentTemplateHash(deploy);
  int revision = 0;
  for (const auto& rs : owned) {
    try {
      revision = std::max(revision, std::stoi(annotation(rs, kRevision)));
    } catch (...) {
    }
  }
  json tmpl = deploy["spec"].value("template", json::object());
  tmpl["metadata"]["labels"][kHashLabel] = hash;
  json selector = deploy["spec"].value("selector", json::object());
  selector["matchLabels"][kHashLabel] = hash;
  json owner = deploy;
  owner["apiVersion"] = "apps/v1";
  owner["kind"] = "Deployment";
  json spec = {{"replicas", desiredReplicas(deploy)}, {"selector", selector}, {"template", tmpl}};
  if (deploy["spec"].contains("minReadySeconds")) spec["minReadySeconds"] = deploy["spec"]["minReadySeconds"];
  return {{"apiVersion", "apps/v1"},
          {"kind", "ReplicaSet"},
          {"metadata",
           {{"name", nameOf(deploy) + "-" + hash},
            {"namespace", namespaceOf(deploy)},
            {"labels", tmpl["metadata"]["labels"]},
            {"annotations",
             {{kRevision, std::to_string(revision + 1)},
              {"deployment.kubernetes.io/desired-replicas", std::to_string(desiredReplicas(deploy))}}},
            {"ownerReferences", json::array({controllerOwnerRef(owner)})}}},
          {"spec", spec}};
}

// A condition, keeping the old timestamps when nothing about it changed.
json condition(const json& old, const std::string& type, bool ok, const std::string& reason, const std::string& message,
               const std::string& now) {
  for (const auto& c : old.value("conditions", json::array())) {
    if (c.value("type", "") != type) continue;
    if (c.value("status", "") == (ok ? "True" : "False") && c.value("reason", "") == reason &&
        c.value("message", "") == message)
      return c;
  }
  return {{"type", type},       {"status", ok ? "True" : "False"}, {"reason", reason},
          {"message", message}, {"lastUpdateTime", now},           {"lastTransitionTime", now}};
}

}  // namespace

int desiredReplicas(const json& deploy) { return deploy.value("spec", json::object()).value("replicas", 1); }

std::string deploymentTemplateHash(const json& deploy) {
  return podTemplateHash(deploy.value("spec", json::object()).value("template", json::object()),
                         deploy.value("status", json::object()).value("collisionCount", int64_t{0}));
}

bool usesRecreate(const json& deploy) { return str(deploy, {"spec", "strategy", "type"}) == "Recreate"; }

RolloutPlan planRollout(const json& deploy, const std::vector<json>& owned, const std::vector<json>& pods) {
  RolloutPlan plan;
  bool recreate = usesRecreate(deploy);
  const json* newRs = findNew(deploy, owned);
  for (const auto& rs : owned) {
    if (&rs == newRs) continue;
    bool retire = recreate || newComplete(deploy, newRs);
    if (retire && specReplicas(rs) != 0 && !isDeleting(rs)) plan.scale.emplace_back(nameOf(rs), 0);
  }
  // Recreate (recreate.go): nothing new while an old ReplicaSet is being
  // scaled down in this pass or any old pod may still run.
  if (recreate && (!plan.scale.empty() || oldPodsRunning(newRs, owned, pods))) return plan;
  if (newRs == nullptr) {
    plan.create = newReplicaSet(deploy, owned);
  } else if (specReplicas(*newRs) != desiredReplicas(deploy)) {
    plan.scale.emplace_back(nameOf(*newRs), desiredReplicas(deploy));
  }
  return plan;
}

json deploymentStatus(const json& deploy, const std::vector<json>& owned, const std::string& now) {
  const json* newRs = findNew(deploy, owned);
  int want = desiredReplicas(deploy);
  int replicas = 0, ready = 0, available = 0, total = 0;
  for (const auto& rs : owned) {
    replicas += statusInt(rs, "replicas");
    ready += statusInt(rs, "readyReplicas");
    available += statusInt(rs, "availableReplicas");
    total += specReplicas(rs);
  }
  json old = deploy.value("status", json::object());
  json status = old;
  status["observedGeneration"] = deploy.value("metadata", json::object()).value("generation", 1);
  status["replicas"] = replicas;
  status["updatedReplicas"] = newRs ? statusInt(*newRs, "replicas") : 0;
  status["readyReplicas"] = ready;
  status["availableReplicas"] = available;
  status["unavailableReplicas"] = std::max(0, total - available);
  bool avail = available >= want;
  // Named after the new ReplicaSet, or the Deployment before it exists (a
  // Recreate waiting for its old pods).
  std::string subject = newRs ? "ReplicaSet \"" + nameOf(*newRs) + "\"" : "Deployment \"" + nameOf(deploy) + "\"";
  bool done = newComplete(deploy, newRs) && replicas == want;
  status["conditions"] = json::array(
      {condition(old, "Available", avail, avail ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                 avail ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                 now),
       condition(old, "Progressing", true, done ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                 subject + (done ? " has successfully progressed." : " is progressing."), now)});
  return status;
}

}  // namespace ossvp::kubesim
