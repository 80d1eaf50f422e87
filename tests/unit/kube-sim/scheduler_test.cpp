// kube-sim's default-scheduler with WaitForFirstConsumer claims, run against an
// in-memory store: the node it assumed for a pending pod is dropped and chosen
// again when that node is deleted or when the claim's selected-node annotation
// is reset (as the volume populator does to reschedule), instead of being put
// back on the claim forever.
#include <catch2/catch.hpp>

#include <chrono>

#include "actors/object_util.h"
#include "actors/scheduler.h"
#include "actors/storage_names.h"
#include "eventually.h"
#include "store/object_store.h"

using namespace ossvp::kubesim;
using namespace std::chrono_literals;
using ossvp::kubesim::testing::eventually;

namespace {

ClusterContext contextOn(ObjectStore& s) {
  ClusterContext c;
  c.store = &s;
  return c;
}

// Nodes n1 and n2, a WaitForFirstConsumer class, claim "data" and pending pod
// "p" using it; the scheduler running.
struct WffcCluster {
  WffcCluster() {
    REQUIRE(s.create(gvr::kNamespaces, "", {{"metadata", {{"name", "t"}}}}).isOk());
    for (const char* n : {"n1", "n2"}) {  // no spec, as a hand-written manifest may leave it
      REQUIRE(s.create(gvr::kNodes, "", {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", n}}}}).isOk());
    }
    REQUIRE(s.create(gvr::kStorageClasses, "",
                     {{"apiVersion", "storage.k8s.io/v1"},
                      {"kind", "StorageClass"},
                      {"metadata", {{"name", "wffc"}}},
                      {"provisioner", "example.com/none"},
                      {"volumeBindingMode", "WaitForFirstConsumer"}})
                .isOk());
    REQUIRE(s.create(gvr::kPersistentVolumeClaims, "t",
                     {{"apiVersion", "v1"},
                      {"kind", "PersistentVolumeClaim"},
                      {"metadata", {{"name", "data"}}},
                      {"spec",
                       {{"storageClassName", "wffc"},
                        {"accessModes", json::array({"ReadWriteOnce"})},
                        {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}})
                .isOk());
    REQUIRE(
        s.create(gvr::kPods, "t",
                 {{"apiVersion", "v1"},
                  {"kind", "Pod"},
                  {"metadata", {{"name", "p"}}},
                  {"spec",
                   {{"containers", json::array({{{"name", "c"}, {"image", "busybox"}}})},
                    {"volumes", json::array({{{"name", "v"}, {"persistentVolumeClaim", {{"claimName", "data"}}}}})}}}})
            .isOk());
    sched.start();
  }
  ~WffcCluster() { sched.stop(); }

  std::string selectedNode() {
    auto c = s.get(gvr::kPersistentVolumeClaims, "t", "data");
    return c ? annotation(*c, names::kSelectedNode) : "?";
  }

  ObjectStore s;
  ClusterContext ctx = contextOn(s);  // the store is set before the scheduler (next member) reads it
  Scheduler sched{ctx};
};

}  // namespace

TEST_CASE("the scheduler chooses again when the assumed node is deleted", "[kube-sim][scheduler]") {
  WffcCluster c;
  REQUIRE(eventually([&] { return c.selectedNode() == "n1"; }));  // fewest pods, then name
  REQUIRE(c.s.remove(gvr::kNodes, "", "n1", {}).isOk());
  c.sched.wake();
  CHECK(eventually([&] { return c.selectedNode() == "n2"; }));
  CHECK(c.s.get(gvr::kPods, "t", "p")->at("spec").value("nodeName", "") == "");  // still waits for the claim
}

TEST_CASE("the scheduler chooses again when the claim's selected-node is reset", "[kube-sim][scheduler]") {
  WffcCluster c;
  REQUIRE(eventually([&] { return c.selectedNode() == "n1"; }));
  // n1 died (cordoned here); the populator resets the annotation to reschedule.
  json n1 = *c.s.get(gvr::kNodes, "", "n1");
  n1["spec"]["unschedulable"] = true;
  REQUIRE(c.s.update(gvr::kNodes, "", n1).isOk());
  json pvc = *c.s.get(gvr::kPersistentVolumeClaims, "t", "data");
  pvc["metadata"]["annotations"].erase(names::kSelectedNode);
  REQUIRE(c.s.update(gvr::kPersistentVolumeClaims, "t", pvc).isOk());
  c.sched.wake();
  CHECK(eventually([&] { return c.selectedNode() == "n2"; }));
}
