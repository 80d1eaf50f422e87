// MutationCache: the controller's own writes are read back while the
// informer cache lags, and only then; the cache wins as soon as it moves.
#include <catch2/catch.hpp>

#include "ossvp/controller/kube/mutation_cache.h"
#include "ossvp/controller/testing/fake_clock.h"
#include "snapshot_reader.h"

namespace ossvp::controller::testing {
namespace {

namespace res = kube::resources;

kube::Object pod(const std::string& name, const std::string& app) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "ns"}, {"labels", {{"app", app}}}}},
          {"spec", {{"containers", kube::Object::array()}}}};
}

struct Fx {
  FakeClock clock;
  FakeKubeApi api;
  SnapshotReader cache{api};
  kube::MutationCache mc{api, cache, {res::pods(), res::pvcs()}, clock};
};

}  // namespace

TEST_CASE("mutation cache: a created object is read back until the cache shows it", "[controller][kube]") {
  Fx f;
  f.cache.snapshot();
  auto created = f.mc.create(res::pods(), "ns", pod("p", "a"));
  REQUIRE(created.isOk());
  auto seen = f.mc.getCached(res::pods(), "ns", "p");
  REQUIRE(seen);
  CHECK(kube::resourceVersionOf(*seen) == kube::resourceVersionOf(*created));
  CHECK(f.mc.size() == 1);

  f.cache.snapshot();  // the watch event arrived
  seen = f.mc.getCached(res::pods(), "ns", "p");
  REQUIRE(seen);
  CHECK(kube::resourceVersionOf(*seen) == kube::resourceVersionOf(*created));
  CHECK(f.mc.size() == 0);  // the cache's copy is served from now on
}

TEST_CASE("mutation cache: a write is served while the cache shows the version before it, a newer one wins",
          "[controller][kube]") {
  Fx f;
  f.api.seed(res::pvcs(), makePvc("ns", "c", "u1", "src"));
  f.cache.snapshot();
  auto patched = f.mc.patch(res::pvcs(), "ns", "c", kube::PatchType::Merge,
                            {{"metadata", {{"finalizers", {"storage.alibabacloud.com/populate"}}}}});
  REQUIRE(patched.isOk());
  CHECK(kube::hasFinalizer(*f.mc.getCached(res::pvcs(), "ns", "c"), "storage.alibabacloud.com/populate"));

  // Someone else changes the PVC after our write; the cache shows that.
  auto other = *f.api.find(res::pvcs(), "ns", "c");
  other["metadata"]["labels"]["team"] = "b";
  REQUIRE(f.api.update(res::pvcs(), other).isOk());
  f.cache.snapshot();
  auto seen = f.mc.getCached(res::pvcs(), "ns", "c");
  CHECK(kube::resourceVersionOf(*seen) == kube::resourceVersionOf(*f.api.find(res::pvcs(), "ns", "c")));
  CHECK(kube::labelOf(*seen, "team") == "b");
}

TEST_CASE("mutation cache: a write is trusted for the TTL only, a delete forgets it", "[controller][kube]") {
  Fx f;
  f.cache.snapshot();
  REQUIRE(f.mc.create(res::pods(), "ns", pod("p", "a")).isOk());
  f.clock.advance(std::chrono::seconds(9));
  CHECK(f.mc.getCached(res::pods(), "ns", "p"));
  f.clock.advance(std::chrono::seconds(1));
  CHECK_FALSE(f.mc.getCached(res::pods(), "ns", "p"));  // a watch that never showed it: believe the cache

  REQUIRE(f.mc.create(res::pods(), "ns", pod("q", "a")).isOk());
  REQUIRE(f.mc.remove(res::pods(), "ns", "q").isOk());
  CHECK_FALSE(f.mc.getCached(res::pods(), "ns", "q"));
}

TEST_CASE("mutation cache: lists include written objects that match, untracked resources pass through",
          "[controller][kube]") {
  Fx f;
  f.api.seed(res::pods(), pod("old", "a"));
  f.cache.snapshot();
  REQUIRE(f.mc.create(res::pods(), "ns", pod("new", "a")).isOk());
  REQUIRE(f.mc.create(res::pods(), "ns", pod("other", "b")).isOk());
  auto listed = f.mc.listCached(res::pods(), "ns", {{"app", "a"}});
  std::set<std::string> names;
  for (const auto& o : listed) names.insert(kube::nameOf(*o));
  CHECK(names == std::set<std::string>{"old", "new"});
  CHECK(f.mc.listCached(res::pods(), "elsewhere", {}).empty());
  CHECK(f.mc.listCached(res::pods(), "", {}).size() == 3);

  REQUIRE(f.mc.create(res::secrets(), "ns", makeSecret("ns", "s")).isOk());
  CHECK(f.mc.size() == 2);  // the secret was not remembered
  CHECK_FALSE(f.mc.getCached(res::secrets(), "ns", "s"));
}

}  // namespace ossvp::controller::testing
