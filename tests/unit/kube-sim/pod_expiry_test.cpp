// expiredPods: gracefully deleted pods expire 5 s after their deletion
// timestamp, unless finalizers hold them or their node is powered off.
#include <catch2/catch.hpp>

#include "ossvp/common/rfc3339.h"
#include "store/pod_expiry.h"

using namespace ossvp::kubesim;

namespace {

constexpr int64_t kDeletedAt = 1767225600;  // 2026-01-01T00:00:00Z

json pod(const std::string& name, const std::string& node, json extraMeta = json::object()) {
  json m = {{"name", name}, {"namespace", "t"}, {"deletionTimestamp", ossvp::formatRfc3339(kDeletedAt)}};
  m.update(extraMeta);
  return {{"metadata", m}, {"spec", {{"nodeName", node}}}};
}

void put(ObjectTable& t, const std::string& key, const ObjectId& id, json obj) {
  t[key][id] = std::make_shared<const json>(std::move(obj));
}

}  // namespace

TEST_CASE("pod expiry: 5 s after the deletion timestamp, not before", "[kube-sim][pod-expiry]") {
  ObjectTable t;
  put(t, "/pods", {"t", "p"}, pod("p", "n1"));
  CHECK(expiredPods(t, kDeletedAt + 5).empty());
  CHECK(expiredPods(t, kDeletedAt + 6) == std::vector<ObjectId>{{"t", "p"}});
}

TEST_CASE("pod expiry: finalizers, no deletion timestamp, a powered-off node keep the pod", "[kube-sim][pod-expiry]") {
  ObjectTable t;
  put(t, "/pods", {"t", "held"}, pod("held", "n1", {{"finalizers", {"example.com/hold"}}}));
  json live = pod("live", "n1");
  live["metadata"].erase("deletionTimestamp");
  put(t, "/pods", {"t", "live"}, live);
  put(t, "/pods", {"t", "off"}, pod("off", "n-off"));
  put(t, "/pods", {"t", "on"}, pod("on", "n1"));
  put(t, "/nodes", {"", "n-off"}, {{"metadata", {{"name", "n-off"}, {"annotations", {{"kubesim.io/power", "off"}}}}}});
  put(t, "/nodes", {"", "n1"}, {{"metadata", {{"name", "n1"}, {"annotations", {{"kubesim.io/power", "on"}}}}}});
  CHECK(expiredPods(t, kDeletedAt + 60) == std::vector<ObjectId>{{"t", "on"}});
}

TEST_CASE("pod expiry: no pods, no nodes", "[kube-sim][pod-expiry]") {
  ObjectTable t;
  CHECK(expiredPods(t, kDeletedAt).empty());
  put(t, "/pods", {"t", "unscheduled"}, pod("unscheduled", ""));
  CHECK(expiredPods(t, kDeletedAt + 6) == std::vector<ObjectId>{{"t", "unscheduled"}});
}
