// planGarbageCollection: one pass of ownerReference collection (background,
// orphan, foreground) and namespace termination over a hand-built table.
#include <catch2/catch.hpp>

#include <algorithm>

#include "store/garbage_collector.h"

using namespace ossvp::kubesim;

namespace {

json object(const std::string& ns, const std::string& name, const std::string& uid, json extraMeta = json::object()) {
  json m = {{"name", name}, {"uid", uid}};
  if (!ns.empty()) m["namespace"] = ns;
  m.update(extraMeta);
  return {{"metadata", m}};
}

json ownedBy(std::initializer_list<const char*> uids) {
  json refs = json::array();
  for (const char* u : uids) refs.push_back({{"uid", u}, {"kind", "ConfigMap"}, {"name", u}});
  return {{"ownerReferences", refs}};
}

json deleting(std::initializer_list<const char*> finalizers) {
  return {{"deletionTimestamp", "2026-01-01T00:00:00Z"}, {"finalizers", json(finalizers)}};
}

void put(ObjectTable& t, const std::string& key, const json& obj) {
  const json& m = obj["metadata"];
  t[key][{m.value("namespace", ""), m["name"].get<std::string>()}] = std::make_shared<const json>(obj);
}

const GcAction* find(const std::vector<GcAction>& actions, const std::string& name) {
  auto it = std::find_if(actions.begin(), actions.end(), [&](const GcAction& a) { return a.id.second == name; });
  return it == actions.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("gc plan: nothing to collect is an empty plan", "[kube-sim][gc]") {
  ObjectTable t;
  put(t, "/configmaps", object("a", "owner", "u-owner"));
  put(t, "/configmaps", object("a", "dep", "u-dep", ownedBy({"u-owner"})));
  CHECK(planGarbageCollection(t).empty());
}

TEST_CASE("gc plan: background deletes a dependent whose owners are all gone, rewrites one with an owner left",
          "[kube-sim][gc]") {
  ObjectTable t;
  put(t, "/configmaps", object("a", "alive", "u-alive"));
  put(t, "/configmaps", object("a", "orphaned", "u-1", ownedBy({"u-gone"})));
  put(t, "/configmaps", object("a", "half", "u-2", ownedBy({"u-gone", "u-alive"})));
  auto plan = planGarbageCollection(t);
  REQUIRE(plan.size() == 2);
  const GcAction* del = find(plan, "orphaned");
  REQUIRE(del);
  CHECK(del->kind == GcAction::Kind::Delete);
  CHECK(del->storageKey == "/configmaps");
  const GcAction* rw = find(plan, "half");
  REQUIRE(rw);
  CHECK(rw->kind == GcAction::Kind::RewriteOwnerReferences);
  REQUIRE(rw->object["metadata"]["ownerReferences"].size() == 1);
  CHECK(rw->object["metadata"]["ownerReferences"][0]["uid"] == "u-alive");
}

TEST_CASE("gc plan: an orphaning owner loses its dependents' references, then its finalizer", "[kube-sim][gc]") {
  ObjectTable t;
  put(t, "/configmaps", object("a", "owner", "u-owner", deleting({"orphan", "keep.example.com"})));
  put(t, "/configmaps", object("a", "dep", "u-dep", ownedBy({"u-owner"})));
  auto plan = planGarbageCollection(t);
  REQUIRE(plan.size() == 2);
  const GcAction* dep = find(plan, "dep");
  REQUIRE(dep);
  CHECK(dep->kind == GcAction::Kind::RewriteOwnerReferences);
  CHECK(!dep->object["metadata"].contains("ownerReferences"));
  const GcAction* owner = find(plan, "owner");
  REQUIRE(owner);
  CHECK(owner->kind == GcAction::Kind::DropFinalizer);
  CHECK(owner->object["metadata"]["finalizers"] == json::array({"keep.example.com"}));
}

TEST_CASE("gc plan: a foreground owner keeps its finalizer while dependents remain", "[kube-sim][gc]") {
  ObjectTable t;
  put(t, "/configmaps", object("a", "owner", "u-owner", deleting({"foregroundDeletion"})));
  SECTION("with a dependent: delete it, keep the owner's finalizer") {
    put(t, "/configmaps", object("a", "dep", "u-dep", ownedBy({"u-owner"})));
    auto plan = planGarbageCollection(t);
    REQUIRE(plan.size() == 1);
    CHECK(plan[0].id.second == "dep");
    CHECK(plan[0].kind == GcAction::Kind::Delete);
  }
  SECTION("without dependents: drop the finalizer (and the now empty list)") {
    auto plan = planGarbageCollection(t);
    REQUIRE(plan.size() == 1);
    CHECK(plan[0].id.second == "owner");
    CHECK(plan[0].kind == GcAction::Kind::DropFinalizer);
    CHECK(!plan[0].object["metadata"].contains("finalizers"));
  }
}

TEST_CASE("gc plan: a terminating namespace has its content deleted, then is erased when empty", "[kube-sim][gc]") {
  ObjectTable t;
  json ns = object("", "gone", "u-ns", {{"deletionTimestamp", "2026-01-01T00:00:00Z"}});
  put(t, "/namespaces", ns);
  put(t, "/namespaces", object("", "live", "u-live"));
  SECTION("non-empty: its objects, Events included, are deleted with grace 0; the namespace stays") {
    put(t, "/configmaps", object("gone", "cm", "u-cm"));
    put(t, "/events", object("gone", "ev", "u-ev"));
    put(t, "/configmaps", object("live", "other", "u-other"));
    auto plan = planGarbageCollection(t);
    REQUIRE(plan.size() == 2);
    CHECK(find(plan, "cm")->kind == GcAction::Kind::DeleteNamespaceContent);
    CHECK(find(plan, "ev")->kind == GcAction::Kind::DeleteNamespaceContent);
    CHECK(!find(plan, "gone"));
  }
  SECTION("empty: the namespace is erased") {
    auto plan = planGarbageCollection(t);
    REQUIRE(plan.size() == 1);
    CHECK(plan[0].storageKey == "/namespaces");
    CHECK(plan[0].id == ObjectId{"", "gone"});
    CHECK(plan[0].kind == GcAction::Kind::EraseNamespace);
  }
}

TEST_CASE("gc plan: Events neither own nor are owned outside namespace termination", "[kube-sim][gc]") {
  ObjectTable t;
  put(t, "/events", object("a", "ev", "u-ev", ownedBy({"u-gone"})));
  put(t, "/configmaps", object("a", "dep", "u-dep", ownedBy({"u-ev"})));
  auto plan = planGarbageCollection(t);
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].id.second == "dep");  // its only owner is an Event: not an owner, so gone
  CHECK(plan[0].kind == GcAction::Kind::Delete);
}
