// CRD structural schema handling and the CEL subset used by our CRD.
#include <catch2/catch.hpp>

#include "server/cel_lite.h"
#include "server/schema_validator.h"

using namespace ossvp::kubesim;
using nlohmann::json;

namespace {
json widgetSchema() {
  return json::parse(R"({"type":"object","properties":{"spec":{"type":"object",
    "x-kubernetes-validations":[{"rule":"!has(self.node) || self.mode == 'b'","message":"node needs mode b"}],
    "required":["mode"],
    "properties":{"size":{"type":"integer","default":1,"minimum":0},
      "mode":{"type":"string","enum":["a","b"]},"node":{"type":"string","pattern":"^node-[0-9]+$"},
      "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}})");
}
}  // namespace

TEST_CASE("pruning reports unknown fields but keeps preserved subtrees", "[kube-sim][schema]") {
  json obj = {{"apiVersion", "x/v1"},
              {"kind", "W"},
              {"metadata", {{"name", "w"}}},
              {"spec", {{"mode", "a"}, {"bogus", 1}, {"extra", {{"anything", true}}}}}};
  std::vector<std::string> unknown;
  pruneUnknown(widgetSchema(), obj, "", true, unknown);
  CHECK(unknown == std::vector<std::string>{"spec.bogus"});
  CHECK(obj["spec"]["extra"]["anything"] == true);
  CHECK(obj.contains("metadata"));
}

TEST_CASE("defaults then validation with API-server wording", "[kube-sim][schema]") {
  json obj = {{"spec", {{"mode", "a"}}}};
  applyDefaults(widgetSchema(), obj, true);
  CHECK(obj["spec"]["size"] == 1);
  CHECK(validateAgainstSchema(widgetSchema(), obj, "", true).empty());
  json bad = {{"spec", {{"mode", "c"}, {"size", "x"}, {"node", "n1"}}}};
  json causes = validateAgainstSchema(widgetSchema(), bad, "", true);
  std::vector<std::string> messages;
  for (const auto& c : causes)
    messages.push_back(c["field"].get<std::string>() + ": " + c["message"].get<std::string>());
  CHECK(std::find(messages.begin(), messages.end(),
                  "spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"") !=
        messages.end());
  CHECK(std::find(messages.begin(), messages.end(),
                  "spec.mode: Unsupported value: \"c\": supported values: \"a\", \"b\"") != messages.end());
  CHECK(std::find(messages.begin(), messages.end(),
                  "spec.node: Invalid value: \"n1\": spec.node in body should match '^node-[0-9]+$'") !=
        messages.end());
  CHECK(std::find(messages.begin(), messages.end(), "spec: Invalid value: \"object\": node needs mode b") !=
        messages.end());
  json missing = {{"spec", json::object()}};
  json c2 = validateAgainstSchema(widgetSchema(), missing, "", true);
  REQUIRE(!c2.empty());
  CHECK(c2[0]["field"] == "spec.mode");
  CHECK(c2[0]["reason"] == "FieldValueRequired");
}

TEST_CASE("CEL subset evaluates the forms our CRD uses", "[kube-sim][cel]") {
  json self = {{"mode", "generic"}, {"generic", {{"secretRef", {{"name", "s"}}}}}, {"list", {1, 2}}};
  std::string err;
  CHECK(evaluateCelRule("(has(self.mode) && self.mode == 'bmcpfs-dataflow') || (has(self.generic) && "
                        "(has(self.generic.secretRef) || has(self.generic.rrsaConfigs)))",
                        self, &err) == CelOutcome::Pass);
  CHECK(evaluateCelRule("!(has(self.generic.secretRef) && has(self.generic.rrsaConfigs))", self, &err) ==
        CelOutcome::Pass);
  CHECK(evaluateCelRule("!has(self.generic) || !has(self.mode) || self.mode == 'generic'", self, &err) ==
        CelOutcome::Pass);
  CHECK(evaluateCelRule("has(self.roleArn) && has(self.oidcProviderArn)", self, &err) == CelOutcome::Fail);
  CHECK(evaluateCelRule("size(self.list) == 2 && self.mode.startsWith('gen')", self, &err) == CelOutcome::Pass);
  CHECK(evaluateCelRule("self.nothere == 'x'", self, &err) == CelOutcome::Error);
  CHECK(err == "no such key: nothere");
  CHECK(evaluateCelRule("self.mode == oldSelf.mode", self, &err) == CelOutcome::Unsupported);
}

TEST_CASE("CRD structural checks", "[kube-sim][schema]") {
  json untyped = json::parse(R"({"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}})");
  CHECK(!structuralErrors(untyped, "spec.versions[0].schema.openAPIV3Schema").empty());
  CHECK(structuralErrors(widgetSchema(), "x").empty());
}
