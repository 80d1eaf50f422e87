// Watch: one client's live watch on a resource of the ObjectStore. The store
// (its WatchHub) pushes matching events into the watch's queue; the client
// pulls them with next(). Subscription: a watch drained by its own thread
// into a callback (ObjectStore::subscribe), stopped when the handle dies.
//
// Thread-safety: Watch is thread-safe (own mutex, taken after the store's:
// the store pushes while holding its lock). Its filter is fixed at
// construction. A Subscription is owned by one thread; its callback runs on
// the delivery thread and may call the store.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "store/api_error.h"
#include "store/selectors.h"

namespace ossvp::kubesim {

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK, ERROR
  json object;       // full object; for ERROR a meta/v1 Status; for BOOKMARK {metadata.resourceVersion}
  uint64_t resourceVersion = 0;
};

// Which objects a watch sees and how its bookmarks are shaped.
struct WatchFilter {
  std::string storageKey;  // the resource's storage (ObjectTable key)
  std::string ns;          // "" = all namespaces
  LabelSelector labels;
  FieldSelector fields;
  bool bookmarks = false;
  std::string kind, apiVersion;  // of the BOOKMARK objects

  bool matches(const json& obj) const;
};

class Watch {
 public:
  explicit Watch(WatchFilter filter) : filter_(std::move(filter)) {}

  // Next event, or nullopt after `timeout` / when closed. After an ERROR event the watch is closed.
  std::optional<WatchEvent> next(std::chrono::milliseconds timeout);
  bool closed() const;
  void stop();  // idempotent; also called by the store's dropAllWatches()
  const WatchFilter& filter() const { return filter_; }

 private:
  friend class WatchHub;
  void push(WatchEvent ev);

  const WatchFilter filter_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WatchEvent> queue_;
  bool closed_ = false;
};

// Handle for subscribe(): stops the delivery thread on destruction.
class Subscription {
 public:
  Subscription() = default;
  Subscription(std::shared_ptr<Watch> w, std::thread t) : watch_(std::move(w)), thread_(std::move(t)) {}
  Subscription(Subscription&&) = default;
  Subscription& operator=(Subscription&& o) noexcept;
  ~Subscription();
  void stop();

 private:
  std::shared_ptr<Watch> watch_;
  std::thread thread_;
};

}  // namespace ossvp::kubesim
