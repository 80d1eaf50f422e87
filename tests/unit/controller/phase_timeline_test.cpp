// The controller's own phase timing (phase_timeline.h): a PVC driven through
// every phase on a fake clock gives one observation per interval of
// ossvp_phase_duration_seconds, each exactly the time the test let pass
// between the two phases; nothing is left behind for PVCs that never finish.
#include "ossvp/controller/phase_timeline.h"

#include <catch2/catch.hpp>

#include "ossvp/controller/testing/fake_clock.h"
#include "phase_checks.h"
#include "reconciler_world.h"

namespace ossvp::controller::testing {
namespace {

using std::chrono::milliseconds;

const std::string kMetric(kPhaseDurationMetric);

Metrics::HistogramReading phaseReading(const Metrics& m, const std::string& mode, PopulationPhase to) {
  return m.histogram(kMetric, phaseMetricLabels(mode, to));
}

Status unavailableOnce() { return unavailable("injected: try again"); }

}  // namespace

TEST_CASE("phase timeline: each interval of a generic population is observed once, with the time between",
          "[controller][phases]") {
  FakeClock clock;
  World w(World::defaults(), clock);
  w.seedSourceAndPvc();
  w.reconciler->noteQueued(w.pvc());  // the informer saw the PVC
  // One failed call before each phase that would otherwise follow in the
  // same pass, so that time can pass in between.
  clock.advance(milliseconds(10));
  w.api.failNext("create", "pods", unavailableOnce());
  REQUIRE(w.reconcile().isError());  // prime PVC created, the pod not
  clock.advance(milliseconds(20));
  REQUIRE_FALSE(w.reconcile().isError());  // pod created
  REQUIRE(w.pod());
  clock.advance(milliseconds(30));
  w.bindPrime();
  w.setPod("Running", {{"bytesDone", 1}, {"bytesTotal", 10}});
  w.reconcile();  // running
  clock.advance(milliseconds(40));
  w.setPod("Succeeded", {{"bytesDone", 10}, {"bytesTotal", 10}}, 0);
  w.api.failNext("patch", "persistentvolumes", unavailableOnce());
  REQUIRE(w.reconcile().isError());  // finished, the PV not yet handed over
  clock.advance(milliseconds(50));
  REQUIRE(w.reconcile().isDone());  // rebind started
  clock.advance(milliseconds(60));
  w.completeRebind();
  w.api.failNext("delete", "pods", unavailableOnce());
  REQUIRE(w.reconcile().isError());  // Bound seen, cleanup not done
  clock.advance(milliseconds(70));
  REQUIRE(w.reconcile().isDone());  // cleanup done
  REQUIRE_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));

  checkPhaseDurations(w.metrics, "generic",
                      {{PopulationPhase::PrimeCreated, 0.010},
                       {PopulationPhase::PodCreated, 0.020},
                       {PopulationPhase::PodRunning, 0.030},
                       {PopulationPhase::PodFinished, 0.040},
                       {PopulationPhase::RebindStarted, 0.050},
                       {PopulationPhase::Bound, 0.060},
                       {PopulationPhase::CleanupDone, 0.070}});
  SECTION("millisecond buckets") {
    const std::string text = w.metrics.render();
    const std::string series =
        "ossvp_phase_duration_seconds_bucket{mode=\"generic\",phase=\"queued_to_prime_created\",owner=\"controller\"";
    CHECK_THAT(text, Catch::Contains(series + ",le=\"0.005\"} 0\n"));
    CHECK_THAT(text, Catch::Contains(series + ",le=\"0.01\"} 1\n"));
    CHECK_THAT(text, Catch::Contains(series + ",le=\"0.001\"} 0\n"));
    CHECK_THAT(text, Catch::Contains(series + ",le=\"300\"} 1\n"));
  }
  SECTION("the finished PVC leaves no timeline, and another pass observes nothing again") {
    CHECK(w.reconciler->phases().tracked() == 0);
    w.reconcile();
    CHECK(phaseReading(w.metrics, "generic", PopulationPhase::CleanupDone).count == 1);
    CHECK(w.reconciler->phases().tracked() == 0);
  }
}

TEST_CASE("phase timeline: a pod that finished between two looks gives its running interval 0",
          "[controller][phases]") {
  FakeClock clock;
  World w(World::defaults(), clock);
  w.startPopulation();  // queued, prime and pod created at the same instant
  clock.advance(milliseconds(250));
  w.setPod("Succeeded", {{"bytesDone", 10}, {"bytesTotal", 10}}, 0);  // never seen Running
  REQUIRE(w.reconcile().isDone());
  w.completeRebind();
  REQUIRE(w.reconcile().isDone());
  auto created = phaseReading(w.metrics, "generic", PopulationPhase::PodRunning);
  auto running = phaseReading(w.metrics, "generic", PopulationPhase::PodFinished);
  CHECK(created.count == 1);
  CHECK(created.sum == Approx(0.250).margin(1e-9));  // created -> finished as seen
  CHECK(running.count == 1);
  CHECK(running.sum == 0);
}

TEST_CASE("phase timeline: a PVC deleted mid-way leaves no timeline and observes nothing", "[controller][phases]") {
  World w;
  SECTION("deleted while its pod runs") {
    w.startPopulation();
    w.setPod("Running", {{"bytesDone", 1}, {"bytesTotal", 10}});
    w.reconcile();
    REQUIRE(w.reconciler->phases().tracked() == 1);
    REQUIRE(w.api.remove(res::pvcs(), "argo", "data", {}).isOk());
    REQUIRE(w.reconcile().isDone());
    REQUIRE_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));  // let go
  }
  SECTION("gone before the controller claimed it (no finalizer)") {
    w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "missing-ossvp"));
    w.reconcile();  // waits for the ossvp
    REQUIRE(w.reconciler->phases().tracked() == 1);
    REQUIRE(w.api.remove(res::pvcs(), "argo", "data", {}).isOk());
    REQUIRE(w.reconcile().isDone());
  }
  CHECK(w.reconciler->phases().tracked() == 0);
  for (size_t i = 1; i < kPopulationPhaseCount; ++i) {
    CHECK(phaseReading(w.metrics, "generic", static_cast<PopulationPhase>(i)).count == 0);
  }
}

TEST_CASE("phase timeline: a PVC bound by another provisioner leaves no timeline", "[controller][phases]") {
  World w;
  w.startPopulation();
  REQUIRE(w.reconciler->phases().tracked() == 1);
  w.api.seed(res::pvs(), {{"metadata", {{"name", "pv-foreign"}}},
                          {"spec", {{"claimRef", {{"namespace", "argo"}, {"name", "data"}, {"uid", "u1"}}}}},
                          {"status", {{"phase", "Bound"}}}});
  kube::Object c = w.pvc();
  c["spec"]["volumeName"] = "pv-foreign";
  c["status"]["phase"] = "Bound";
  w.api.seed(res::pvcs(), c);
  w.reconcile();
  CHECK(w.reconciler->phases().tracked() == 0);
  CHECK(phaseReading(w.metrics, "generic", PopulationPhase::CleanupDone).count == 0);
}

TEST_CASE("phase timeline: the debug line, a timeline without its start, a re-created name", "[controller][phases]") {
  FakeClock clock;
  Metrics m;
  PhaseTimeline t(m, clock);
  t.mark("u1", "argo/data", PopulationPhase::Queued);
  clock.advance(milliseconds(7));
  t.mark("u1", "argo/data", PopulationPhase::PrimeCreated);
  t.mark("u1", "argo/data", PopulationPhase::PodCreated);
  clock.advance(milliseconds(1000));
  t.mark("u1", "argo/data", PopulationPhase::PodCreated);  // only the first observation counts
  t.mark("u1", "argo/data", PopulationPhase::PodFinished);
  clock.advance(milliseconds(3));
  t.mark("u1", "argo/data", PopulationPhase::RebindStarted);
  t.mark("u1", "argo/data", PopulationPhase::Bound);
  clock.advance(milliseconds(2));
  CHECK(t.complete("u1", "generic") ==
        "PVC argo/data (uid u1) phase timeline, ms since queued: prime_created 7 pod_created 7 pod_running 1007 "
        "pod_finished 1007 rebind_started 1010 bound 1010 cleanup_done 1012");
  CHECK(t.tracked() == 0);
  CHECK_FALSE(t.complete("u1", "generic"));  // once

  const std::string bound = phaseMetricLabels("generic", PopulationPhase::Bound);
  REQUIRE(m.histogram(kMetric, bound).count == 1);
  t.mark("u2", "argo/late", PopulationPhase::Bound);  // the controller started after the PVC was handed over
  CHECK_FALSE(t.complete("u2", "generic"));
  CHECK(t.tracked() == 0);
  CHECK(m.histogram(kMetric, bound).count == 1);  // u1's only

  t.mark("u3", "argo/again", PopulationPhase::Queued);
  t.mark("u4", "argo/again", PopulationPhase::Queued);  // same name, new PVC: the old one is gone
  CHECK(t.tracked() == 1);
  t.forgetRef("argo/again");
  CHECK(t.tracked() == 0);
}

TEST_CASE("phase timeline: intervals are split between the controller and the cluster/pod", "[controller][phases]") {
  std::vector<std::string> controller, other;
  for (size_t i = 1; i < kPopulationPhaseCount; ++i) {
    auto p = static_cast<PopulationPhase>(i);
    (phaseIntervalIsController(p) ? controller : other).emplace_back(phaseIntervalName(p));
  }
  CHECK(controller == std::vector<std::string>{"queued_to_prime_created", "prime_created_to_pod_created",
                                               "finished_to_rebind", "bound_to_cleanup"});
  CHECK(other == std::vector<std::string>{"pod_created_to_running", "running_to_finished", "rebind_to_bound"});
  CHECK(phaseMetricLabels("generic", PopulationPhase::PodFinished) ==
        R"({mode="generic",phase="running_to_finished",owner="cluster"})");
  CHECK(phaseMetricLabels("bmcpfs-dataflow", PopulationPhase::CleanupDone) ==
        R"({mode="bmcpfs-dataflow",phase="bound_to_cleanup",owner="controller"})");
}

}  // namespace ossvp::controller::testing
