// Fuzz target: Kubernetes watch-event stream lines and the JSON objects they
// carry, as the controller consumes them.
// The line framing is RestApiClient::watch's (one JSON document per line,
// parsed with exceptions off, {"type", "object"}); RestApiClient keeps it
// private, so it is restated here. Each event is then applied the way
// Informer::apply does, through the public API: resourceVersionOf, the
// ObjectCache (upsert / erase / get / list by labels), the ERROR event's
// code, and the object readers the reconcilers use (object_util.h), plus
// parseOssvpObject for every object.
// Exceptions: RestApiClient::watch catches std::exception around the event
// callback (the stream is abandoned and resumed), so a std::exception here is
// counted as "stream broken" and is not a finding; a crash, UB, a
// non-std exception, or a cache inconsistency is.
#include <nlohmann/json.hpp>

#include "fuzz_util.h"
#include "ossvp/controller/kube/object_cache.h"
#include "ossvp/controller/kube/object_util.h"
#include "ossvp/controller/ossvp_types.h"

using namespace ossvp::controller::kube;

namespace {

void readObject(const Object& obj) {
  (void)uidOf(obj);
  (void)isDeleting(obj);
  (void)annotationOf(obj, "volume.kubernetes.io/storage-provisioner");
  (void)labelOf(obj, "app");
  (void)hasFinalizer(obj, "storage.alibabacloud.com/ossvp-protection");
  (void)labelsMatch(obj, {{"app", "x"}});
  (void)stringAt(obj, "/spec/volumeName");
  (void)stringAt(obj, "/spec/dataSourceRef/name");
  (void)parseRfc3339(stringAt(obj, "/metadata/creationTimestamp"));
  (void)ossvp::controller::parseOssvpObject(obj);
}

// Informer::apply, restated over the public ObjectCache API.
bool applyEvent(ObjectCache& cache, const std::string& type, const Object& object) {
  if (type == "ERROR") {
    (void)object.value("code", 0);
    return false;
  }
  (void)resourceVersionOf(object);
  if (type == "BOOKMARK") return true;
  auto obj = std::make_shared<const Object>(object);
  std::string ns = namespaceOf(*obj), name = nameOf(*obj);
  if (type == "DELETED") {
    cache.erase(ns, name);
    FUZZ_CHECK(cache.get(ns, name) == nullptr, "erased object still cached: " + ns + "/" + name);
  } else if (type == "ADDED" || type == "MODIFIED") {
    cache.upsert(obj);
    auto got = cache.get(ns, name);
    FUZZ_CHECK(got != nullptr && *got == *obj, "upserted object not returned: " + ns + "/" + name);
  }
  readObject(*obj);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ossvp::fuzz::quietLogs();
  ossvp::fuzz::FuzzInput in(data, size);
  ObjectCache cache;
  while (!in.empty()) {
    std::string text(in.next());
    auto parsed = Object::parse(text, nullptr, false);
    if (!parsed.is_object()) continue;
    try {
      std::string type = parsed.value("type", "");
      Object object = parsed.contains("object") ? parsed["object"] : Object();
      if (!applyEvent(cache, type, object)) break;
    } catch (const std::exception&) {
      break;  // RestApiClient::watch: "stream broken", the informer resumes
    }
  }
  size_t all = cache.list("").size();
  FUZZ_CHECK(all == cache.size(), "list(\"\") and size() disagree");
  return 0;
}
