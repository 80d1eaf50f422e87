// WaitForFirstConsumer node loss (node_check.h): a selected node that no
// longer exists is never pinned again; the population is rescheduled (event,
// selected-node annotation removed, prime PVC deleted, no attempt counted);
// a pod ended by Kubernetes reports its DisruptionTarget condition.
#include <catch2/catch.hpp>

#include "ossvp/controller/node_check.h"
#include "reconciler_world.h"

namespace ossvp::controller::testing {
namespace {

const kube::Resource kNodes{"", "v1", "nodes", "Node", false};
constexpr const char* kPns = "ack-volume-populator";

void seedNode(World& w, const std::string& name) { w.api.seed(kNodes, {{"metadata", {{"name", name}}}}); }

// PVC argo/data (uid u1) of class csi-wffc, its selected node `node`.
void seedWffcPvc(World& w, const std::string& node) {
  w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo"));
  auto p = makePvc("argo", "data", "u1", "generic-demo", "csi-wffc");
  p["metadata"]["annotations"] = {{std::string(kAnnSelectedNode), node}};
  w.api.seed(res::pvcs(), p);
}

// The passes that create the prime PVC (bound in between) and the pod; the pod runs on `node`.
void runPodOn(World& w, const std::string& node) {
  w.reconcile();
  w.bindPrime();
  w.reconcile();
  REQUIRE(w.pod());
  CHECK(kube::stringAt(*w.pod(), "/spec/nodeName") == node);
}

void selectNode(World& w, const std::string& node) {
  auto p = w.pvc();
  p["metadata"]["annotations"][std::string(kAnnSelectedNode)] = node;
  w.api.seed(res::pvcs(), p);
}

kube::Object disruptedPod(const std::string& reason, const std::string& message) {
  return {
      {"status",
       {{"phase", "Failed"},
        {"conditions",
         kube::Object::array(
             {{{"type", "Ready"}, {"status", "False"}},
              {{"type", "DisruptionTarget"}, {"status", "True"}, {"reason", reason}, {"message", message}}})},
        {"containerStatuses",
         kube::Object::array(
             {{{"name", "populate"},
               {"state",
                {{"terminated", {{"exitCode", 137}, {"reason", "Error"}, {"message", "copying f1 (40%)\n"}}}}}}})}}}};
}

}  // namespace

TEST_CASE("node check: GET node answers", "[controller][node]") {
  CHECK(nodePresence(Status::ok()) == NodePresence::Present);
  CHECK(nodePresence(kube::statusFromHttp(404, R"({"reason":"NotFound"})", "get node")) == NodePresence::Gone);
  CHECK(nodePresence(kube::statusFromHttp(403, R"({"reason":"Forbidden"})", "get node")) == NodePresence::Unknown);
  CHECK(nodePresence(kube::statusFromHttp(503, "", "get node")) == NodePresence::Unknown);
}

TEST_CASE("node check: the annotation patch removes only the node it names", "[controller][node]") {
  World w;
  seedWffcPvc(w, "node-1");
  auto patch = removeSelectedNodePatch("node-2");
  CHECK_FALSE(w.api.patch(res::pvcs(), "argo", "data", kube::PatchType::Json, patch, false).isOk());
  CHECK(kube::annotationOf(w.pvc(), std::string(kAnnSelectedNode)) == "node-1");
  patch = removeSelectedNodePatch("node-1");
  REQUIRE(w.api.patch(res::pvcs(), "argo", "data", kube::PatchType::Json, patch, false).isOk());
  CHECK(kube::annotationOf(w.pvc(), std::string(kAnnSelectedNode)).empty());
}

TEST_CASE("node check: a DisruptionTarget condition is the pod's failure", "[controller][node][pod]") {
  CHECK(disruptionCondition(kube::Object::object()).is_null());
  CHECK(disruptionCondition(
            {{"status", {{"conditions", kube::Object::array({{{"type", "DisruptionTarget"}, {"status", "False"}}})}}}})
            .is_null());
  PodTermination t = readPodTermination(disruptedPod("DeletionByPodGC", "PodGC: node no longer exists"));
  CHECK(t.disrupted);
  CHECK(t.retryable);
  CHECK(t.reason == "DeletionByPodGC");
  CHECK(t.message == "PodGC: node no longer exists");
  t = readPodTermination(disruptedPod("DeletionByTaintManager", "Taint manager: deleting the pod"));
  CHECK(t.message == "Taint manager: deleting the pod");
  // Without the condition the kubelet's account stands.
  kube::Object plain = disruptedPod("x", "y");
  plain["status"]["conditions"] = kube::Object::array();
  t = readPodTermination(plain);
  CHECK_FALSE(t.disrupted);
  CHECK(t.message == "copying f1 (40%)");
}

TEST_CASE("node check: no prime PVC on a selected node that is gone", "[controller][node]") {
  World w;
  seedNode(w, "node-2");
  seedWffcPvc(w, "node-1");
  w.reconcile();
  CHECK_FALSE(w.prime());
  CHECK(kube::annotationOf(w.pvc(), std::string(kAnnSelectedNode)).empty());
  auto evs = w.api.eventsWithReason(kReasonNodeGone);
  REQUIRE(evs.size() == 1);
  CHECK(evs[0].value("type", "") == "Warning");
  CHECK_THAT(evs[0].value("message", ""), Catch::Contains("Node node-1") && Catch::Contains("rescheduled"));

  // The scheduler selects node-2: population goes on there.
  selectNode(w, "node-2");
  w.reconcile();
  REQUIRE(w.prime());
  CHECK(kube::annotationOf(*w.prime(), std::string(kAnnSelectedNode)) == "node-2");
}

TEST_CASE("node check: the selected node lost mid-population reschedules without a failed attempt",
          "[controller][node]") {
  World w;
  seedNode(w, "node-1");
  seedNode(w, "node-2");
  seedWffcPvc(w, "node-1");
  runPodOn(w, "node-1");

  // node-1 is deleted; pod GC marks the pod Failed (DisruptionTarget) before removing it.
  REQUIRE(w.api.remove(kNodes, "", "node-1", {}).isOk());
  kube::Object failed = *w.pod();
  failed["status"] = disruptedPod("DeletionByPodGC", "PodGC: node no longer exists")["status"];
  w.api.seed(res::pods(), failed);
  w.reconcile();
  CHECK_FALSE(w.prime());
  CHECK_FALSE(w.pod());
  CHECK(kube::annotationOf(w.pvc(), std::string(kAnnSelectedNode)).empty());
  CHECK(w.api.eventsWithReason(kReasonNodeGone).size() == 1);
  CHECK(w.api.eventsWithReason(reason::kFailed).empty());
  CHECK(w.api.eventsWithReason(reason::kGaveUp).empty());
  auto entry = w.ossvpStatus().generic.at("u1");
  CHECK(entry.phase == kPvcPhasePending);
  CHECK(entry.attempts == 0);

  // A pass before the scheduler picks again only waits.
  w.reconcile();
  CHECK_FALSE(w.prime());

  selectNode(w, "node-2");
  runPodOn(w, "node-2");
  CHECK(kube::labelOf(*w.pod(), std::string(kLabelAttempt)) == "1");
}

TEST_CASE("node check: the pod vanished with its node before its failure was seen", "[controller][node]") {
  World w;
  seedNode(w, "node-1");
  seedWffcPvc(w, "node-1");
  runPodOn(w, "node-1");
  REQUIRE(w.api.remove(kNodes, "", "node-1", {}).isOk());
  REQUIRE(w.api.remove(res::pods(), kPns, populatorPodName("u1"), {}).isOk());
  w.api.clearActions();
  w.reconcile();
  for (const auto& a : w.api.actions()) CHECK(a.rfind("create pods", 0) != 0);
  CHECK_FALSE(w.prime());
  CHECK(w.api.eventsWithReason(kReasonNodeGone).size() == 1);
}

TEST_CASE("node check: a node that cannot be read does not block the population", "[controller][node]") {
  World w;
  seedWffcPvc(w, "node-1");
  NodeRescheduler nodes(w.api, *w.events, kPns);
  w.api.failNext("get", "nodes", kube::statusFromHttp(403, R"({"reason":"Forbidden"})", "get node"));
  auto r = nodes.rescheduleIfGone(w.pvc(), "node-1");
  REQUIRE(r.isOk());
  CHECK_FALSE(*r);
  CHECK(kube::annotationOf(w.pvc(), std::string(kAnnSelectedNode)) == "node-1");
  CHECK(w.api.eventsWithReason(kReasonNodeGone).empty());
  // Readable and gone: rescheduled; a failing annotation patch is an error to retry.
  w.api.failNext("patch", "persistentvolumeclaims", kube::statusFromHttp(503, "", "patch pvc"));
  CHECK_FALSE(nodes.rescheduleIfGone(w.pvc(), "node-1").isOk());
  r = nodes.rescheduleIfGone(w.pvc(), "node-1");
  REQUIRE(r.isOk());
  CHECK(*r);
  CHECK(kube::annotationOf(w.pvc(), std::string(kAnnSelectedNode)).empty());
}

TEST_CASE("node check: giving up after disruptions does not claim the pod is kept", "[controller][node][pod]") {
  ControllerOptions o = World::defaults();
  o.maxAttempts = 1;
  World w(o);
  w.startPopulation();  // Immediate class: no selected node, a disruption is an attempt
  kube::Object failed = *w.pod();
  failed["status"] = disruptedPod("DeletionByTaintManager", "Taint manager: deleting the pod")["status"];
  w.api.seed(res::pods(), failed);
  w.reconcile();
  auto evs = w.api.eventsWithReason(reason::kGaveUp);
  REQUIRE(evs.size() == 2);  // on the PVC and on the ossvp
  std::string msg = evs[0].value("message", "");
  CHECK_THAT(msg, Catch::Contains("Taint manager: deleting the pod"));
  CHECK_THAT(msg, !Catch::Contains("kept for diagnosis"));
  CHECK_THAT(msg, !Catch::Contains("without a container status"));
}

}  // namespace ossvp::controller::testing
