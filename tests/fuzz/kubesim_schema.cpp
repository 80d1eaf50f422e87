// Fuzz target: kube-sim's structural-schema handling for custom resources —
// pruning, defaulting, validation (incl. x-kubernetes-validations via
// CEL-lite) and the CRD structural checks
// (hack/kube-sim/src/server/schema_validator.h).
// Input: a JSON array [schema, value] (anything else is ignored).
// Invariants: no crash/UB/exception/hang; validation causes are an array of
// objects carrying a message; pruning twice removes nothing more.
#include "fuzz_util.h"
#include "server/schema_validator.h"

using namespace ossvp::kubesim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto doc = nlohmann::json::parse(data, data + size, nullptr, false);
  if (!doc.is_array() || doc.size() != 2 || !doc[0].is_object()) return 0;
  const nlohmann::json& schema = doc[0];
  nlohmann::json value = doc[1];
  bool root = value.is_object() && value.contains("apiVersion");

  (void)structuralErrors(schema, "spec");
  std::vector<std::string> unknown;
  pruneUnknown(schema, value, "", root, unknown);
  std::vector<std::string> again;
  nlohmann::json pruned = value;
  pruneUnknown(schema, pruned, "", root, again);
  FUZZ_CHECK(again.empty() && pruned == value, "pruning is not idempotent");
  applyDefaults(schema, value, root);
  nlohmann::json causes = validateAgainstSchema(schema, value, "", root);
  FUZZ_CHECK(causes.is_array() || causes.is_null(), "causes are not an array");
  if (causes.is_array()) {
    for (const auto& c : causes) {
      FUZZ_CHECK(c.is_object() && c.contains("message"), "cause without a message: " + c.dump());
    }
  }
  return 0;
}
