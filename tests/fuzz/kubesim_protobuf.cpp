// Fuzz target: kube-sim's Kubernetes protobuf body decoder
// (hack/kube-sim/src/server/protobuf_decoder.h), which reads
// "k8s\0" + runtime.Unknown from kubectl.
// Input: the request body. Inputs that do not start with the magic get it
// prepended, so the fuzzer spends its time past the envelope check.
// Invariants: no crash/UB/exception; a decoded body is a JSON object with
// apiVersion and kind; a failure carries a 4xx code.
#include "fuzz_util.h"
#include "server/protobuf_decoder.h"

using namespace ossvp::kubesim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  if (body.rfind(std::string("k8s\0", 4), 0) != 0) body.insert(0, std::string("k8s\0", 4));
  auto decoded = decodeKubernetesProtobuf(body);
  if (decoded) {
    FUZZ_CHECK(decoded->is_object() && decoded->contains("apiVersion") && decoded->contains("kind"),
               "decoded body lacks apiVersion/kind: " + decoded->dump().substr(0, 200));
  } else {
    FUZZ_CHECK(decoded.error().code >= 400 && decoded.error().code < 500,
               "decode failure with code " + std::to_string(decoded.error().code));
  }
  return 0;
}
