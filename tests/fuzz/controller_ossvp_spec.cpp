// Fuzz target: the OSSVolumePopulator object as the controller reads it
// from the API server: JSON -> parseOssvpObject / parseAndValidateOssvpSpec
// (controller/include/ossvp/controller/ossvp_types.h, ossvp_validation.h).
// Input: a JSON document (an object, or a bare spec).
// Invariants: no crash/UB and no exception (the functions return Result);
// every validation message starts with its field path (except the CRD's
// CEL rule messages, kept word for word); a spec that
// validates yields a bucket, endpoint and OSS key prefix that are safe to
// use (prefix relative, no "."/".."/empty segments, ends with '/').
#include <algorithm>

#include <nlohmann/json.hpp>

#include "fuzz_util.h"
#include "ossvp/controller/ossvp_types.h"
#include "ossvp/controller/ossvp_validation.h"

using namespace ossvp::controller;

namespace {

void checkValidSpec(const OssvpSpec& spec) {
  FUZZ_CHECK(checkBucketName(spec.bucket).empty(), "valid spec with a bad bucket");
  FUZZ_CHECK(spec.endpoint.find("://") == std::string::npos, "valid spec with a scheme in the endpoint");
  std::string prefix = spec.objectPrefix();
  FUZZ_CHECK(prefix.empty() || (prefix.front() != '/' && prefix.back() == '/'), "bad prefix " + prefix);
  std::string_view rest = prefix;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    FUZZ_CHECK(!seg.empty() && seg != "." && seg != "..", "unsafe segment in prefix " + prefix);
    rest.remove_prefix(slash + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ossvp::fuzz::quietLogs();
  auto doc = nlohmann::json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded()) return 0;

  auto object = parseOssvpObject(doc);
  const nlohmann::json& spec = doc.is_object() && doc.contains("spec") ? doc["spec"] : doc;
  auto parsed = parseOssvpSpec(spec);
  if (parsed) {
    auto errors = validateOssvpSpec(*parsed);
    const auto cel = celRuleMessages();
    for (const auto& e : errors) {
      // The CRD's CEL rule messages are kept word for word (no field prefix).
      bool isCel = std::find(cel.begin(), cel.end(), e.message) != cel.end();
      FUZZ_CHECK(!e.field.empty() && (isCel || e.message.rfind(e.field, 0) == 0),
                 "message does not start with its field: " + e.message);
    }
    ossvp::Status s = validationStatus(errors);
    FUZZ_CHECK(s.isOk() == errors.empty(), "validationStatus disagrees with the error list");
    if (errors.empty()) checkValidSpec(*parsed);
  }
  auto both = parseAndValidateOssvpSpec(spec);
  if (both) checkValidSpec(*both);
  FUZZ_CHECK(!both.isOk() || parsed.isOk(), "validated a spec that does not parse");
  if (object) (void)object->spec.objectPrefix();
  return 0;
}
