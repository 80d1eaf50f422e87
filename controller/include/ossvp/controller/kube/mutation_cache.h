// MutationCache: read-your-own-writes on top of informer caches, after
// client-go's MutationCache. An informer shows the controller's own writes
// only when their watch events arrive; a reconcile pass in between reads a
// copy from before the write and repeats it (a second create answered with
// AlreadyExists, a finalizer patch whose test fails and forces a re-read, a
// status write that conflicts). This class is both the ApiClient the
// reconciler writes through and the ObjectReader it reads from: it forwards
// every call, keeps the object a successful create, update, status update
// or patch of a tracked resource returned, and serves that object while the
// cache still shows the version it showed when the write was made. As soon
// as the cache shows anything else (the write itself, or a newer change by
// someone else), or after `ttl`, the cache's copy is served again. A delete
// forgets the object (the cache shows the deletion, or the object still
// being deleted). resourceVersions are only compared for equality, never
// ordered, as the API requires.
//
// Thread-safety: internally synchronized; `api` and `cache` must be
// thread-safe and outlive this object.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "ossvp/controller/clock.h"
#include "ossvp/controller/kube/api_client.h"

namespace ossvp::controller::kube {

class MutationCache final : public ApiClient, public ObjectReader {
 public:
  // Writes of `tracked` resources are remembered (by plural); others only
  // pass through.
  MutationCache(ApiClient& api, const ObjectReader& cache, const std::vector<Resource>& tracked,
                const Clock& clock = Clock::system(), std::chrono::seconds ttl = std::chrono::seconds(10));

  // ---- ObjectReader: the cache, with this process's newer writes on top
  ObjectPtr getCached(const Resource& r, const std::string& ns, const std::string& name) const override;
  std::vector<ObjectPtr> listCached(const Resource& r, const std::string& ns, const LabelPairs& labels) const override;

  // ---- ApiClient: forwarded; successful writes remembered
  Result<Object> get(const Resource& r, const std::string& ns, const std::string& name) override;
  Result<ListResult> list(const Resource& r, const std::string& ns, const ListOptions& options) override;
  Result<Object> create(const Resource& r, const std::string& ns, const Object& obj) override;
  Result<Object> update(const Resource& r, const Object& obj) override;
  Result<Object> updateStatus(const Resource& r, const Object& obj) override;
  Result<Object> patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                       const Object& patch, bool statusSubresource = false) override;
  Status remove(const Resource& r, const std::string& ns, const std::string& name,
                const DeleteOptions& options = {}) override;
  Status watch(const Resource& r, const std::string& ns, const WatchOptions& options,
               const std::function<bool(const WatchEvent&)>& onEvent, const Cancellation& cancel) override;

  // Objects remembered now (tests, metrics).
  size_t size() const;

 private:
  struct Written {
    std::string cacheVersion;  // what the cache showed when the write was made ("" = nothing)
    ObjectPtr object;          // what the write returned
    Clock::Instant at;
  };
  static std::string keyOf(const Resource& r, const std::string& ns, const std::string& name);
  // The cache's resourceVersion of the object now ("" when absent).
  std::string cacheVersion(const Resource& r, const std::string& ns, const std::string& name) const;
  // Remembers a write's result, made while the cache showed `before`.
  Result<Object> remember(const Resource& r, const std::string& before, Result<Object> written);
  // The remembered object if it is still newer than `cached`; forgets it otherwise.
  ObjectPtr newer(const std::string& key, const ObjectPtr& cached) const;

  ApiClient& api_;
  const ObjectReader& cache_;
  const std::set<std::string> tracked_;
  const Clock& clock_;
  const std::chrono::seconds ttl_;
  mutable std::mutex mu_;
  mutable std::map<std::string, Written> written_;  // guarded by mu_; by plural/ns/name
  Clock::Instant pruned_{};                         // guarded by mu_; last sweep of expired writes
};

}  // namespace ossvp::controller::kube
