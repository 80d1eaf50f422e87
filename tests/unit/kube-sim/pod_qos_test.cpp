// A pod's status.qosClass (server/pod_qos.h) as ComputePodQOS computes it,
// and the pod defaulting that feeds it: on create, the API server copies a
// container's limits into the requests it leaves out (SetDefaults_Pod), then
// sets the class.
#include <catch2/catch.hpp>

#include "server/builtin_admission.h"
#include "server/pod_qos.h"

using namespace ossvp::kubesim;

namespace {

json container(const std::string& name, const json& requests, const json& limits) {
  json c = {{"name", name}, {"image", "x"}};
  if (!requests.is_null()) c["resources"]["requests"] = requests;
  if (!limits.is_null()) c["resources"]["limits"] = limits;
  return c;
}

json pod(const std::string& name, const json& containers, const json& initContainers = json::array()) {
  json p = {
      {"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}}}, {"spec", {{"containers", containers}}}};
  if (!initContainers.empty()) p["spec"]["initContainers"] = initContainers;
  return p;
}

struct QosCase {
  const char* name;
  json containers;
  json initContainers;
  const char* qos;
};

const json kNone;  // no requests or no limits
const json kCpuMem = {{"cpu", "1"}, {"memory", "1Gi"}};

struct Store {
  ObjectStore store;
  Store() {
    installBuiltinAdmission(store);
    REQUIRE(store.create(gvr::kNamespaces, "", {{"metadata", {{"name", "t"}}}}).isOk());
  }
  json create(const json& p) {
    auto r = store.create(gvr::kPods, "t", p);
    REQUIRE(r.isOk());
    return *r;
  }
};

}  // namespace

TEST_CASE("computePodQos classifies pods as ComputePodQOS does", "[kube-sim][qos]") {
  const std::vector<QosCase> cases = {
      {"no resources", json::array({container("a", kNone, kNone)}), json::array(), "BestEffort"},
      {"zero quantities only",
       json::array({container("a", {{"cpu", "0"}, {"memory", "0Mi"}}, {{"cpu", "0m"}, {"memory", "0"}})}),
       json::array(), "BestEffort"},
      {"only resources other than cpu and memory",
       json::array({container("a", {{"ephemeral-storage", "1Gi"}}, {{"ephemeral-storage", "1Gi"}})}), json::array(),
       "BestEffort"},
      {"requests only", json::array({container("a", {{"cpu", "100m"}}, kNone)}), json::array(), "Burstable"},
      {"a cpu limit only", json::array({container("a", {{"cpu", "1"}}, {{"cpu", "1"}})}), json::array(), "Burstable"},
      {"requests below limits", json::array({container("a", {{"cpu", "100m"}, {"memory", "1Gi"}}, kCpuMem)}),
       json::array(), "Burstable"},
      {"cpu requests of 100m and a limit of 200m",
       json::array({container("a", {{"cpu", "100m"}, {"memory", "1Gi"}}, {{"cpu", "200m"}, {"memory", "1Gi"}})}),
       json::array(), "Burstable"},
      {"a memory limit without its request", json::array({container("a", {{"cpu", "1"}}, kCpuMem)}), json::array(),
       "Burstable"},
      {"one of two containers without limits",
       json::array({container("a", kCpuMem, kCpuMem), container("b", kNone, kNone)}), json::array(), "Burstable"},
      {"requests equal to limits", json::array({container("a", kCpuMem, kCpuMem)}), json::array(), "Guaranteed"},
      {"1 cpu is 1000m, 1Gi is 1073741824 bytes",
       json::array({container("a", {{"cpu", "1000m"}, {"memory", "1073741824"}}, kCpuMem)}), json::array(),
       "Guaranteed"},
      {"100m cpu is 0.1",
       json::array({container("a", {{"cpu", "0.1"}, {"memory", "1e3"}}, {{"cpu", "100m"}, {"memory", "1k"}})}),
       json::array(), "Guaranteed"},
      {"summed over two guaranteed containers",
       json::array({container("a", kCpuMem, kCpuMem),
                    container("b", {{"cpu", "500m"}, {"memory", "1Mi"}}, {{"cpu", "0.5"}, {"memory", "1024Ki"}})}),
       json::array(), "Guaranteed"},
      {"an init container with requests only", json::array({container("a", kCpuMem, kCpuMem)}),
       json::array({container("init", {{"memory", "1Mi"}}, kNone)}), "Burstable"},
      {"resources on an init container only", json::array({container("a", kNone, kNone)}),
       json::array({container("init", {{"cpu", "1"}}, kNone)}), "Burstable"},
      {"guaranteed init and app containers", json::array({container("a", kCpuMem, kCpuMem)}),
       json::array({container("init", {{"cpu", "2"}, {"memory", "2Gi"}}, {{"cpu", "2"}, {"memory", "2Gi"}})}),
       "Guaranteed"},
  };
  for (const QosCase& c : cases) {
    INFO(c.name);
    CHECK(computePodQos(pod("p", c.containers, c.initContainers)) == c.qos);
  }
}

TEST_CASE("a created pod's requests default to its limits, requests it has are kept", "[kube-sim][qos]") {
  Store s;
  json created = s.create(pod("p",
                              json::array({container("a", {{"cpu", "250m"}}, {{"cpu", "500m"}, {"memory", "1Gi"}}),
                                           container("b", kNone, kNone)}),
                              json::array({container("init", kNone, {{"memory", "64Mi"}})})));
  const json& spec = created["spec"];
  CHECK(spec["containers"][0]["resources"]["requests"] == json({{"cpu", "250m"}, {"memory", "1Gi"}}));
  CHECK(spec["containers"][0]["resources"]["limits"] == json({{"cpu", "500m"}, {"memory", "1Gi"}}));
  CHECK(spec["containers"][1]["resources"] == json::object());
  CHECK(spec["initContainers"][0]["resources"]["requests"] == json({{"memory", "64Mi"}}));
  CHECK(created["status"]["qosClass"] == "Burstable");
  CHECK((*s.store.get(gvr::kPods, "t", "p"))["spec"] == spec);
}

TEST_CASE("a created pod's status.qosClass follows its resources", "[kube-sim][qos]") {
  Store s;
  const std::vector<QosCase> cases = {
      {"no resources", json::array({container("a", kNone, kNone)}), json::array(), "BestEffort"},
      {"requests only", json::array({container("a", {{"memory", "1Gi"}}, kNone)}), json::array(), "Burstable"},
      {"cpu and memory limits only", json::array({container("a", kNone, kCpuMem)}), json::array(), "Guaranteed"},
      {"limits only, on the init container too", json::array({container("a", kNone, kCpuMem)}),
       json::array({container("init", kNone, {{"cpu", "100m"}, {"memory", "1Mi"}})}), "Guaranteed"},
      {"an init container without limits", json::array({container("a", kNone, kCpuMem)}),
       json::array({container("init", kNone, kNone)}), "Burstable"},
  };
  int n = 0;
  for (const QosCase& c : cases) {
    INFO(c.name);
    std::string name = "p";
    name += std::to_string(n++);
    CHECK(s.create(pod(name, c.containers, c.initContainers))["status"]["qosClass"] == c.qos);
    CHECK((*s.store.get(gvr::kPods, "t", name))["status"]["qosClass"] == c.qos);
  }
}
