// The pure logic of kube-sim's Deployment and ReplicaSet controllers:
// pod-template-hash, the ReplicaSet's desired/actual diff and status, the
// rollout steps and the Deployment's status (what kubectl rollout status reads).
#include <catch2/catch.hpp>

#include "actors/deployment_plan.h"
#include "actors/pod_template_hash.h"
#include "actors/replica_set_plan.h"

using namespace ossvp::kubesim;

namespace {

json podTemplate(const std::string& image) {
  return {{"metadata", {{"labels", {{"app", "web"}}}}},
          {"spec", {{"containers", json::array({{{"name", "c"}, {"image", image}}})}}}};
}

json deployment(const std::string& image, int replicas, int generation = 1, const std::string& strategy = "") {
  json d = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", "web"}, {"namespace", "t"}, {"uid", "d-uid"}, {"generation", generation}}},
      {"spec",
       {{"replicas", replicas}, {"selector", {{"matchLabels", {{"app", "web"}}}}}, {"template", podTemplate(image)}}}};
  if (!strategy.empty()) d["spec"]["strategy"]["type"] = strategy;
  return d;
}

// A ReplicaSet as the store holds it after planRollout's create, with a status.
json withStatus(json rs, int replicas, int available) {
  rs["metadata"]["uid"] = "rs-" + rs["metadata"]["name"].get<std::string>();
  rs["metadata"]["generation"] = 1;
  rs["status"] = {{"observedGeneration", 1},
                  {"replicas", replicas},
                  {"readyReplicas", available},
                  {"availableReplicas", available}};
  return rs;
}

json pod(const std::string& name, const std::string& phase, bool ready,
         const std::string& created = "2026-01-01T00:00:00Z", const std::string& node = "node-1") {
  json p = {{"metadata", {{"name", name}, {"creationTimestamp", created}, {"labels", {{"app", "web"}}}}},
            {"spec", {{"nodeName", node}}},
            {"status", {{"phase", phase}}}};
  if (phase == "Running") {
    p["status"]["conditions"] = json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}});
  }
  return p;
}

// `p` as a pod of ReplicaSet `rs` (its controller ownerReference).
json ownedBy(json p, const json& rs) {
  p["metadata"]["namespace"] = "t";
  p["metadata"]["ownerReferences"] = json::array({{{"apiVersion", "apps/v1"},
                                                   {"kind", "ReplicaSet"},
                                                   {"name", rs["metadata"]["name"]},
                                                   {"uid", rs["metadata"]["uid"]},
                                                   {"controller", true}}});
  return p;
}

}  // namespace

TEST_CASE("podTemplateHash is stable per template and changes with it", "[deployment]") {
  std::string a = podTemplateHash(podTemplate("nginx:1"));
  CHECK(a == podTemplateHash(podTemplate("nginx:1")));
  CHECK(a != podTemplateHash(podTemplate("nginx:2")));
  CHECK(a != podTemplateHash(podTemplate("nginx:1"), 1));
  CHECK(!a.empty());
  CHECK(a.find_first_not_of("bcdfghjklmnpqrstvwxz2456789") == std::string::npos);
}

TEST_CASE("diffReplicas creates the missing pods and replaces failed or deleted ones", "[deployment]") {
  CHECK(diffReplicas(3, {}).toCreate == 3);
  json deleting = pod("b", "Running", true);
  deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:10Z";
  auto d = diffReplicas(3, {pod("a", "Running", true), deleting, pod("c", "Failed", false)});
  CHECK(d.toCreate == 2);
  CHECK(d.toDelete.empty());
  CHECK(diffReplicas(1, {pod("a", "Running", true)}).toCreate == 0);
}

TEST_CASE("diffReplicas deletes the least useful pods first on scale-down", "[deployment]") {
  std::vector<json> pods = {pod("ready-old", "Running", true, "2026-01-01T00:00:00Z"),
                            pod("ready-new", "Running", true, "2026-01-01T00:00:05Z"),
                            pod("not-ready", "Running", false), pod("pending", "Pending", false),
                            pod("unscheduled", "Pending", false, "2026-01-01T00:00:00Z", "")};
  auto d = diffReplicas(1, pods);
  CHECK(d.toCreate == 0);
  CHECK(d.toDelete == std::vector<std::string>{"unscheduled", "pending", "not-ready", "ready-new"});
}

TEST_CASE("replicaSetStatus counts active, labelled, ready pods", "[deployment]") {
  json rs = {{"metadata", {{"name", "web-x"}, {"generation", 4}}},
             {"spec", {{"replicas", 3}, {"template", podTemplate("nginx:1")}}}};
  json unlabeled = pod("u", "Running", false);
  unlabeled["metadata"]["labels"] = json::object();
  json s = replicaSetStatus(rs, {pod("a", "Running", true), unlabeled, pod("f", "Failed", false)});
  CHECK(s["replicas"] == 2);
  CHECK(s["fullyLabeledReplicas"] == 1);
  CHECK(s["readyReplicas"] == 1);
  CHECK(s["availableReplicas"] == 1);
  CHECK(s["observedGeneration"] == 4);
}

TEST_CASE("planRollout creates the ReplicaSet of the current template", "[deployment]") {
  json d = deployment("nginx:1", 2);
  RolloutPlan p = planRollout(d, {}, {});
  REQUIRE(p.create.is_object());
  CHECK(p.scale.empty());
  std::string hash = deploymentTemplateHash(d);
  CHECK(p.create["metadata"]["name"] == "web-" + hash);
  CHECK(p.create["metadata"]["labels"]["pod-template-hash"] == hash);
  CHECK(p.create["spec"]["selector"]["matchLabels"]["pod-template-hash"] == hash);
  CHECK(p.create["spec"]["selector"]["matchLabels"]["app"] == "web");
  CHECK(p.create["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == hash);
  CHECK(p.create["spec"]["replicas"] == 2);
  CHECK(p.create["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1");
  const json& ref = p.create["metadata"]["ownerReferences"][0];
  CHECK(ref["kind"] == "Deployment");
  CHECK(ref["uid"] == "d-uid");
  CHECK(ref["controller"] == true);
  // Once it exists, nothing more to do; a replica change scales it.
  json rs = withStatus(p.create, 2, 2);
  CHECK(planRollout(d, {rs}, {}).create.is_null());
  CHECK(planRollout(d, {rs}, {}).scale.empty());
  auto scaled = planRollout(deployment("nginx:1", 5), {rs}, {});
  CHECK(scaled.scale == std::vector<std::pair<std::string, int>>{{"web-" + hash, 5}});
}

TEST_CASE("RollingUpdate retires the old ReplicaSet once the new one is available", "[deployment]") {
  json oldRs = withStatus(planRollout(deployment("nginx:1", 2), {}, {}).create, 2, 2);
  json d = deployment("nginx:2", 2, 2);
  RolloutPlan p = planRollout(d, {oldRs}, {});
  REQUIRE(p.create.is_object());
  CHECK(p.create["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2");
  CHECK(p.scale.empty());  // old pods keep serving
  json newRs = withStatus(p.create, 2, 1);
  CHECK(planRollout(d, {oldRs, newRs}, {}).scale.empty());
  newRs = withStatus(p.create, 2, 2);
  CHECK(planRollout(d, {oldRs, newRs}, {}).scale ==
        std::vector<std::pair<std::string, int>>{{oldRs["metadata"]["name"], 0}});
}

TEST_CASE("Recreate scales the old ReplicaSet down before creating the new one", "[deployment]") {
  json oldRs = withStatus(planRollout(deployment("nginx:1", 2), {}, {}).create, 2, 2);
  json d = deployment("nginx:2", 2, 2, "Recreate");
  std::vector<json> pods = {ownedBy(pod("a", "Running", true), oldRs), ownedBy(pod("b", "Running", true), oldRs)};
  RolloutPlan p = planRollout(d, {oldRs}, pods);
  CHECK(p.create.is_null());
  CHECK(p.scale == std::vector<std::pair<std::string, int>>{{oldRs["metadata"]["name"], 0}});
  oldRs["spec"]["replicas"] = 0;  // scaled, its status not updated yet
  CHECK(planRollout(d, {oldRs}, pods).create.is_null());
  CHECK(planRollout(d, {oldRs}, pods).scale.empty());
  // The ReplicaSet counts no pod any more (terminating pods are not active),
  // but they run until their grace period ends: still nothing new.
  oldRs = withStatus(oldRs, 0, 0);
  for (auto& t : pods) t["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:30Z";
  CHECK(planRollout(d, {oldRs}, pods).create.is_null());
  pods[0] = ownedBy(pod("a", "Succeeded", false), oldRs);  // one exited, one still terminating
  CHECK(planRollout(d, {oldRs}, pods).create.is_null());
  pods[1] = ownedBy(pod("b", "Failed", false), oldRs);
  RolloutPlan created = planRollout(d, {oldRs}, pods);
  REQUIRE(created.create.is_object());
  CHECK(created.create["spec"]["replicas"] == 2);  // at full size at once
  CHECK(created.scale.empty());
  // The new ReplicaSet's own pods do not hold it back.
  json newRs = withStatus(created.create, 1, 0);
  std::vector<json> withNew = {ownedBy(pod("n", "Pending", false), newRs)};
  CHECK(planRollout(d, {oldRs, newRs}, withNew).create.is_null());
  CHECK(planRollout(d, {oldRs, newRs}, withNew).scale.empty());
}

TEST_CASE("Recreate back to an existing ReplicaSet scales it up only once the old pods are gone", "[deployment]") {
  // Rollback: the template is v1's again, whose ReplicaSet is still there at 0.
  json v1 = withStatus(planRollout(deployment("nginx:1", 2), {}, {}).create, 0, 0);
  v1["spec"]["replicas"] = 0;
  json v2 = withStatus(planRollout(deployment("nginx:2", 2), {v1}, {}).create, 2, 2);
  json d = deployment("nginx:1", 2, 3, "Recreate");
  std::vector<json> pods = {ownedBy(pod("a", "Running", true), v2)};
  RolloutPlan p = planRollout(d, {v1, v2}, pods);
  CHECK(p.create.is_null());
  CHECK(p.scale == std::vector<std::pair<std::string, int>>{{v2["metadata"]["name"], 0}});  // v1 not yet
  v2["spec"]["replicas"] = 0;
  v2 = withStatus(v2, 0, 0);
  pods[0]["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:30Z";
  CHECK(planRollout(d, {v1, v2}, pods).scale.empty());
  p = planRollout(d, {v1, v2}, {});
  CHECK(p.create.is_null());
  CHECK(p.scale == std::vector<std::pair<std::string, int>>{{v1["metadata"]["name"], 2}});
}

TEST_CASE("deploymentStatus while a Recreate waits for the old pods", "[deployment]") {
  json oldRs = withStatus(planRollout(deployment("nginx:1", 2), {}, {}).create, 0, 0);
  oldRs["spec"]["replicas"] = 0;
  json d = deployment("nginx:2", 2, 2, "Recreate");
  json s = deploymentStatus(d, {oldRs}, "2026-01-01T00:00:00Z");
  CHECK(s["observedGeneration"] == 2);
  CHECK(s["replicas"] == 0);
  CHECK(s["updatedReplicas"] == 0);
  CHECK(s["readyReplicas"] == 0);
  CHECK(s["availableReplicas"] == 0);
  CHECK(s["unavailableReplicas"] == 0);  // no ReplicaSet wants a pod yet
  CHECK(s["conditions"][0]["status"] == "False");
  CHECK(s["conditions"][0]["reason"] == "MinimumReplicasUnavailable");
  CHECK(s["conditions"][1]["reason"] == "ReplicaSetUpdated");
  CHECK(s["conditions"][1]["message"] == "Deployment \"web\" is progressing.");  // no new ReplicaSet yet
  json newRs = withStatus(planRollout(d, {oldRs}, {}).create, 2, 0);
  s = deploymentStatus(d, {oldRs, newRs}, "2026-01-01T00:00:05Z");
  CHECK(s["updatedReplicas"] == 2);
  CHECK(s["unavailableReplicas"] == 2);
  CHECK(s["conditions"][1]["message"] ==
        "ReplicaSet \"" + newRs["metadata"]["name"].get<std::string>() + "\" is progressing.");
}

TEST_CASE("deploymentStatus reports what kubectl rollout status waits for", "[deployment]") {
  json oldRs = withStatus(planRollout(deployment("nginx:1", 2), {}, {}).create, 2, 2);
  json d = deployment("nginx:2", 2, 3);
  json newRs = withStatus(planRollout(d, {oldRs}, {}).create, 2, 1);
  json s = deploymentStatus(d, {oldRs, newRs}, "2026-01-01T00:00:00Z");
  CHECK(s["observedGeneration"] == 3);
  CHECK(s["replicas"] == 4);
  CHECK(s["updatedReplicas"] == 2);
  CHECK(s["readyReplicas"] == 3);
  CHECK(s["availableReplicas"] == 3);
  CHECK(s["conditions"][1]["reason"] == "ReplicaSetUpdated");
  oldRs["spec"]["replicas"] = 0;
  oldRs = withStatus(oldRs, 0, 0);
  newRs = withStatus(newRs, 2, 2);
  d["status"] = s;
  json done = deploymentStatus(d, {oldRs, newRs}, "2026-01-01T00:01:00Z");
  CHECK(done["replicas"] == 2);
  CHECK(done["updatedReplicas"] == 2);
  CHECK(done["availableReplicas"] == 2);
  CHECK(done["unavailableReplicas"] == 0);
  CHECK(done["conditions"][0]["status"] == "True");
  CHECK(done["conditions"][0]["lastTransitionTime"] == "2026-01-01T00:00:00Z");  // unchanged since
  CHECK(done["conditions"][1]["reason"] == "NewReplicaSetAvailable");
  CHECK(done["conditions"][1]["lastTransitionTime"] == "2026-01-01T00:01:00Z");
}
