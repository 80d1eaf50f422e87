#include "store/watch_hub.h"

#include <algorithm>

#include "store/object_meta.h"

namespace ossvp::kubesim {

WatchHub::WatchHub(size_t historySize) : historySize_(historySize == 0 ? 1 : historySize) {}

// Turns a stored change into what this watcher sees: an update that
// starts matching its selector is ADDED, one that stops matching is DELETED
// (old content, new resourceVersion).
void WatchHub::deliver(Watch& w, const StoredChange& ev) {
  const WatchFilter& f = w.filter();
  bool now = ev.type != "DELETED" && f.matches(ev.object);
  bool before = ev.type == "DELETED" ? f.matches(ev.object) : f.matches(ev.oldObject);
  if (ev.type == "DELETED") {
    if (before) w.push({"DELETED", ev.object, ev.rv});
  } else if (now && before) {
    w.push({"MODIFIED", ev.object, ev.rv});
  } else if (now) {
    w.push({"ADDED", ev.object, ev.rv});
  } else if (before) {
    json gone = ev.oldObject;
    gone["metadata"]["resourceVersion"] = std::to_string(ev.rv);
    w.push({"DELETED", gone, ev.rv});
  }
}

void WatchHub::sendExisting(Watch& w, const ObjectMap* objects) {
  if (!objects) return;
  for (const auto& [id, ptr] : *objects) {
    if (!w.filter().matches(*ptr)) continue;
    w.push({"ADDED", *ptr, objmeta::parseResourceVersion(objmeta::metaStr(*ptr, "resourceVersion"))});
  }
}

bool WatchHub::replaySince(Watch& w, uint64_t from) {
  const History& h = history_[w.filter().storageKey];
  if (uint64_t floor = std::max(compactedRv_, h.compactedRv); from < floor) {
    ApiError e =
        errExpired("too old resource version: " + std::to_string(from) + " (" + std::to_string(floor + 1) + ")");
    w.push({"ERROR", e.toStatus(), 0});
    return false;
  }
  for (const auto& ev : h.changes) {
    if (ev.rv > from) deliver(w, ev);
  }
  return true;
}

void WatchHub::add(std::shared_ptr<Watch> w) { watches_.push_back(std::move(w)); }

void WatchHub::publish(StoredChange ev) {
  // Dispatch to live watches (with selector transitions).
  std::vector<std::weak_ptr<Watch>> alive;
  for (auto& weak : watches_) {
    auto w = weak.lock();
    if (!w || w->closed()) continue;
    alive.push_back(weak);
    if (w->filter().storageKey != ev.storageKey) continue;
    deliver(*w, ev);
  }
  watches_ = std::move(alive);
  // Bounded per resource, like the API server's per-resource watch cache.
  History& h = history_[ev.storageKey];
  h.changes.push_back(std::move(ev));
  while (h.changes.size() > historySize_) {
    h.compactedRv = h.changes.front().rv;
    h.changes.pop_front();
  }
}

void WatchHub::bookmark(uint64_t rv) {
  for (auto& weak : watches_) {
    auto w = weak.lock();
    if (!w || !w->filter().bookmarks) continue;
    json bm = {{"kind", w->filter().kind},
               {"apiVersion", w->filter().apiVersion},
               {"metadata", {{"resourceVersion", std::to_string(rv)}}}};
    w->push({"BOOKMARK", bm, rv});
  }
}

void WatchHub::compact(uint64_t rv) {
  history_.clear();
  compactedRv_ = rv;
}

std::vector<std::weak_ptr<Watch>> WatchHub::detachAll() {
  std::vector<std::weak_ptr<Watch>> ws;
  ws.swap(watches_);
  return ws;
}

}  // namespace ossvp::kubesim
