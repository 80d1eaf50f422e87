// ObjectStore's shared, immutable objects: listShared() hands out the stored
// objects without copying (a later write replaces, never mutates, them), the
// state-dir snapshot written from them loads back, and recordEvent()
// aggregates repeats by name (client-go's correlator) instead of scanning.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>

#include "store/cluster_context.h"
#include "store/object_store.h"

using namespace ossvp::kubesim;

namespace {

json cm(const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", {{"k", value}}}};
}

void addNamespace(ObjectStore& s, const std::string& ns) {
  REQUIRE(s.create(gvr::kNamespaces, "", {{"metadata", {{"name", ns}}}}).isOk());
}

}  // namespace

TEST_CASE("listShared hands out stored objects that later writes do not change", "[kube-sim][store]") {
  ObjectStore s;
  addNamespace(s, "a");
  addNamespace(s, "b");
  json x = *s.create(gvr::kConfigMaps, "a", cm("x", "1"));
  REQUIRE(s.create(gvr::kConfigMaps, "b", cm("y", "1")).isOk());

  auto all = s.listShared(gvr::kConfigMaps);
  REQUIRE(all.size() == 2);
  auto inA = s.listShared(gvr::kConfigMaps, "a");
  REQUIRE(inA.size() == 1);
  CHECK((*inA[0])["data"]["k"] == "1");
  CHECK(inA[0] == all[0]);  // the same stored object, not a copy

  x["data"]["k"] = "2";
  REQUIRE(s.update(gvr::kConfigMaps, "a", x).isOk());
  CHECK((*inA[0])["data"]["k"] == "1");  // what was handed out stays as it was
  CHECK((*s.listShared(gvr::kConfigMaps, "a")[0])["data"]["k"] == "2");
  CHECK(s.listShared(GVR{"", "v1", "nosuchthings"}).empty());
}

TEST_CASE("the state-dir snapshot loads back every object and the resourceVersion", "[kube-sim][store]") {
  char tmpl[] = "/tmp/kube-sim-store-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  uint64_t rv = 0;
  {
    ObjectStore s(StoreOptions{dir, 1000});
    addNamespace(s, "a");
    REQUIRE(s.create(gvr::kConfigMaps, "a", cm("x", "quote \" and \\ backslash")).isOk());
    REQUIRE(s.create(gvr::kConfigMaps, "a", cm("y", "2")).isOk());
    json y = *s.get(gvr::kConfigMaps, "a", "y");
    y["data"]["k"] = "3";
    REQUIRE(s.update(gvr::kConfigMaps, "a", y).isOk());
    rv = s.currentResourceVersion();
    s.flush();
  }
  ObjectStore reloaded(StoreOptions{dir, 1000});
  CHECK(reloaded.currentResourceVersion() == rv);
  auto x = reloaded.get(gvr::kConfigMaps, "a", "x");
  REQUIRE(x.isOk());
  CHECK((*x)["data"]["k"] == "quote \" and \\ backslash");
  CHECK((*reloaded.get(gvr::kConfigMaps, "a", "y"))["data"]["k"] == "3");
  CHECK(reloaded.get(gvr::kNamespaces, "", "a").isOk());
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST_CASE("recordEvent bumps the count of a repeat and recreates a deleted Event", "[kube-sim][store]") {
  ObjectStore s;
  addNamespace(s, "a");
  json involved = *s.create(gvr::kConfigMaps, "a", cm("x", "1"));
  recordEvent(s, involved, "Normal", "Tested", "same message", "unit");
  recordEvent(s, involved, "Normal", "Tested", "same message", "unit");
  recordEvent(s, involved, "Normal", "Tested", "another message", "unit");
  auto events = s.list(gvr::kEvents, "a");
  REQUIRE(events.isOk());
  REQUIRE(events->items.size() == 2);
  std::string repeated;
  for (const auto& e : events->items) {
    if (e["message"] == "same message") {
      CHECK(e["count"] == 2);
      repeated = e["metadata"]["name"];
    } else {
      CHECK(e["count"] == 1);
    }
  }
  REQUIRE(!repeated.empty());
  REQUIRE(s.remove(gvr::kEvents, "a", repeated).isOk());
  recordEvent(s, involved, "Normal", "Tested", "same message", "unit");
  events = s.list(gvr::kEvents, "a");
  REQUIRE(events.isOk());
  REQUIRE(events->items.size() == 2);
  for (const auto& e : events->items) {
    if (e["message"] == "same message") CHECK(e["count"] == 1);
  }
}
