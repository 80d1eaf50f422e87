// WatchHub: fan-out with selector transitions, bounded per-resource history
// (410 once compacted), bookmarks, and detaching every watch.
#include <catch2/catch.hpp>

#include "store/watch_hub.h"

using namespace ossvp::kubesim;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<Watch> watchOf(const std::string& storageKey, const std::string& labelSelector = "",
                               bool bookmarks = false) {
  WatchFilter f;
  f.storageKey = storageKey;
  f.labels = *LabelSelector::parse(labelSelector);
  f.bookmarks = bookmarks;
  f.kind = "ConfigMap";
  f.apiVersion = "v1";
  return std::make_shared<Watch>(std::move(f));
}

json cm(const std::string& name, const std::string& color) {
  return {{"metadata", {{"name", name}, {"namespace", "t"}, {"labels", {{"color", color}}}}}};
}

StoredChange change(uint64_t rv, const std::string& type, json obj, json old = json()) {
  return {rv, "/configmaps", type, std::move(obj), std::move(old)};
}

std::string nextType(Watch& w) {
  auto ev = w.next(0ms);
  return ev ? ev->type : "none";
}

}  // namespace

TEST_CASE("watch hub: a change that enters or leaves the selector is ADDED or DELETED", "[kube-sim][watch]") {
  WatchHub hub(10);
  auto red = watchOf("/configmaps", "color=red");
  auto secrets = watchOf("/secrets");
  hub.add(red);
  hub.add(secrets);
  hub.publish(change(2, "ADDED", cm("a", "blue")));
  hub.publish(change(3, "MODIFIED", cm("a", "red"), cm("a", "blue")));
  hub.publish(change(4, "MODIFIED", cm("a", "red"), cm("a", "red")));
  hub.publish(change(5, "MODIFIED", cm("a", "green"), cm("a", "red")));
  CHECK(nextType(*red) == "ADDED");
  CHECK(nextType(*red) == "MODIFIED");
  auto left = red->next(0ms);
  REQUIRE(left);
  CHECK(left->type == "DELETED");
  CHECK(left->object["metadata"]["labels"]["color"] == "red");  // the old content, at the new RV
  CHECK(left->object["metadata"]["resourceVersion"] == "5");
  CHECK(nextType(*red) == "none");
  CHECK(nextType(*secrets) == "none");
}

TEST_CASE("watch hub: replay from a kept RV, 410 once the history is compacted past it", "[kube-sim][watch]") {
  WatchHub hub(2);
  for (uint64_t rv = 2; rv <= 4; rv++) hub.publish(change(rv, "MODIFIED", cm("a", "red"), cm("a", "red")));
  auto fresh = watchOf("/configmaps");
  CHECK(hub.replaySince(*fresh, 2));  // rv 2 fell out: 3 and 4 are kept, nothing newer is missing
  CHECK(fresh->next(0ms)->resourceVersion == 3);
  CHECK(fresh->next(0ms)->resourceVersion == 4);
  auto old = watchOf("/configmaps");
  CHECK(!hub.replaySince(*old, 1));
  auto err = old->next(0ms);
  REQUIRE(err);
  CHECK(err->type == "ERROR");
  CHECK(err->object["code"] == 410);
  CHECK(old->closed());
  auto other = watchOf("/secrets");
  CHECK(hub.replaySince(*other, 1));  // the bound is per resource
  hub.compact(4);
  CHECK(!hub.replaySince(*watchOf("/secrets"), 3));
}

TEST_CASE("watch hub: existing objects, bookmarks and detaching", "[kube-sim][watch]") {
  WatchHub hub(10);
  ObjectMap objs;
  json a = cm("a", "red");
  a["metadata"]["resourceVersion"] = "7";
  objs[{"t", "a"}] = std::make_shared<const json>(a);
  objs[{"t", "b"}] = std::make_shared<const json>(cm("b", "blue"));
  auto red = watchOf("/configmaps", "color=red", true);
  auto plain = watchOf("/configmaps");
  hub.sendExisting(*red, &objs);
  auto added = red->next(0ms);
  REQUIRE(added);
  CHECK(added->type == "ADDED");
  CHECK(added->resourceVersion == 7);
  CHECK(nextType(*red) == "none");
  hub.add(red);
  hub.add(plain);
  hub.bookmark(9);
  auto bm = red->next(0ms);
  REQUIRE(bm);
  CHECK(bm->type == "BOOKMARK");
  CHECK(bm->object["metadata"]["resourceVersion"] == "9");
  CHECK(bm->object["kind"] == "ConfigMap");
  CHECK(nextType(*plain) == "none");
  CHECK(hub.detachAll().size() == 2);
  hub.publish(change(10, "ADDED", cm("c", "red")));
  CHECK(nextType(*red) == "none");
}
