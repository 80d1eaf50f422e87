// ObjectStore members run by its background thread (bookmarks every second,
// the pod expiry sweep, snapshot flushes) and the state dir's load at start.
// They share the store's mutex, so they stay members; the logic of their own
// is in pod_expiry.h and store_persistence.h.
#include <ctime>

#include "store/object_store.h"
#include "store/pod_expiry.h"
#include "store/store_persistence.h"

namespace ossvp::kubesim {

void ObjectStore::sweepExpiredPodsLocked() {
  auto info = registry_.find(gvr::kPods);
  if (!info) return;
  std::vector<ObjectId> expired = expiredPods(objects_, static_cast<int64_t>(std::time(nullptr)));
  for (const auto& id : expired) {
    auto it = objects_["/pods"].find(id);
    if (it == objects_["/pods"].end()) continue;
    json last = *it->second;
    eraseLocked(*info, id.first, id.second, last);
  }
  if (!expired.empty()) collectGarbageLocked();
}

void ObjectStore::loadSnapshot() {
  if (options_.stateDir.empty()) return;
  std::optional<StoreSnapshot> snap = readStoreSnapshot(options_.stateDir);
  if (!snap) return;
  rv_ = snap->resourceVersion;
  objects_ = std::move(snap->objects);
  watches_.compact(rv_);  // no history survives a restart: older RVs answer 410
}

void ObjectStore::flush() {
  if (options_.stateDir.empty()) return;
  // One writer at a time (the flush thread and a final flush on SIGTERM), so
  // an older snapshot never replaces a newer one.
  std::lock_guard<std::mutex> writer(flushMu_);
  // Only the (immutable, shared) objects are taken under the store lock; the
  // serialization runs without it, so API requests are not held up.
  uint64_t rv = 0;
  std::vector<SnapshotPart> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    rv = rv_;
    for (const auto& [key, objs] : objects_) {
      std::vector<ObjectPtr> items;
      items.reserve(objs.size());
      for (const auto& [id, ptr] : objs) items.push_back(ptr);
      all.emplace_back(key, std::move(items));
    }
    dirty_ = false;
  }
  writeStoreSnapshot(options_.stateDir, rv, all);
}

void ObjectStore::flushLoop() {
  auto lastBookmark = std::chrono::steady_clock::now();
  auto lastSweep = lastBookmark;
  auto lastFlushEnd = lastBookmark;
  std::chrono::steady_clock::duration lastFlushTook{};
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    flushCv_.wait_for(lock, std::chrono::milliseconds(100));
    if (stopping_) break;
    auto now = std::chrono::steady_clock::now();
    if (now - lastBookmark >= std::chrono::seconds(1)) {
      lastBookmark = now;
      watches_.bookmark(rv_);
    }
    if (now - lastSweep >= std::chrono::seconds(1)) {
      lastSweep = now;
      sweepExpiredPodsLocked();
    }
    // Large stores: the snapshot takes at most ~10% of the time (a 10,000
    // object store is rewritten about every 0.5 s instead of every 100 ms).
    if (dirty_ && now - lastFlushEnd >= 10 * lastFlushTook) {
      lock.unlock();
      auto began = std::chrono::steady_clock::now();
      flush();
      lastFlushEnd = std::chrono::steady_clock::now();
      lastFlushTook = lastFlushEnd - began;
      lock.lock();
    }
  }
}

}  // namespace ossvp::kubesim
