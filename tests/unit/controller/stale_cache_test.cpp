// The reconciler reads from informer caches that lag behind its own writes.
// A pass on a stale cache must not start a second pod, count a second
// attempt, or announce the result twice.
#include <catch2/catch.hpp>

#include <sstream>

#include "ossvp/controller/kube/counting_api_client.h"
#include "ossvp/controller/kube/mutation_cache.h"
#include "reconciler_world.h"
#include "snapshot_reader.h"

namespace ossvp::controller::testing {

TEST_CASE("stale cache: no second pod, attempt or announcement", "[controller][reconciler]") {
  World w;
  SnapshotReader stale(w.api);
  StatusWriter status(w.api, stale);
  PvcReconciler r(w.api, stale, *w.events, status, w.metrics, w.options);
  r.addStrategy(std::make_unique<PodStrategy>(w.api, stale, *w.events, status, w.options));
  w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo"));
  w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "generic-demo"));

  stale.snapshot();
  Outcome first = r.reconcilePvc("argo", "data");  // creates prime + pod
  INFO(first.toString());
  REQUIRE(first.isDone());
  REQUIRE(r.reconcilePvc("argo", "data").isDone());  // same stale view
  int podCreates = 0;
  for (const auto& a : w.api.actions()) podCreates += a == "create pods ack-volume-populator/populate-u1";
  CHECK(podCreates == 1);
  CHECK(w.api.eventsWithReason(reason::kCreated).at(0)["count"] == 1);
  CHECK(kube::labelOf(*w.pod(), std::string(kLabelAttempt)) == "1");

  // Finish: PVC bound, prime Lost; two passes on the same stale view.
  w.bindPrime();
  w.setPod("Succeeded", nullptr, 0, "{}");
  stale.snapshot();
  r.reconcilePvc("argo", "data");  // rebind
  w.completeRebind();
  stale.snapshot();
  CHECK(r.reconcilePvc("argo", "data").isDone());
  CHECK(r.reconcilePvc("argo", "data").isDone());  // stale: finalizer still in its copy
  auto finished = w.api.eventsWithReason(reason::kFinished);
  REQUIRE(finished.size() == 2);  // PVC + ossvp, once each
  for (const auto& e : finished) CHECK(e["count"] == 1);
  CHECK_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));
}

namespace {

// Every API request counted so far (all verbs and resources).
double requestsSoFar(const Metrics& m) {
  double n = 0;
  std::istringstream in(m.render());
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("ossvp_api_requests_total{", 0) == 0) n += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return n;
}

}  // namespace

TEST_CASE("stale cache behind a MutationCache: a second pass repeats no request", "[controller][reconciler]") {
  World w;
  SnapshotReader stale(w.api);
  Metrics counted;
  kube::CountingApiClient api(w.api, counted);
  kube::MutationCache mc(api, stale, {res::pvcs(), res::pvs(), res::pods(), res::ossvps()});
  StatusWriter status(mc, mc);
  PvcReconciler r(mc, mc, *w.events, status, w.metrics, w.options);
  r.addStrategy(std::make_unique<PodStrategy>(mc, mc, *w.events, status, w.options));
  w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo"));
  w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "generic-demo"));

  stale.snapshot();
  REQUIRE(r.reconcilePvc("argo", "data").isDone());  // finalizers, prime PVC, pod
  const double started = requestsSoFar(counted);
  CHECK(started > 0);
  REQUIRE(r.reconcilePvc("argo", "data").isDone());  // same stale view: sees its own writes
  CHECK(requestsSoFar(counted) == started);
  REQUIRE(w.pod());

  w.bindPrime();
  w.setPod("Succeeded", nullptr, 0, "{}");
  stale.snapshot();
  r.reconcilePvc("argo", "data");  // rebind
  w.completeRebind();
  stale.snapshot();
  REQUIRE(r.reconcilePvc("argo", "data").isDone());  // cleanup, finalizer removed
  const double finished = requestsSoFar(counted);
  REQUIRE(r.reconcilePvc("argo", "data").isDone());  // stale copy still has the finalizer
  CHECK(requestsSoFar(counted) == finished);
  CHECK_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));
}

}  // namespace ossvp::controller::testing
