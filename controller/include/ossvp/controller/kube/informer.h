// Informer: keeps an ObjectCache of one resource in sync with the API server
// by list + watch, and tells handlers about every change.
//
// Behaviour: a paginated list fills the cache, then a watch from the list's
// resourceVersion (with bookmarks) streams changes. A stream that ends is
// resumed from the last seen resourceVersion; a 410 Expired (as an HTTP code
// or an ERROR event) triggers a fresh list, whose differences to the cache
// are reported as ADDED/MODIFIED/DELETED (watch events are applied by
// applyWatchEvent, watch_event_applier.h); transport errors are retried with
// exponential backoff (200 ms doubling to 30 s). Handlers run on the
// informer's own thread and must only enqueue work.
//
// Thread-safety: addHandler() before start(); everything else from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/kube/object_cache.h"
#include "ossvp/controller/kube/watch_event_applier.h"

namespace ossvp::controller::kube {

struct InformerOptions {
  std::string ns;             // "" = all namespaces
  std::string labelSelector;  // server-side filter
  int watchTimeoutSeconds = 120;
  int pageSize = 500;
};

class Informer {
 public:
  using Handler = std::function<void(ChangeType, const Object& obj)>;

  Informer(ApiClient& api, Resource resource, InformerOptions options = {});
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void addHandler(Handler h);
  void start();
  void stop();
  // True once the first list has completed (false on timeout or stop).
  bool waitForSync(std::chrono::milliseconds timeout) const;

  const ObjectCache& cache() const { return cache_; }
  const Resource& resource() const { return resource_; }

 private:
  void run();
  Status relist();
  // Applies one watch event; returns false when the stream must be abandoned.
  bool apply(const WatchEvent& ev, bool* needRelist);
  void dispatch(ChangeType type, const Object& obj);

  ApiClient& api_;
  const Resource resource_;
  const InformerOptions options_;
  ObjectCache cache_;
  std::vector<Handler> handlers_;  // fixed after start()
  Cancellation cancel_;
  std::thread thread_;
  std::string resourceVersion_;  // used only on the informer thread

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool synced_ = false;  // guarded by mu_
};

}  // namespace ossvp::controller::kube
