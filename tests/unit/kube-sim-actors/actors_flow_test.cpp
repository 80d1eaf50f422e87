// End-to-end flows of the cluster actors on an in-process ObjectStore (the
// HTTP layer is covered by tests/integration/kube-sim-actors with kubectl).
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "../kube-sim/eventually.h"
#include "actors/object_util.h"
#include "test_cluster.h"

using namespace ossvp::kubesim;
using ossvp::kubesim::testing::Cluster;
using ossvp::kubesim::testing::phaseIs;
namespace fs = std::filesystem;

namespace {

json pvc(const std::string& name, const std::string& cls, const std::string& size = "1Gi") {
  json c = {{"apiVersion", "v1"},
            {"kind", "PersistentVolumeClaim"},
            {"metadata", {{"name", name}, {"namespace", "t"}}},
            {"spec", {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", size}}}}}}}};
  if (!cls.empty()) c["spec"]["storageClassName"] = cls;
  return c;
}

json shPod(const std::string& name, const std::string& script, const json& volumes, const json& mounts) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "t"}}},
          {"spec",
           {{"restartPolicy", "Never"},
            {"volumes", volumes},
            {"containers",
             json::array({{{"name", "main"},
                           {"image", "busybox:1.36"},
                           {"command", {"sh", "-c", script}},
                           {"env", json::array({{{"name", "POD_NAME"},
                                                 {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}}})},
                           {"volumeMounts", mounts}}})}}}};
}

}  // namespace

TEST_CASE("a claim of the default class is provisioned and bound, Delete reclaims it", "[kube-sim-actors]") {
  Cluster c;
  json claim = c.create(gvr::kPersistentVolumeClaims, pvc("d", ""));
  json bound = c.waitFor(gvr::kPersistentVolumeClaims, "t", "d", phaseIs("Bound"));
  std::string pvName = "pvc-" + uidOf(claim);
  CHECK(str(bound, {"spec", "volumeName"}) == pvName);
  CHECK(str(bound, {"spec", "storageClassName"}) == "kube-sim-local");
  CHECK(annotation(bound, "pv.kubernetes.io/bind-completed") == "yes");
  CHECK(annotation(bound, "volume.kubernetes.io/storage-provisioner") == "kube-sim.local/hostpath");
  CHECK(str(bound, {"status", "capacity", "storage"}) == "1Gi");
  json pv = c.waitFor(gvr::kPersistentVolumes, "", pvName, phaseIs("Bound"));
  CHECK(annotation(pv, "pv.kubernetes.io/provisioned-by") == "kube-sim.local/hostpath");
  CHECK(str(pv, {"spec", "claimRef", "uid"}) == uidOf(claim));
  std::string dir = str(pv, {"spec", "csi", "volumeAttributes", "kubesim.io/host-path"});
  CHECK(fs::is_directory(dir));
  CHECK(c.hasEvent(uidOf(claim), "ExternalProvisioning"));
  CHECK(c.hasEvent(uidOf(claim), "Provisioning", "External provisioner is provisioning volume for claim \"t/d\""));
  CHECK(c.hasEvent(uidOf(claim), "ProvisioningSucceeded", pvName));

  REQUIRE(c.store.remove(gvr::kPersistentVolumeClaims, "t", "d"));
  c.waitFor(gvr::kPersistentVolumes, "", pvName, [](const json& o) { return o.is_null(); });
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("a pre-bound PV binds its claim, a rebind turns the old claim Lost", "[kube-sim-actors]") {
  Cluster c;
  c.create(gvr::kStorageClasses, {{"apiVersion", "storage.k8s.io/v1"},
                                  {"kind", "StorageClass"},
                                  {"metadata", {{"name", "manual"}}},
                                  {"provisioner", "kubernetes.io/no-provisioner"},
                                  {"volumeBindingMode", "Immediate"}});
  json p = c.create(gvr::kPersistentVolumeClaims, pvc("p", "manual"));
  c.create(gvr::kPersistentVolumes, {{"apiVersion", "v1"},
                                     {"kind", "PersistentVolume"},
                                     {"metadata", {{"name", "pv-a"}}},
                                     {"spec",
                                      {{"capacity", {{"storage", "2Gi"}}},
                                       {"accessModes", {"ReadWriteOnce"}},
                                       {"storageClassName", "manual"},
                                       {"persistentVolumeReclaimPolicy", "Retain"},
                                       {"hostPath", {{"path", c.dir + "/pv-a"}}},
                                       {"claimRef", {{"namespace", "t"}, {"name", "p"}, {"uid", uidOf(p)}}}}}});
  json bound = c.waitFor(gvr::kPersistentVolumeClaims, "t", "p", phaseIs("Bound"));
  CHECK(str(bound, {"spec", "volumeName"}) == "pv-a");
  CHECK(annotation(bound, "pv.kubernetes.io/bound-by-controller") == "yes");
  CHECK(annotation(bound, "pv.kubernetes.io/bind-completed") == "yes");
  CHECK(str(bound, {"status", "capacity", "storage"}) == "2Gi");
  json pv = c.waitFor(gvr::kPersistentVolumes, "", "pv-a", phaseIs("Bound"));
  CHECK_FALSE(hasAnnotation(pv, "pv.kubernetes.io/bound-by-controller"));

  // The populator's rebind: claimRef now names another (pending) claim.
  json target = c.create(gvr::kPersistentVolumeClaims, pvc("target", "manual", "1Gi"));
  c.waitFor(gvr::kPersistentVolumeClaims, "t", "target", phaseIs("Pending"));
  json patch = {{"spec", {{"claimRef", {{"namespace", "t"}, {"name", "target"}, {"uid", uidOf(target)}}}}}};
  REQUIRE(c.store.patch(gvr::kPersistentVolumes, "", "pv-a", PatchType::StrategicMergePatch, patch));
  json t = c.waitFor(gvr::kPersistentVolumeClaims, "t", "target", phaseIs("Bound"));
  CHECK(str(t, {"spec", "volumeName"}) == "pv-a");
  c.waitFor(gvr::kPersistentVolumeClaims, "t", "p", phaseIs("Lost"));
  CHECK(c.hasEvent(uidOf(p), "ClaimMisbound", "Two claims are bound to the same volume"));
  json pv2 = c.get(gvr::kPersistentVolumes, "", "pv-a");
  CHECK_FALSE(hasAnnotation(pv2, "pv.kubernetes.io/bound-by-controller"));
}

TEST_CASE("a claim with a populator dataSourceRef is left to the populator", "[kube-sim-actors]") {
  Cluster c;
  json q = pvc("q", "kube-sim-local");
  q["spec"]["dataSourceRef"] = {
      {"apiGroup", "storage.alibabacloud.com"}, {"kind", "OSSVolumePopulator"}, {"name", "x"}};
  q = c.create(gvr::kPersistentVolumeClaims, q);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!c.hasEvent(uidOf(q), "Provisioning", "Assuming an external populator will provision the volume") &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(c.hasEvent(uidOf(q), "Provisioning", "Assuming an external populator"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(str(c.get(gvr::kPersistentVolumeClaims, "t", "q"), {"status", "phase"}) == "Pending");
  CHECK(c.get(gvr::kPersistentVolumes, "", "pvc-" + uidOf(q)).is_null());
}

TEST_CASE("WaitForFirstConsumer: a pod writes into its claim and succeeds", "[kube-sim-actors]") {
  Cluster c;
  json w = c.create(gvr::kPersistentVolumeClaims, pvc("w", "kube-sim-local-wffc"));
  // The binder marks the claim Pending and records why, on its own thread
  // (a fixed 500 ms sleep was too short under ASan).
  c.waitFor(gvr::kPersistentVolumeClaims, "t", "w", phaseIs("Pending"));
  CHECK(ossvp::kubesim::testing::eventually([&] { return c.hasEvent(uidOf(w), "WaitForFirstConsumer"); }));
  CHECK(c.get(gvr::kPersistentVolumes, "", "pvc-" + uidOf(w)).is_null());  // nothing provisioned before a consumer
  c.create(gvr::kPods,
           shPod("writer", "echo hello > /data/out.txt && echo \"pod=$POD_NAME\" && printf done > /dev/termination-log",
                 json::array({{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "w"}}}}}),
                 json::array({{{"name", "data"}, {"mountPath", "/data"}}})));
  json pod = c.waitFor(gvr::kPods, "t", "writer", phaseIs("Succeeded"), 20);
  std::string node = str(pod, {"spec", "nodeName"});
  CHECK(node == "node-1");
  json claim = c.get(gvr::kPersistentVolumeClaims, "t", "w");
  CHECK(annotation(claim, "volume.kubernetes.io/selected-node") == node);
  CHECK(str(claim, {"status", "phase"}) == "Bound");
  json st = pod["status"]["containerStatuses"][0]["state"]["terminated"];
  CHECK(st.value("exitCode", -1) == 0);
  CHECK(st.value("reason", "") == "Completed");
  CHECK(st.value("message", "") == "done");
  json pv = c.get(gvr::kPersistentVolumes, "", str(claim, {"spec", "volumeName"}));
  std::string dir = str(pv, {"spec", "csi", "volumeAttributes", "kubesim.io/host-path"});
  std::ifstream in(dir + "/out.txt");
  std::string line;
  std::getline(in, line);
  CHECK(line == "hello");
  std::ifstream log(podLogPath(c.ctx.stateDir, "t", "writer", uidOf(pod), "main"));
  std::stringstream ss;
  ss << log.rdbuf();
  CHECK(ss.str() == "pod=writer\n");
  CHECK(c.hasEvent(uidOf(pod), "Scheduled", "Successfully assigned t/writer to node-1"));
  CHECK(c.hasEvent(uidOf(pod), "Started"));
}

TEST_CASE("a failing container reports its exit code and termination message", "[kube-sim-actors]") {
  Cluster c;
  c.create(gvr::kPods, shPod("x", "echo boom > /dev/termination-log; exit 1", json::array(), json::array()));
  json pod = c.waitFor(gvr::kPods, "t", "x", phaseIs("Failed"), 20);
  json st = pod["status"]["containerStatuses"][0]["state"]["terminated"];
  CHECK(st.value("exitCode", -1) == 1);
  CHECK(st.value("reason", "") == "Error");
  CHECK(st.value("message", "") == "boom\n");
}

TEST_CASE("an unbound Immediate claim keeps the pod Pending", "[kube-sim-actors]") {
  Cluster c;
  c.create(gvr::kStorageClasses, {{"apiVersion", "storage.k8s.io/v1"},
                                  {"kind", "StorageClass"},
                                  {"metadata", {{"name", "nowhere"}}},
                                  {"provisioner", "example.com/absent"}});
  c.create(gvr::kPersistentVolumeClaims, pvc("u", "nowhere"));
  json pod = c.create(gvr::kPods, shPod("waits", "true",
                                        json::array({{{"name", "d"}, {"persistentVolumeClaim", {{"claimName", "u"}}}}}),
                                        json::array({{{"name", "d"}, {"mountPath", "/data"}}})));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!c.hasEvent(uidOf(pod), "FailedScheduling", "unbound immediate PersistentVolumeClaims") &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(c.hasEvent(uidOf(pod), "FailedScheduling", "1 pod has unbound immediate PersistentVolumeClaims"));
  CHECK(str(c.get(gvr::kPods, "t", "waits"), {"spec", "nodeName"}).empty());
}

TEST_CASE("StatefulSet and ephemeral volumes reach Running, deletion kills the process", "[kube-sim-actors]") {
  Cluster c;
  json tmplSpec = {
      {"containers", json::array({{{"name", "app"},
                                   {"image", "busybox"},
                                   {"command", {"sh", "-c", "echo up > /data/up; exec sleep 300"}},
                                   {"volumeMounts", json::array({{{"name", "data"}, {"mountPath", "/data"}}})}}})}};
  c.create(gvr::kStatefulSets,
           {{"apiVersion", "apps/v1"},
            {"kind", "StatefulSet"},
            {"metadata", {{"name", "web"}, {"namespace", "t"}}},
            {"spec",
             {{"replicas", 2},
              {"serviceName", "web"},
              {"selector", {{"matchLabels", {{"app", "web"}}}}},
              {"template", {{"metadata", {{"labels", {{"app", "web"}}}}}, {"spec", tmplSpec}}},
              {"volumeClaimTemplates", json::array({{{"metadata", {{"name", "data"}}},
                                                     {"spec",
                                                      {{"accessModes", {"ReadWriteOnce"}},
                                                       {"resources", {{"requests", {{"storage", "1Mi"}}}}}}}}})}}}});
  c.waitFor(gvr::kPods, "t", "web-0", phaseIs("Running"), 20);
  c.waitFor(gvr::kPods, "t", "web-1", phaseIs("Running"), 20);
  CHECK(str(c.get(gvr::kPersistentVolumeClaims, "t", "data-web-1"), {"status", "phase"}) == "Bound");
  c.waitFor(gvr::kStatefulSets, "t", "web", [](const json& o) { return o["status"].value("readyReplicas", 0) == 2; });

  json e = shPod(
      "e", "echo scratch > /scratch/f; exec sleep 300",
      json::array(
          {{{"name", "scratch"},
            {"ephemeral",
             {{"volumeClaimTemplate",
               {{"spec",
                 {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Mi"}}}}}}}}}}}}}),
      json::array({{{"name", "scratch"}, {"mountPath", "/scratch"}}}));
  json pod = c.create(gvr::kPods, e);
  c.waitFor(gvr::kPods, "t", "e", phaseIs("Running"), 20);
  json claim = c.get(gvr::kPersistentVolumeClaims, "t", "e-scratch");
  REQUIRE(claim.is_object());
  CHECK(isControlledBy(claim, uidOf(pod)));
  CHECK(claim["metadata"]["ownerReferences"][0].value("blockOwnerDeletion", false));

  DeleteOptions o;
  o.gracePeriodSeconds = 5;
  REQUIRE(c.store.remove(gvr::kPods, "t", "e", o));
  c.waitFor(
      gvr::kPods, "t", "e", [](const json& x) { return x.is_null(); }, 15);
  c.waitFor(
      gvr::kPersistentVolumeClaims, "t", "e-scratch", [](const json& x) { return x.is_null() || isDeleting(x); }, 15);
}

TEST_CASE("a node's kubelet reports exits while it is still starting other pods' containers", "[kube-sim-actors]") {
  // 100 pods wait for a node that does not exist yet; when it joins, its
  // kubelet has all of them to start in one pass. Each container exits at
  // once: its terminated status must be written between the starts, not
  // after the last one (store order: resourceVersions).
  Cluster c;
  constexpr int kPods = 100;
  WatchOptions from;
  from.resourceVersion = c.store.currentResourceVersion();
  auto watch = c.store.watch(gvr::kPods, "t", from);
  REQUIRE(watch.isOk());
  for (int i = 0; i < kPods; i++) {
    char name[16];
    std::snprintf(name, sizeof(name), "p-%03d", i);
    c.create(gvr::kPods,
             {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", "t"}}},
              {"spec",
               {{"nodeName", "node-late"},
                {"restartPolicy", "Never"},
                {"automountServiceAccountToken", false},
                {"containers",
                 json::array({{{"name", "main"}, {"image", "busybox"}, {"command", {"sh", "-c", "exit 0"}}}})}}}});
  }
  c.create(gvr::kNodes, {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "node-late"}}}});
  for (int i = 0; i < kPods; i++) {
    char name[16];
    std::snprintf(name, sizeof(name), "p-%03d", i);
    c.waitFor(gvr::kPods, "t", name, phaseIs("Succeeded"), 60);
  }
  std::map<std::string, uint64_t> terminatedAt;  // pod -> RV of its first terminated status
  while (auto ev = (*watch)->next(std::chrono::milliseconds(0))) {
    const json cs = ev->object.value("status", json::object()).value("containerStatuses", json::array());
    std::string name = nameOf(ev->object);
    if (!cs.empty() && cs[0]["state"].contains("terminated") && !terminatedAt.count(name)) {
      terminatedAt[name] = ev->resourceVersion;
    }
  }
  REQUIRE(terminatedAt.size() == kPods);
  uint64_t lastStart = 0;
  auto events = c.store.list(gvr::kEvents, "t");
  REQUIRE(events.isOk());
  for (const auto& e : events->items) {
    if (e.value("reason", "") == "Started")
      lastStart = std::max<uint64_t>(lastStart, std::stoull(str(e, {"metadata", "resourceVersion"})));
  }
  int reportedWhileStarting = 0;
  for (const auto& [name, rv] : terminatedAt) reportedWhileStarting += rv < lastStart ? 1 : 0;
  INFO("pods whose exit was reported before the last container start: " << reportedWhileStarting);
  CHECK(reportedWhileStarting >= 1);
}
