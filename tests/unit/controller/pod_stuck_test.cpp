// PopulatorPodStuck: a populator pod held up by something that clears by
// itself (the prime PVC still being provisioned, a full node, an image pull)
// is reported only once it lasts podStuckGrace; one that needs a fix is
// reported at once. Time moves with a FakeClock.
#include <catch2/catch.hpp>

#include "ossvp/controller/testing/fake_clock.h"
#include "reconciler_world.h"

namespace ossvp::controller::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// What kube-scheduler says while the pod's PVC is being provisioned.
const std::string kUnboundPvc =
    "0/3 nodes are available: 1 pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are "
    "available: 3 Preemption is not helpful for scheduling.";

// The pod as created `clock.now()`, then marked as the scheduler or the kubelet would.
void podCreatedNow(World& w, const FakeClock& clock) {
  kube::Object p = *w.pod();
  p["metadata"]["creationTimestamp"] = kube::formatRfc3339(clock.now());
  p["status"]["phase"] = "Pending";
  w.api.seed(res::pods(), p);
}
void unschedulable(World& w, const std::string& message) {
  kube::Object p = *w.pod();
  p["status"]["conditions"] = kube::Object::array(
      {{{"type", "PodScheduled"}, {"status", "False"}, {"reason", "Unschedulable"}, {"message", message}}});
  w.api.seed(res::pods(), p);
}
void waiting(World& w, const std::string& why, const std::string& message) {
  kube::Object p = *w.pod();
  p["status"]["conditions"] = kube::Object::array({{{"type", "PodScheduled"}, {"status", "True"}}});
  p["status"]["containerStatuses"] =
      kube::Object::array({{{"name", "populate"}, {"state", {{"waiting", {{"reason", why}, {"message", message}}}}}}});
  w.api.seed(res::pods(), p);
}
size_t stuckEvents(World& w) { return w.api.eventsWithReason(reason::kPodBlocked).size(); }

}  // namespace

TEST_CASE("pod stuck: an unbound PVC right after creation is not reported, one still there after the grace is",
          "[controller][pod]") {
  FakeClock clock;
  World w(World::defaults(), clock);
  w.seedSourceAndPvc();
  w.reconcile();  // the prime PVC (not bound yet) and the pod
  REQUIRE(w.pod());
  podCreatedNow(w, clock);
  unschedulable(w, kUnboundPvc);

  Outcome o = w.reconcile();
  CHECK(stuckEvents(w) == 0);
  CHECK(w.ossvpStatus().generic.at("u1").lastError.empty());
  // Looked at again when the grace ends, whatever else happens.
  REQUIRE(o.isRequeue());
  CHECK(o.delay() > seconds(59));
  CHECK(o.delay() <= seconds(61));

  clock.advance(seconds(59));
  o = w.reconcile();
  CHECK(stuckEvents(w) == 0);
  REQUIRE(o.isRequeue());
  CHECK(o.delay() <= seconds(2));

  clock.advance(seconds(1));
  w.reconcile();
  REQUIRE(stuckEvents(w) == 1);
  CHECK_THAT(w.api.eventsWithReason(reason::kPodBlocked).front().value("message", ""),
             Catch::Contains("unbound immediate PersistentVolumeClaims"));
  CHECK_THAT(w.ossvpStatus().generic.at("u1").lastError, Catch::Contains("is stuck"));
}

TEST_CASE("pod stuck: the grace is a flag", "[controller][pod]") {
  FakeClock clock;
  ControllerOptions o = World::defaults();
  o.podStuckGrace = seconds(5);
  World w(o, clock);
  w.seedSourceAndPvc();
  w.reconcile();
  podCreatedNow(w, clock);
  waiting(w, "ImagePullBackOff", "Back-off pulling image");
  w.reconcile();
  CHECK(stuckEvents(w) == 0);
  clock.advance(seconds(5));
  w.reconcile();
  CHECK(stuckEvents(w) == 1);
}

TEST_CASE("pod stuck: reasons that need a fix are reported at once", "[controller][pod]") {
  struct Case {
    std::string name;
    std::function<void(World&)> block;
  };
  std::vector<Case> cases = {
      {"volume node affinity conflict",
       [](World& w) { unschedulable(w, "0/3 nodes are available: 3 node(s) had volume node affinity conflict."); }},
      {"invalid image name", [](World& w) { waiting(w, "InvalidImageName", "couldn't parse image reference"); }},
      {"container config error", [](World& w) { waiting(w, "CreateContainerConfigError", "secret \"x\" not found"); }},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      FakeClock clock;
      World w(World::defaults(), clock);
      w.seedSourceAndPvc();
      w.reconcile();
      podCreatedNow(w, clock);
      c.block(w);
      w.reconcile();
      CHECK(stuckEvents(w) == 1);
    }
  }
}

TEST_CASE("pod blocker: what is wrong, and whether it clears by itself", "[controller][pod]") {
  auto pod = [](const kube::Object& status) { return kube::Object{{"status", status}}; };
  auto waitingIn = [](const std::string& why, const std::string& msg) {
    return kube::Object{
        {"containerStatuses", kube::Object::array({{{"state", {{"waiting", {{"reason", why}, {"message", msg}}}}}}})}};
  };
  PodBlocker pulling = podBlocker(pod(waitingIn("ErrImagePull", "no such image")));
  CHECK(pulling.what == "ErrImagePull: no such image");
  CHECK_FALSE(pulling.permanent);
  CHECK(podBlocker(pod(waitingIn("ErrImageNeverPull", "x"))).permanent);
  CHECK_FALSE(podBlocker(pod(waitingIn("ContainerCreating", ""))).blocked());
  auto scheduled = [&](const std::string& message) {
    return podBlocker(
        pod({{"conditions",
              kube::Object::array({{{"type", "PodScheduled"}, {"status", "False"}, {"message", message}}})}}));
  };
  PodBlocker unbound = scheduled(kUnboundPvc);
  CHECK(unbound.what == "not scheduled: " + kUnboundPvc);
  CHECK_FALSE(unbound.permanent);
  CHECK_FALSE(scheduled("0/3 nodes are available: 3 Insufficient cpu.").permanent);
  CHECK(scheduled("0/1 nodes are available: 1 node(s) had volume node affinity conflict.").permanent);
  CHECK_FALSE(podBlocker(kube::Object::object()).blocked());
}

}  // namespace ossvp::controller::testing
