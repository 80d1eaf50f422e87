// Node lifecycle in kube-sim: taint/toleration matching, the NoExecute taint
// manager's decision, and the node lifecycle controller + pod GC actors run
// against an in-memory store (a node powered off turns Unknown, is tainted and
// its untolerating pods are evicted; a deleted node's pods are failed and
// force-deleted; a node created by hand is registered Ready).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>

#include "actors/label_match.h"
#include "actors/node_health.h"
#include "actors/node_lifecycle_controller.h"
#include "actors/pod_gc.h"
#include "eventually.h"
#include "ossvp/common/rfc3339.h"
#include "store/object_store.h"

using namespace ossvp::kubesim;
using namespace std::chrono_literals;
using ossvp::kubesim::testing::eventually;

namespace {

json taint(const std::string& key, const std::string& effect, const std::string& value = "",
           const std::string& timeAdded = "") {
  json t = {{"key", key}, {"effect", effect}};
  if (!value.empty()) t["value"] = value;
  if (!timeAdded.empty()) t["timeAdded"] = timeAdded;
  return t;
}

json node(const std::string& name) { return {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}}; }

json pod(const std::string& name, const std::string& nodeName, json tolerations = json::array()) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", name}}},
      {"spec", {{"nodeName", nodeName}, {"tolerations", tolerations}, {"containers", json::array({{{"name", "c"}}})}}}};
}

std::string condStatus(const json& obj, const std::string& type) {
  for (const auto& c : arrayAt(obj, "status", "conditions")) {
    if (c.value("type", "") == type) return c.value("status", "");
  }
  return "";
}

// A store with namespace "t" and a context for actors, with one timing knob
// (environment variable) set for the actor built in the test, unset after.
struct Cluster {
  Cluster(const char* env, const char* seconds) : env_(env) {
    ::setenv(env, seconds, 1);
    REQUIRE(s.create(gvr::kNamespaces, "", {{"metadata", {{"name", "t"}}}}).isOk());
    ctx.store = &s;
  }
  ~Cluster() { ::unsetenv(env_); }
  ObjectStore s;
  ClusterContext ctx;
  const char* env_;
};

// A running pod, as the kubelet would have left it.
void markRunning(ObjectStore& s, const std::string& name) {
  auto p = s.get(gvr::kPods, "t", name);
  REQUIRE(p.isOk());
  json r = *p;
  r["status"] = {{"phase", "Running"}, {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})}};
  REQUIRE(s.updateStatus(gvr::kPods, "t", r).isOk());
}

}  // namespace

TEST_CASE("tolerations match taints as v1.Toleration.ToleratesTaint does", "[kube-sim][node]") {
  json t = taint("k", "NoExecute", "v");
  CHECK(toleratesTaint({{"key", "k"}, {"operator", "Equal"}, {"value", "v"}}, t));
  CHECK(toleratesTaint({{"key", "k"}, {"value", "v"}}, t));  // Equal is the default
  CHECK(!toleratesTaint({{"key", "k"}, {"value", "w"}}, t));
  CHECK(toleratesTaint({{"key", "k"}, {"operator", "Exists"}}, t));
  CHECK(toleratesTaint({{"operator", "Exists"}}, t));  // empty key + Exists: everything
  CHECK(!toleratesTaint({{"key", "k"}, {"operator", "Exists"}, {"effect", "NoSchedule"}}, t));
  CHECK(toleratesTaint({{"key", "k"}, {"operator", "Exists"}, {"effect", "NoExecute"}}, t));
  CHECK(!toleratesTaint({{"key", "other"}, {"operator", "Exists"}}, t));
  CHECK(!toleratesTaint({{"key", "k"}, {"operator", "Bogus"}}, t));
  // The scheduler's view uses the same matching.
  json taints = json::array({taint("a", "NoSchedule"), taint("b", "NoExecute", "x")});
  CHECK(untoleratedTaint(taints, json::array({{{"key", "a"}, {"operator", "Exists"}}}))["key"] == "b");
  CHECK(untoleratedTaint(taints, json::array({{{"operator", "Exists"}}})).is_null());
}

TEST_CASE("the taint manager evicts now, later, or never", "[kube-sim][node]") {
  const int64_t now = 1'000'000;
  using K = NoExecuteDecision::Kind;
  CHECK(noExecuteDecision(json::array(), json::array(), now).kind == K::kKeep);
  CHECK(noExecuteDecision(json::array({taint("a", "NoSchedule")}), json::array(), now).kind == K::kKeep);
  json unreachable = json::array({taint(names::kTaintUnreachable, "NoExecute", "", ossvp::formatRfc3339(now - 10))});
  CHECK(noExecuteDecision(unreachable, json::array(), now).kind == K::kEvictNow);
  json forever = json::array({{{"key", names::kTaintUnreachable}, {"operator", "Exists"}, {"effect", "NoExecute"}}});
  CHECK(noExecuteDecision(unreachable, forever, now).kind == K::kToleratedForever);
  json tol = json::array({{{"key", names::kTaintUnreachable}, {"operator", "Exists"}, {"tolerationSeconds", 300}},
                          {{"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", 30}},
                          {{"key", "unrelated"}, {"operator", "Exists"}, {"tolerationSeconds", 1}}});
  auto d = noExecuteDecision(unreachable, tol, now);
  CHECK(d.kind == K::kEvictAt);
  CHECK(d.evictAtUnix == now - 10 + 30);  // smallest used tolerationSeconds, from timeAdded
  // Two NoExecute taints: one not tolerated evicts at once; timeAdded missing counts from now.
  json two = json::array({taint(names::kTaintUnreachable, "NoExecute"), taint("dedicated", "NoExecute", "gpu")});
  CHECK(noExecuteDecision(two, json::array({tol[0]}), now).kind == K::kEvictNow);
  auto d2 = noExecuteDecision(json::array({taint(names::kTaintUnreachable, "NoExecute")}), json::array({tol[0]}), now);
  CHECK(d2.kind == K::kEvictAt);
  CHECK(d2.evictAtUnix == now + 300);
}

TEST_CASE("conditions are replaced by type, keeping the transition time when unchanged", "[kube-sim][node]") {
  json conds = json::array({{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", "T0"}},
                            {{"type", "PodScheduled"}, {"status", "True"}}});
  json same = withCondition(conds, {{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", "T1"}});
  REQUIRE(same.size() == 2);
  CHECK(same[0]["lastTransitionTime"] == "T0");
  json changed = withCondition(conds, {{"type", "Ready"}, {"status", "False"}, {"lastTransitionTime", "T1"}});
  CHECK(changed[0]["status"] == "False");
  CHECK(changed[0]["lastTransitionTime"] == "T1");
  json added = withCondition(conds, disruptionTargetCondition("DeletionByPodGC", "PodGC: node no longer exists"));
  REQUIRE(added.size() == 3);
  CHECK(added[2]["reason"] == "DeletionByPodGC");
  CHECK(nodePoweredOff({{"metadata", {{"annotations", {{names::kPowerAnnotation, "off"}}}}}}));
  CHECK(!nodePoweredOff({{"metadata", {{"annotations", {{names::kPowerAnnotation, "on"}}}}}}));
  CHECK(!nodePoweredOff(node("n")));
}

TEST_CASE("a powered-off node turns Unknown, is tainted, and its pods are evicted per tolerations",
          "[kube-sim][node]") {
  Cluster c("KUBESIM_NODE_MONITOR_GRACE_PERIOD", "0");
  ObjectStore& s = c.s;
  NodeLifecycleController nlc(c.ctx);
  REQUIRE(s.create(gvr::kNodes, "", node("n1")).isOk());
  nlc.start();
  // A node created by hand is registered: kubelet labels, status, Ready.
  REQUIRE(eventually([&] {
    auto n = s.get(gvr::kNodes, "", "n1");
    return n && nodeReadyStatus(*n) == "True";
  }));
  auto n1 = s.get(gvr::kNodes, "", "n1");
  CHECK((*n1)["metadata"]["labels"]["kubernetes.io/hostname"] == "n1");
  CHECK((*n1)["status"]["capacity"]["pods"] == "110");

  json forever = json::array({{{"key", names::kTaintUnreachable}, {"operator", "Exists"}, {"effect", "NoExecute"}}});
  json brief = json::array(
      {{{"key", names::kTaintUnreachable}, {"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", 1}}});
  REQUIRE(s.create(gvr::kPods, "t", pod("untolerating", "n1")).isOk());
  REQUIRE(s.create(gvr::kPods, "t", pod("forever", "n1", forever)).isOk());
  REQUIRE(s.create(gvr::kPods, "t", pod("brief", "n1", brief)).isOk());
  for (const char* p : {"untolerating", "forever", "brief"}) markRunning(s, p);

  json off = *s.get(gvr::kNodes, "", "n1");
  off["metadata"]["annotations"][names::kPowerAnnotation] = "off";
  REQUIRE(s.update(gvr::kNodes, "", off).isOk());
  nlc.wake();
  REQUIRE(eventually([&] {
    auto n = s.get(gvr::kNodes, "", "n1");
    return n && nodeReadyStatus(*n) == "Unknown";
  }));
  n1 = s.get(gvr::kNodes, "", "n1");
  CHECK(nodeHasTaint(*n1, names::kTaintUnreachable, "NoExecute"));
  CHECK(nodeHasTaint(*n1, names::kTaintUnreachable, "NoSchedule"));
  CHECK((*n1)["status"]["conditions"][0]["reason"] == "NodeStatusUnknown");

  auto deleting = [&](const std::string& name) {
    auto p = s.get(gvr::kPods, "t", name);
    return p && (*p)["metadata"].contains("deletionTimestamp");
  };
  REQUIRE(eventually([&] { return deleting("untolerating"); }));
  auto evicted = s.get(gvr::kPods, "t", "untolerating");
  CHECK(condStatus(*evicted, "DisruptionTarget") == "True");
  CHECK(condStatus(*evicted, "Ready") == "False");
  CHECK(!deleting("brief"));  // tolerated for 1 s
  REQUIRE(eventually([&] { return deleting("brief"); }, 4000ms));
  CHECK(!deleting("forever"));
  CHECK(condStatus(*s.get(gvr::kPods, "t", "forever"), "Ready") == "False");

  // Back on: Ready again, taints gone, nothing evicted any more.
  json on = *s.get(gvr::kNodes, "", "n1");
  on["metadata"]["annotations"].erase(names::kPowerAnnotation);
  REQUIRE(s.update(gvr::kNodes, "", on).isOk());
  nlc.wake();
  REQUIRE(eventually([&] {
    auto n = s.get(gvr::kNodes, "", "n1");
    return n && nodeReadyStatus(*n) == "True";
  }));
  CHECK(!nodeHasTaint(*s.get(gvr::kNodes, "", "n1"), names::kTaintUnreachable, "NoExecute"));
  std::this_thread::sleep_for(300ms);
  CHECK(!deleting("forever"));
  nlc.stop();
}

TEST_CASE("pod GC fails and force-deletes the pods of a deleted node after the quarantine", "[kube-sim][node]") {
  Cluster c("KUBESIM_POD_GC_QUARANTINE", "1");
  ObjectStore& s = c.s;
  PodGarbageCollector gc(c.ctx);
  REQUIRE(s.create(gvr::kNodes, "", node("n1")).isOk());
  REQUIRE(s.create(gvr::kNodes, "", node("n2")).isOk());
  REQUIRE(s.create(gvr::kPods, "t", pod("on-n1", "n1")).isOk());
  REQUIRE(s.create(gvr::kPods, "t", pod("on-n2", "n2")).isOk());
  markRunning(s, "on-n1");
  markRunning(s, "on-n2");
  // Watch the pod on n1 to see the Failed write before the delete.
  WatchOptions wo;
  wo.resourceVersion = s.currentResourceVersion();
  wo.fieldSelector = "metadata.name=on-n1";
  auto w = s.watch(gvr::kPods, "t", wo);
  REQUIRE(w.isOk());
  gc.start();
  REQUIRE(s.remove(gvr::kNodes, "", "n1", {}).isOk());
  gc.wake();
  std::this_thread::sleep_for(500ms);
  CHECK(s.get(gvr::kPods, "t", "on-n1").isOk());  // still quarantined
  REQUIRE(eventually([&] { return !s.get(gvr::kPods, "t", "on-n1").isOk(); }, 4000ms));
  CHECK(s.get(gvr::kPods, "t", "on-n2").isOk());
  bool sawFailed = false, sawDeleted = false;
  while (auto ev = (*w)->next(200ms)) {
    if (ev->type == "MODIFIED" && ev->object["status"].value("phase", "") == "Failed") {
      sawFailed = condStatus(ev->object, "DisruptionTarget") == "True";
      for (const auto& c : ev->object["status"]["conditions"]) {
        if (c["type"] == "DisruptionTarget") CHECK(c["message"] == "PodGC: node no longer exists");
      }
    }
    sawDeleted = sawDeleted || ev->type == "DELETED";
  }
  CHECK(sawFailed);
  CHECK(sawDeleted);
  gc.stop();
}
