// WatchHub: the ObjectStore's open watches and its recent changes. Fans each
// committed change out to the watches of that resource (an update that
// starts matching a watch's selector is ADDED to it, one that stops matching
// is DELETED), keeps a bounded history per resource (like the API server's
// watch cache) so a watch can start from a resourceVersion, answers 410
// Expired for versions compacted away, and sends bookmarks.
//
// Thread-safety: not thread-safe. The ObjectStore owns it and calls it under
// its own mutex; the hub then takes each Watch's mutex (lock order: store
// mutex, then watch mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/object_table.h"
#include "store/watch.h"

namespace ossvp::kubesim {

// A committed write as the hub records it: the new content (for DELETED the
// last one) and the previous content, for selector transitions.
struct StoredChange {
  uint64_t rv = 0;
  std::string storageKey;
  std::string type;  // ADDED, MODIFIED, DELETED
  json object;
  json oldObject;
};

class WatchHub {
 public:
  explicit WatchHub(size_t historySize);

  // Synthetic ADDED for every object of `objects` (may be null) that `w` matches.
  void sendExisting(Watch& w, const ObjectMap* objects);
  // The recorded changes after `fromRv` of w's resource. When `fromRv` was
  // compacted away, w gets one ERROR event (410 Expired) and this returns false.
  bool replaySince(Watch& w, uint64_t fromRv);
  // Registers `w` for the changes published from now on.
  void add(std::shared_ptr<Watch> w);
  void publish(StoredChange change);
  // A BOOKMARK at `rv` to every watch that asked for bookmarks.
  void bookmark(uint64_t rv);
  // Forgets the history: watches from a resourceVersion <= `rv` answer 410.
  void compact(uint64_t rv);
  // Unregisters every watch and hands them over (the caller stops them).
  std::vector<std::weak_ptr<Watch>> detachAll();

 private:
  struct History {
    std::deque<StoredChange> changes;
    uint64_t compactedRv = 0;  // watches of this resource from an RV < this answer 410
  };
  static void deliver(Watch& w, const StoredChange& change);

  const size_t historySize_;
  uint64_t compactedRv_ = 0;                // global floor (compact(), restart)
  std::map<std::string, History> history_;  // storage key -> recent changes
  std::vector<std::weak_ptr<Watch>> watches_;
};

}  // namespace ossvp::kubesim
