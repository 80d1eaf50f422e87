// Label/field selectors, patches, protobuf request decoding, table helpers.
#include <catch2/catch.hpp>

#include "server/protobuf_decoder.h"
#include "server/tables.h"
#include "store/patch.h"
#include "store/selectors.h"

using namespace ossvp::kubesim;

TEST_CASE("label selectors: equality, sets, existence", "[kube-sim][selectors]") {
  auto sel = LabelSelector::parse("app in (a,b),tier!=db,!legacy");
  REQUIRE(sel.isOk());
  CHECK(sel->matches({{"app", "a"}}));
  CHECK(sel->matches({{"app", "b"}, {"tier", "web"}}));
  CHECK(!sel->matches({{"app", "a"}, {"tier", "db"}}));
  CHECK(!sel->matches({{"app", "c"}}));
  CHECK(!sel->matches({{"app", "a"}, {"legacy", "1"}}));
  CHECK(!LabelSelector::parse("a in (b").isOk());
  auto j = LabelSelector::fromJson({{"matchLabels", {{"x", "1"}}},
                                    {"matchExpressions", {{{"key", "y"}, {"operator", "NotIn"}, {"values", {"2"}}}}}});
  REQUIRE(j.isOk());
  CHECK(j->matches({{"x", "1"}}));
  CHECK(!j->matches({{"x", "1"}, {"y", "2"}}));
}

TEST_CASE("field selectors: supported labels only", "[kube-sim][selectors]") {
  auto ok = FieldSelector::parse("spec.nodeName=n1,status.phase!=Failed", {"spec.nodeName", "status.phase"}, true);
  REQUIRE(ok.isOk());
  CHECK(ok->matches({{"spec", {{"nodeName", "n1"}}}, {"status", {{"phase", "Running"}}}}));
  CHECK(!ok->matches({{"spec", {{"nodeName", "n2"}}}}));
  auto bad = FieldSelector::parse("spec.foo=x", {"spec.nodeName"}, true);
  REQUIRE(!bad.isOk());
  CHECK(bad.error().message == "field label not supported: spec.foo");
}

TEST_CASE("strategic merge patch merges keyed lists and honours directives", "[kube-sim][patch]") {
  json pod = {{"spec", {{"containers", {{{"name", "a"}, {"image", "1"}}, {{"name", "b"}, {"image", "1"}}}}}},
              {"metadata", {{"finalizers", {"x"}}}}};
  auto r = applyStrategicMergePatch(
      pod, {{"spec", {{"containers", {{{"name", "b"}, {"image", "2"}}}}}}, {"metadata", {{"finalizers", {"y"}}}}});
  REQUIRE(r.isOk());
  CHECK((*r)["spec"]["containers"].size() == 2);
  CHECK((*r)["spec"]["containers"][0]["image"] == "1");
  CHECK((*r)["spec"]["containers"][1]["image"] == "2");
  CHECK((*r)["metadata"]["finalizers"] == json({"x", "y"}));
  auto del = applyStrategicMergePatch(*r, {{"spec", {{"containers", {{{"name", "a"}, {"$patch", "delete"}}}}}}});
  CHECK((*del)["spec"]["containers"].size() == 1);
  auto prim = applyStrategicMergePatch(*r, {{"metadata", {{"$deleteFromPrimitiveList/finalizers", {"x"}}}}});
  CHECK((*prim)["metadata"]["finalizers"] == json({"y"}));
}

TEST_CASE("json patch test failure is 422 and merge patch deletes nulls", "[kube-sim][patch]") {
  json cm = {{"data", {{"a", "b"}}}};
  auto bad = applyJsonPatch(
      cm, json::parse(R"([{"op":"test","path":"/data/a","value":"z"},{"op":"remove","path":"/data/a"}])"), "ConfigMap",
      "c");
  REQUIRE(!bad.isOk());
  CHECK(bad.error().code == 422);
  auto m = applyMergePatch(cm, {{"data", {{"a", nullptr}, {"c", "d"}}}});
  CHECK(*m == json({{"data", {{"c", "d"}}}}));
}

TEST_CASE("protobuf ConfigMap body decodes to JSON", "[kube-sim][protobuf]") {
  // ConfigMap{metadata{name:"c"}, data{"a":"b"}} inside runtime.Unknown.
  auto field = [](int num, const std::string& payload) {
    return std::string(1, static_cast<char>((num << 3) | 2)) + std::string(1, static_cast<char>(payload.size())) +
           payload;
  };
  std::string meta = field(1, "c");
  std::string entry = field(1, "a") + field(2, "b");
  std::string raw = field(1, meta) + field(2, entry);
  std::string typeMeta = field(1, "v1") + field(2, "ConfigMap");
  std::string body = std::string("k8s\0", 4) + field(1, typeMeta) + field(2, raw);
  auto j = decodeKubernetesProtobuf(body);
  REQUIRE(j.isOk());
  CHECK((*j)["kind"] == "ConfigMap");
  CHECK((*j)["metadata"]["name"] == "c");
  CHECK((*j)["data"]["a"] == "b");
}

TEST_CASE("printer-column JSONPath and ages", "[kube-sim][tables]") {
  json o = {{"status", {{"conditions", {{{"type", "A"}, {"status", "x"}}, {{"type", "Ready"}, {"status", "True"}}}}}}};
  CHECK(evalJsonPath(o, ".status.conditions[?(@.type==\"Ready\")].status") == "True");
  CHECK(evalJsonPath(o, ".status.conditions[0].type") == "A");
  CHECK(evalJsonPath(o, ".spec.missing").is_null());
  CHECK(humanAge("not a time") == "<unknown>");
}
