// Fuzz target: kube-sim's CEL-lite evaluator (hack/kube-sim/src/server/cel_lite.h).
// Input: first line the rule, the rest a JSON value for `self` (null when not JSON).
// Invariants: no crash/UB/exception/hang; an Error outcome comes with a message.
#include "fuzz_util.h"
#include "server/cel_lite.h"

using namespace ossvp::kubesim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ossvp::fuzz::FuzzInput in(data, size);
  std::string rule(in.next());
  std::string_view rest = in.rest();
  auto self = nlohmann::json::parse(rest.begin(), rest.end(), nullptr, false);
  if (self.is_discarded()) self = nullptr;
  std::string error;
  CelOutcome outcome = evaluateCelRule(rule, self, &error);
  if (outcome == CelOutcome::Error) FUZZ_CHECK(!error.empty(), "Error outcome without a message: " + rule);
  return 0;
}
