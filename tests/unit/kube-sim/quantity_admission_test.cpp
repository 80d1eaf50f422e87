// Resource quantities in built-in kinds (server/quantity_fields.h), as
// kube-apiserver treats them: one that does not parse is a decode error (400,
// nothing stored), a negative container resource is 422 Invalid, a JSON
// number is stored as its text.
#include <catch2/catch.hpp>

#include "server/builtin_admission.h"

using namespace ossvp::kubesim;

namespace {

constexpr const char* kRegexError =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

struct Store {
  ObjectStore store;
  Store() {
    installBuiltinAdmission(store);
    REQUIRE(store.create(gvr::kNamespaces, "", {{"metadata", {{"name", "t"}}}}).isOk());
  }
};

json podWithLimits(const std::string& name, const json& limits) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"containers", json::array({{{"name", "ok"}, {"image", "x"}},
                                        {{"name", "c"}, {"image", "x"}, {"resources", {{"limits", limits}}}}})}}}};
}

}  // namespace

TEST_CASE("a pod whose memory limit does not parse is rejected as the API server's decoder does", "[quantity]") {
  Store s;
  auto r = s.store.create(gvr::kPods, "t", podWithLimits("p", {{"memory", "12Qi"}}));
  REQUIRE(!r.isOk());
  CHECK(r.error().code == 400);
  CHECK(r.error().reason == "BadRequest");
  CHECK(r.error().message == std::string("Pod in version \"v1\" cannot be handled as a Pod: ") + kRegexError);
  CHECK(!s.store.get(gvr::kPods, "t", "p"));
  auto suffix = s.store.create(gvr::kPods, "t", podWithLimits("p", {{"memory", "32MMi"}}));
  REQUIRE(!suffix.isOk());
  CHECK(suffix.error().message ==
        "Pod in version \"v1\" cannot be handled as a Pod: unable to parse quantity's suffix");
}

TEST_CASE("a negative container resource is 422 Invalid with its field", "[quantity]") {
  Store s;
  auto r = s.store.create(gvr::kPods, "t", podWithLimits("p", {{"memory", "-1Gi"}}));
  REQUIRE(!r.isOk());
  CHECK(r.error().code == 422);
  CHECK(r.error().message ==
        "Pod \"p\" is invalid: spec.containers[1].resources.limits.memory: Invalid value: \"-1Gi\": must be greater "
        "than or equal to 0");
  CHECK(r.error().details["causes"][0]["field"] == "spec.containers[1].resources.limits.memory");
  CHECK(s.store.create(gvr::kPods, "t", podWithLimits("zero", {{"memory", "-0"}})).isOk());
}

TEST_CASE("valid quantities are stored, numbers as their text", "[quantity]") {
  Store s;
  auto r = s.store.create(gvr::kPods, "t", podWithLimits("p", {{"memory", 1073741824}, {"cpu", "500m"}}));
  REQUIRE(r.isOk());
  CHECK((*r)["spec"]["containers"][1]["resources"]["limits"]["memory"] == "1073741824");
  CHECK((*r)["spec"]["containers"][1]["resources"]["limits"]["cpu"] == "500m");
  // An update (here a merge patch) is decoded again.
  auto patched =
      s.store.patch(gvr::kPods, "t", "p", PatchType::MergePatch,
                    {{"metadata", {{"labels", {{"a", "b"}}}}}, {"spec", {{"overhead", {{"memory", "1Gb"}}}}}});
  REQUIRE(!patched.isOk());
  CHECK(patched.error().code == 400);
}

TEST_CASE("quantities in pod templates, claims and volumes are decoded too", "[quantity]") {
  Store s;
  json deploy = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", "d"}}},
      {"spec",
       {{"selector", {{"matchLabels", {{"app", "d"}}}}}, {"template", podWithLimits("", {{"memory", "12Qi"}})}}}};
  auto d = s.store.create(gvr::kDeployments, "t", deploy);
  REQUIRE(!d.isOk());
  CHECK(d.error().message ==
        std::string("Deployment in version \"v1\" cannot be handled as a Deployment: ") + kRegexError);
  deploy["spec"]["template"] = podWithLimits("", {{"memory", "-1"}});
  auto negative = s.store.create(gvr::kDeployments, "t", deploy);
  REQUIRE(!negative.isOk());
  CHECK(negative.error().details["causes"][0]["field"] == "spec.template.spec.containers[1].resources.limits.memory");
  json claim = {{"apiVersion", "v1"},
                {"kind", "PersistentVolumeClaim"},
                {"metadata", {{"name", "c"}}},
                {"spec", {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1 Gi"}}}}}}}};
  auto c = s.store.create(gvr::kPersistentVolumeClaims, "t", claim);
  REQUIRE(!c.isOk());
  CHECK(c.error().message == std::string("PersistentVolumeClaim in version \"v1\" cannot be handled as a "
                                         "PersistentVolumeClaim: ") +
                                 kRegexError);
  json pod = podWithLimits("v", json::object());
  pod["spec"]["volumes"] = json::array({{{"name", "scratch"}, {"emptyDir", {{"sizeLimit", "lots"}}}}});
  CHECK(s.store.create(gvr::kPods, "t", pod).error().code == 400);
}
