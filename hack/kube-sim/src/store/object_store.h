// ObjectStore: kube-sim's in-process etcd + generic registry. Holds every API
// object as JSON keyed by resource + namespace + name and implements the
// Kubernetes write semantics shared by all kinds:
//   - one global resourceVersion counter bumped by each write, uid,
//     creationTimestamp, generateName, generation on spec changes;
//   - optimistic concurrency (409 on stale resourceVersion), no-op writes
//     keep the old RV and emit no event, status subresource split;
//   - merge / JSON / strategic-merge patches;
//   - delete with finalizers + deletionTimestamp, background/orphan
//     /foreground ownerReference garbage collection done here;
//   - list with label/field selectors + limit/continue; watch from an RV with a
//     bounded history (410 Expired when compacted);
//   - optional persistence to a state dir (snapshot rewritten shortly after
//     writes: ~100 ms, longer for large stores so that it takes <= ~10% of
//     the time; always on flush() and destruction).
// Kind-specific behaviour (defaults, validation, CRD schemas) plugs in as
// admission hooks; both the HTTP API server and the in-process actors go
// through the same store calls, so actors see exactly what kubectl sees.
//
// Thread-safety: all methods are thread-safe (one internal mutex). Admission
// and commit hooks run under that mutex and MUST NOT call back into the store.
// Watch callbacks (subscribe) run on their own thread and MAY call the store.
// Lock order: flushMu_ (one snapshot writer at a time), then mu_ (the store),
// then a Watch's own mutex (the store pushes events while holding mu_).
//
// Files: object_store.cpp is the write/read core (CRUD, patch, delete, watch
// registration, applying garbage collection); object_store_housekeeping.cpp
// holds the members the background thread runs (bookmarks, pod expiry,
// snapshot load/flush). The concerns with state or logic of their own live in
// their own types: WatchHub (watch fan-out and history), planGarbageCollection
// (garbage_collector.h), expiredPods (pod_expiry.h), the state file
// (store_persistence.h); the store calls them under mu_.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/api_error.h"
#include "store/object_table.h"
#include "store/resource_registry.h"
#include "store/selectors.h"
#include "store/watch.h"
#include "store/watch_hub.h"

namespace ossvp::kubesim {

struct ListOptions {
  std::string labelSelector;  // "a=b,c in (d),!e"
  std::string fieldSelector;  // "metadata.name=x,spec.nodeName!=y"
  int64_t limit = 0;          // 0 = no limit
  std::string continueToken;
};

struct ListResult {
  std::vector<json> items;
  uint64_t resourceVersion = 0;  // store revision at the time of the list
  std::string continueToken;     // non-empty when more items remain
  int64_t remainingItemCount = 0;
};

struct WriteOptions {
  bool dryRun = false;
  std::string fieldManager;
  // "Strict" | "Warn" | "Ignore" (admission hooks read it; default Ignore for in-process writers).
  std::string fieldValidation = "Ignore";
  // Writes to the status subresource: only .status is taken from the input.
  bool statusSubresource = false;
  // Actors may set this to skip the optimistic-lock check on update.
  bool ignoreResourceVersion = false;
};

enum class PatchType { JsonPatch, MergePatch, StrategicMergePatch, ApplyPatch };

struct DeleteOptions {
  std::string propagationPolicy;  // "", Background, Foreground, Orphan
  std::optional<int64_t> gracePeriodSeconds;
  std::optional<std::string> preconditionUid;
  std::optional<std::string> preconditionResourceVersion;
  bool dryRun = false;
};

struct WatchOptions {
  // 0 (or unset): synthetic ADDED for every matching object, then changes.
  // N: only changes with RV > N (410 ERROR event if N is compacted).
  std::optional<uint64_t> resourceVersion;
  std::string labelSelector;
  std::string fieldSelector;
  bool allowBookmarks = false;
};

// Kind of write an admission hook sees.
enum class Operation { Create, Update, Delete };

struct AdmissionRequest {
  Operation op;
  const ResourceInfo& info;
  const json* oldObject;  // null on create
  const WriteOptions& options;
  std::string ns;
};
// Mutating + validating admission: may change `obj`; return an error to reject.
using AdmissionHook = std::function<std::optional<ApiError>(const AdmissionRequest&, json& obj)>;
// Called after a write commits (type ADDED/MODIFIED/DELETED), under the store lock.
using CommitHook = std::function<void(const ResourceInfo&, const std::string& type, const json& obj)>;

struct StoreOptions {
  std::string stateDir;       // empty: memory only
  size_t historySize = 1000;  // retained watch events (older RVs answer 410)
};

class ObjectStore {
 public:
  explicit ObjectStore(StoreOptions options = {});
  ~ObjectStore();
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;

  ResourceRegistry& registry() { return registry_; }

  void addAdmission(AdmissionHook hook);
  void addCommitHook(CommitHook hook);

  // `ns` is ignored for cluster-scoped resources. For namespaced resources an
  // empty ns on list/watch means all namespaces.
  ApiResult<json> create(const GVR& gvr, const std::string& ns, json obj, const WriteOptions& o = {});
  ApiResult<json> get(const GVR& gvr, const std::string& ns, const std::string& name) const;
  ApiResult<ListResult> list(const GVR& gvr, const std::string& ns, const ListOptions& o = {}) const;
  // PUT semantics: obj.metadata.name names the object; RV checked if present.
  ApiResult<json> update(const GVR& gvr, const std::string& ns, json obj, const WriteOptions& o = {});
  ApiResult<json> updateStatus(const GVR& gvr, const std::string& ns, json obj, WriteOptions o = {});
  ApiResult<json> patch(const GVR& gvr, const std::string& ns, const std::string& name, PatchType type,
                        const json& patch, const WriteOptions& o = {});
  // Returns the object as of the delete (with deletionTimestamp if finalizers hold it).
  ApiResult<json> remove(const GVR& gvr, const std::string& ns, const std::string& name, const DeleteOptions& o = {});
  ApiResult<std::shared_ptr<Watch>> watch(const GVR& gvr, const std::string& ns, const WatchOptions& o = {});
  // Runs `cb` on a dedicated thread for every event until the Subscription dies
  // or cb returns false. Starts with synthetic ADDED for existing objects
  // unless o.resourceVersion is set.
  ApiResult<Subscription> subscribe(const GVR& gvr, const std::string& ns, const WatchOptions& o,
                                    std::function<bool(const WatchEvent&)> cb);

  uint64_t currentResourceVersion() const;

  // Fault injection: close every open watch (clients see EOF), forget history
  // so old RVs answer 410.
  void dropAllWatches();
  void compactHistory();
  // Writes the snapshot now (also done ~100 ms after each write when stateDir is set).
  void flush();

  // In-process readers (the cluster actors): every object of a resource (all
  // namespaces when `ns` is empty), shared and immutable, without copying.
  // No selectors or paging; unknown resources give an empty list.
  std::vector<std::shared_ptr<const json>> listShared(const GVR& gvr, const std::string& ns = "") const;

 private:
  ApiResult<ResourceInfo> resolve(const GVR& gvr) const;
  static std::string storageKeyOf(const ResourceInfo& info);
  ApiResult<json> createLocked(const ResourceInfo& info, const std::string& ns, json obj, const WriteOptions& o);
  ApiResult<json> updateLocked(const ResourceInfo& info, const std::string& ns, json obj, const WriteOptions& o,
                               const json* precomputedOld);
  ApiResult<json> removeLocked(const ResourceInfo& info, const std::string& ns, const std::string& name,
                               const DeleteOptions& o);
  ApiResult<json> commitUpdateLocked(const ResourceInfo& info, const std::string& ns, const json& old, json obj,
                                     const WriteOptions& o);
  void eraseLocked(const ResourceInfo& info, const std::string& ns, const std::string& name, json last);
  std::optional<ApiError> admitLocked(Operation op, const ResourceInfo& info, const json* old, const WriteOptions& o,
                                      const std::string& ns, json& obj);
  void recordLocked(const ResourceInfo& info, const std::string& type, json obj, json old);
  // Applies planGarbageCollection until nothing changes.
  void collectGarbageLocked();
  std::optional<ApiError> checkNamespaceLocked(const ResourceInfo& info, const std::string& ns) const;
  // object_store_housekeeping.cpp
  void sweepExpiredPodsLocked();
  void loadSnapshot();
  void flushLoop();

  StoreOptions options_;
  ResourceRegistry registry_;
  mutable std::mutex mu_;
  ObjectTable objects_;
  uint64_t rv_ = 1;
  WatchHub watches_;  // guarded by mu_
  std::vector<AdmissionHook> admission_;
  std::vector<CommitHook> commitHooks_;
  bool dirty_ = false;
  bool stopping_ = false;
  std::condition_variable flushCv_;
  std::mutex flushMu_;  // serializes flush() (taken before mu_)
  std::thread flushThread_;
};

}  // namespace ossvp::kubesim
