// applyWatchEvent: what one watch event does to an informer's ObjectCache,
// separated from the Informer's thread and retry loop so that it is
// unit-tested and fuzzed directly (tests/fuzz/controller_watch_events.cpp).
//
// Rules (those of client-go's reflector):
//  - ADDED / MODIFIED store the object (reported as Added when it was not
//    cached, else Modified); DELETED removes it (reported as Deleted with the
//    server's last copy, even if it was not cached).
//  - BOOKMARK only advances the resourceVersion.
//  - ERROR ends the stream and asks for a relist (410 Expired is the usual
//    one); its code and message are returned for the log.
//  - An object event whose object is not a JSON object with a string
//    metadata.name (and string namespace/resourceVersion when present) is
//    malformed: ignored, the cache untouched. Unknown types are ignored.
//  - Every event carrying a resourceVersion string advances *resourceVersion,
//    so a resumed watch starts after it (also past a malformed event).
//
// Thread-safety: as the ObjectCache (internally synchronized); the
// resourceVersion string belongs to the caller.
#pragma once

#include <string>

#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/kube/object_cache.h"

namespace ossvp::controller::kube {

enum class ChangeType { Added, Modified, Deleted };

struct AppliedWatchEvent {
  enum class Outcome {
    Changed,  // the cache changed: report `change` of `object` to handlers
    Ignored,  // bookmark, unknown type or malformed object: nothing to report
    Relist,   // ERROR event: abandon the stream and relist
  };
  Outcome outcome = Outcome::Ignored;
  ChangeType change = ChangeType::Added;  // when Changed
  ObjectPtr object;                       // when Changed
  bool malformed = false;                 // Ignored because the object was unusable
  int errorCode = 0;                      // when Relist (0 if the server gave none)
  std::string errorMessage;               // when Relist
};

// True for an object the cache accepts: a JSON object whose metadata.name is
// a non-empty string and whose namespace/resourceVersion, when present, are
// strings. The informer also filters listed items with it.
bool isCacheableObject(const Object& obj);

AppliedWatchEvent applyWatchEvent(ObjectCache& cache, const WatchEvent& ev, std::string* resourceVersion);

}  // namespace ossvp::controller::kube
