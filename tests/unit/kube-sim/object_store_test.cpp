// ObjectStore semantics: identity, optimistic concurrency, generation, status
// subresource, finalizers, garbage collection, watch + history compaction.
#include <catch2/catch.hpp>

#include "store/object_store.h"

using namespace ossvp::kubesim;
using namespace std::chrono_literals;

namespace {

ObjectStore& withNamespace(ObjectStore& s, const std::string& ns = "t") {
  REQUIRE(s.create(gvr::kNamespaces, "", {{"metadata", {{"name", ns}}}}).isOk());
  return s;
}

json cm(const std::string& name, json data = json::object()) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", data}};
}

}  // namespace

TEST_CASE("create assigns identity and bumps the global resourceVersion", "[kube-sim][store]") {
  ObjectStore s;
  withNamespace(s);
  uint64_t before = s.currentResourceVersion();
  auto a = s.create(gvr::kConfigMaps, "t", cm("a"));
  REQUIRE(a.isOk());
  CHECK((*a)["metadata"]["uid"].get<std::string>().size() == 36);
  CHECK((*a)["metadata"]["resourceVersion"] == std::to_string(before + 1));
  CHECK(!(*a)["metadata"].contains("generation"));
  auto dup = s.create(gvr::kConfigMaps, "t", cm("a"));
  REQUIRE(!dup.isOk());
  CHECK(dup.error().code == 409);
  CHECK(dup.error().reason == "AlreadyExists");
  auto missingNs = s.create(gvr::kConfigMaps, "nope", cm("a"));
  REQUIRE(!missingNs.isOk());
  CHECK(missingNs.error().message == "namespaces \"nope\" not found");
  json gen = cm("");
  gen["metadata"] = {{"generateName", "gen-"}};
  auto g = s.create(gvr::kConfigMaps, "t", gen);
  REQUIRE(g.isOk());
  CHECK((*g)["metadata"]["name"].get<std::string>().size() == 9);
}

TEST_CASE("stale update is a 409 Conflict and a no-op write keeps the RV", "[kube-sim][store]") {
  ObjectStore s;
  withNamespace(s);
  json obj = *s.create(gvr::kConfigMaps, "t", cm("c", {{"a", "1"}}));
  json next = obj;
  next["data"]["a"] = "2";
  auto updated = s.update(gvr::kConfigMaps, "t", next);
  REQUIRE(updated.isOk());
  auto stale = s.update(gvr::kConfigMaps, "t", next);  // carries the old RV
  REQUIRE(!stale.isOk());
  CHECK(stale.error().code == 409);
  CHECK(stale.error().message.find("the object has been modified") != std::string::npos);
  uint64_t rv = s.currentResourceVersion();
  auto same = s.update(gvr::kConfigMaps, "t", *updated);
  REQUIRE(same.isOk());
  CHECK(s.currentResourceVersion() == rv);
}

TEST_CASE("generation follows spec changes only, status subresource is separate", "[kube-sim][store]") {
  ObjectStore s;
  withNamespace(s);
  ResourceInfo info = *s.registry().find(gvr::kStatefulSets);
  json sts = {{"metadata", {{"name", "x"}}}, {"spec", {{"replicas", 1}}}, {"status", {{"replicas", 9}}}};
  json created = *s.create(gvr::kStatefulSets, "t", sts);
  CHECK(created["metadata"]["generation"] == 1);
  CHECK(!created.contains("status"));  // dropped on create
  auto st = s.patch(gvr::kStatefulSets, "t", "x", PatchType::MergePatch, {{"status", {{"replicas", 1}}}},
                    WriteOptions{false, "", "Ignore", true, false});
  REQUIRE(st.isOk());
  CHECK((*st)["status"]["replicas"] == 1);
  CHECK((*st)["metadata"]["generation"] == 1);
  auto sp = s.patch(gvr::kStatefulSets, "t", "x", PatchType::MergePatch,
                    {{"spec", {{"replicas", 2}}}, {"status", {{"replicas", 5}}}});
  REQUIRE(sp.isOk());
  CHECK((*sp)["metadata"]["generation"] == 2);
  CHECK((*sp)["status"]["replicas"] == 1);  // main endpoint keeps status
  auto label = s.patch(gvr::kStatefulSets, "t", "x", PatchType::MergePatch, {{"metadata", {{"labels", {{"a", "b"}}}}}});
  CHECK((*label)["metadata"]["generation"] == 2);
  (void)info;
}

TEST_CASE("finalizers hold a delete until removed", "[kube-sim][store]") {
  ObjectStore s;
  withNamespace(s);
  json obj = cm("f");
  obj["metadata"]["finalizers"] = {"x/y"};
  REQUIRE(s.create(gvr::kConfigMaps, "t", obj).isOk());
  auto del = s.remove(gvr::kConfigMaps, "t", "f");
  REQUIRE(del.isOk());
  CHECK(!(*del)["metadata"]["deletionTimestamp"].get<std::string>().empty());
  REQUIRE(s.get(gvr::kConfigMaps, "t", "f").isOk());
  auto add =
      s.patch(gvr::kConfigMaps, "t", "f", PatchType::MergePatch, {{"metadata", {{"finalizers", {"x/y", "new/one"}}}}});
  REQUIRE(!add.isOk());
  CHECK(add.error().code == 422);
  REQUIRE(s.patch(gvr::kConfigMaps, "t", "f", PatchType::MergePatch, {{"metadata", {{"finalizers", nullptr}}}}).isOk());
  CHECK(s.get(gvr::kConfigMaps, "t", "f").error().code == 404);
}

TEST_CASE("background GC deletes dependents whose owners are all gone, orphan strips refs", "[kube-sim][store]") {
  ObjectStore s;
  withNamespace(s);
  json owner = *s.create(gvr::kConfigMaps, "t", cm("owner"));
  json other = *s.create(gvr::kConfigMaps, "t", cm("other"));
  auto ref = [](const json& o) {
    return json{
        {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", o["metadata"]["name"]}, {"uid", o["metadata"]["uid"]}};
  };
  json dep = cm("dep");
  // json::array: under clang a one-element braced list is a copy of the element, not an array of it.
  dep["metadata"]["ownerReferences"] = json::array({ref(owner)});
  json shared = cm("shared");
  shared["metadata"]["ownerReferences"] = {ref(owner), ref(other)};
  REQUIRE(s.create(gvr::kConfigMaps, "t", dep).isOk());
  REQUIRE(s.create(gvr::kConfigMaps, "t", shared).isOk());
  REQUIRE(s.remove(gvr::kConfigMaps, "t", "owner").isOk());
  CHECK(s.get(gvr::kConfigMaps, "t", "dep").error().code == 404);
  auto sh = s.get(gvr::kConfigMaps, "t", "shared");
  REQUIRE(sh.isOk());
  CHECK((*sh)["metadata"]["ownerReferences"].size() == 1);
  DeleteOptions orphan;
  orphan.propagationPolicy = "Orphan";
  REQUIRE(s.remove(gvr::kConfigMaps, "t", "other", orphan).isOk());
  CHECK(s.get(gvr::kConfigMaps, "t", "other").error().code == 404);
  sh = s.get(gvr::kConfigMaps, "t", "shared");
  REQUIRE(sh.isOk());
  CHECK(!(*sh)["metadata"].contains("ownerReferences"));
}

TEST_CASE("watch replays from an RV, maps selector transitions, and answers 410 when compacted", "[kube-sim][store]") {
  ObjectStore s(StoreOptions{"", 5});
  withNamespace(s);
  json c = *s.create(gvr::kConfigMaps, "t", cm("c"));
  uint64_t rv = s.currentResourceVersion();
  WatchOptions wo;
  wo.resourceVersion = rv;
  wo.labelSelector = "y=2";
  auto w = s.watch(gvr::kConfigMaps, "t", wo);
  REQUIRE(w.isOk());
  REQUIRE(
      s.patch(gvr::kConfigMaps, "t", "c", PatchType::MergePatch, {{"metadata", {{"labels", {{"y", "2"}}}}}}).isOk());
  REQUIRE(s.patch(gvr::kConfigMaps, "t", "c", PatchType::MergePatch, {{"metadata", {{"labels", {{"y", nullptr}}}}}})
              .isOk());
  auto e1 = (*w)->next(1s);
  auto e2 = (*w)->next(1s);
  REQUIRE(e1);
  REQUIRE(e2);
  CHECK(e1->type == "ADDED");
  CHECK(e2->type == "DELETED");
  CHECK(e2->resourceVersion > e1->resourceVersion);
  CHECK(!(*w)->next(100ms));
  for (int i = 0; i < 10; i++) {
    REQUIRE(s.patch(gvr::kConfigMaps, "t", "c", PatchType::MergePatch, {{"data", {{"n", std::to_string(i)}}}}).isOk());
  }
  WatchOptions old;
  old.resourceVersion = rv;
  auto expired = s.watch(gvr::kConfigMaps, "t", old);
  REQUIRE(expired.isOk());
  auto err = (*expired)->next(1s);
  REQUIRE(err);
  CHECK(err->type == "ERROR");
  CHECK(err->object["code"] == 410);
  CHECK(err->object["reason"] == "Expired");
  CHECK((*expired)->closed());
  (void)c;
}
