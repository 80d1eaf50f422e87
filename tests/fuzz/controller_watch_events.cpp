// Fuzz target: a Kubernetes watch response body, through the controller's
// real watch path: WatchStreamDecoder (the framing RestApiClient::watch uses)
// and applyWatchEvent (what Informer applies to its cache), then the object
// readers the reconcilers use on cached objects (object_util.h) and
// parseOssvpObject.
// Input: byte 0 seeds how the stream is cut into chunks (corpus files that
// start with '{' simply get one chunking); the whole input is the stream.
// Invariants checked (a violation aborts, i.e. is a finding):
//  - the events, skipped-line count and failure state do not depend on how
//    the bytes were chunked (one feed vs. many small ones);
//  - buffered bytes never exceed the line limit plus one chunk;
//  - no exception escapes the decoder, the applier or the readers of a
//    cached object (Informer runs them on its thread: an exception would
//    either kill the controller or break and resume the same stream forever);
//  - after each Changed outcome the cache holds exactly that object (or not,
//    for Deleted); Ignored leaves the cache unchanged; the resume point
//    follows every string resourceVersion.
#include <nlohmann/json.hpp>

#include <vector>

#include "fuzz_util.h"
#include "ossvp/controller/kube/object_cache.h"
#include "ossvp/controller/kube/object_util.h"
#include "ossvp/controller/kube/watch_event_applier.h"
#include "ossvp/controller/kube/watch_stream_decoder.h"
#include "ossvp/controller/ossvp_types.h"

using namespace ossvp::controller::kube;

namespace {

// Small enough that max_len inputs exercise the overlong-line failure.
constexpr size_t kMaxLine = 4096;

struct Decoded {
  std::vector<WatchEvent> events;
  size_t skipped = 0;
  bool failed = false;
};

// Feeds `stream` in chunks of the sizes `chunkSize()` yields, as
// RestApiClient::watch does (feed, deliver, stop on failure), then finishes.
template <typename ChunkSize>
Decoded decode(std::string_view stream, ChunkSize chunkSize) {
  WatchStreamDecoder d(kMaxLine);
  Decoded out;
  auto collect = [&](const WatchEvent& ev) {
    out.events.push_back(ev);
    return true;
  };
  while (!stream.empty()) {
    size_t n = std::min(stream.size(), chunkSize());
    d.feed(stream.substr(0, n));
    stream.remove_prefix(n);
    FUZZ_CHECK(d.bufferedBytes() <= kMaxLine + n, "decoder holds " + std::to_string(d.bufferedBytes()));
    d.deliver(collect);
    if (!d.status().isOk()) break;
  }
  d.finish();
  d.deliver(collect);
  out.skipped = d.skippedLines();
  out.failed = !d.status().isOk();
  FUZZ_CHECK(d.eventsDecoded() == out.events.size(), "eventsDecoded disagrees with events delivered");
  return out;
}

void readObject(const Object& obj) {
  (void)uidOf(obj);
  (void)isDeleting(obj);
  (void)annotationOf(obj, "volume.kubernetes.io/storage-provisioner");
  (void)labelOf(obj, "app");
  (void)hasFinalizer(obj, "storage.alibabacloud.com/ossvp-protection");
  (void)labelsMatch(obj, {{"app", "x"}});
  (void)stringAt(obj, "/spec/volumeName");
  (void)stringAt(obj, "/spec/dataSourceRef/name");
  (void)ossvp::parseRfc3339(stringAt(obj, "/metadata/creationTimestamp"));
  (void)ossvp::controller::parseOssvpObject(obj);
}

// Informer::apply's use of applyWatchEvent, with the invariants above.
void applyAll(const std::vector<WatchEvent>& events) {
  ObjectCache cache;
  std::string resourceVersion;
  for (const auto& ev : events) {
    size_t before = cache.size();
    std::string rvBefore = resourceVersion;
    AppliedWatchEvent a = applyWatchEvent(cache, ev, &resourceVersion);
    if (a.outcome == AppliedWatchEvent::Outcome::Relist) {
      FUZZ_CHECK(ev.type == "ERROR", "relist for a " + ev.type + " event");
      FUZZ_CHECK(resourceVersion == rvBefore, "an ERROR event moved the resume point");
      break;  // the informer abandons the stream here
    }
    std::string rv = resourceVersionOf(ev.object);
    FUZZ_CHECK(resourceVersion == (rv.empty() ? rvBefore : rv), "resume point not at the event's version");
    if (a.outcome == AppliedWatchEvent::Outcome::Ignored) {
      FUZZ_CHECK(cache.size() == before, "an ignored event changed the cache");
      FUZZ_CHECK(a.malformed == ((ev.type == "ADDED" || ev.type == "MODIFIED" || ev.type == "DELETED") &&
                                 !isCacheableObject(ev.object)),
                 "malformed flag wrong for a " + ev.type + " event");
      continue;
    }
    FUZZ_CHECK(a.object && *a.object == ev.object && isCacheableObject(*a.object), "changed object differs");
    const std::string ns = namespaceOf(*a.object), name = nameOf(*a.object);
    if (a.change == ChangeType::Deleted) {
      FUZZ_CHECK(cache.get(ns, name) == nullptr, "deleted object still cached: " + ns + "/" + name);
    } else {
      auto got = cache.get(ns, name);
      FUZZ_CHECK(got == a.object, "upserted object not returned: " + ns + "/" + name);
      FUZZ_CHECK((a.change == ChangeType::Added) == (cache.size() == before + 1), "Added/Modified wrong");
    }
  }
  for (const auto& obj : cache.list("")) readObject(*obj);
  FUZZ_CHECK(cache.list("").size() == cache.size(), "list(\"\") and size() disagree");
}

bool sameEvents(const Decoded& a, const Decoded& b) {
  if (a.events.size() != b.events.size() || a.skipped != b.skipped || a.failed != b.failed) return false;
  for (size_t i = 0; i < a.events.size(); ++i) {
    if (a.events[i].type != b.events[i].type || a.events[i].object != b.events[i].object) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ossvp::fuzz::quietLogs();
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  Decoded whole = decode(stream, [] { return ~size_t{0}; });
  uint32_t state = size ? data[0] : 0;
  Decoded chunked = decode(stream, [&state] {
    state = state * 1103515245u + 12345u;
    return size_t{1} + (state >> 16) % 97;  // 1..97 bytes
  });
  FUZZ_CHECK(sameEvents(whole, chunked), "chunking changed the decoded events");
  applyAll(chunked.events);
  return 0;
}
