// The reconciler reads from informer caches that lag behind its own writes.
// A pass on a stale cache must not start a second pod, count a second
// attempt, or announce the result twice.
#include <catch2/catch.hpp>

#include "reconciler_world.h"

namespace ossvp::controller::testing {
namespace {

// An ObjectReader frozen at the moment of snapshot().
class SnapshotReader : public kube::ObjectReader {
 public:
  explicit SnapshotReader(FakeKubeApi& api) : api_(api) {}
  void snapshot() {
    objects_.clear();
    for (const auto* r : {&res::pvcs(), &res::pvs(), &res::pods(), &res::ossvps(), &res::storageClasses()}) {
      for (auto& o : api_.all(*r)) objects_[r->plural].push_back(o);
    }
  }
  kube::ObjectPtr getCached(const kube::Resource& r, const std::string& ns, const std::string& name) const override {
    auto it = objects_.find(r.plural);
    if (it == objects_.end()) return nullptr;
    for (const auto& o : it->second) {
      if (kube::nameOf(o) == name && (!r.namespaced || kube::namespaceOf(o) == ns)) {
        return std::make_shared<const kube::Object>(o);
      }
    }
    return nullptr;
  }
  std::vector<kube::ObjectPtr> listCached(const kube::Resource& r, const std::string& ns,
                                          const kube::LabelPairs& labels) const override {
    std::vector<kube::ObjectPtr> out;
    auto it = objects_.find(r.plural);
    if (it == objects_.end()) return out;
    for (const auto& o : it->second) {
      if ((ns.empty() || kube::namespaceOf(o) == ns) && kube::labelsMatch(o, labels)) {
        out.push_back(std::make_shared<const kube::Object>(o));
      }
    }
    return out;
  }

 private:
  FakeKubeApi& api_;
  std::map<std::string, std::vector<kube::Object>> objects_;
};

}  // namespace

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
  CHECK(kube::annotationOf(*w.prime(), std::string(kAnnAttempts)) == "1");

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

}  // namespace ossvp::controller::testing
