// FakeKubeApi: an in-memory Kubernetes API for unit tests. It is both the
// ApiClient the reconciler writes through and the ObjectReader it reads
// from (like an always-fresh informer cache). It assigns uid,
// resourceVersion and creationTimestamp on create; answers 409 on create of
// an existing name and on a stale resourceVersion; applies JSON patches
// (including `test`) and merge patches; honours finalizers on delete
// (deletionTimestamp, removal once the list is empty); records every write
// as an action string; can inject a failure for the next matching call; and
// serves scripted watch streams for informer tests.
//
// Thread-safety: internally synchronized.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ossvp/controller/kube/api_client.h"

namespace ossvp::controller::testing {

using kube::Object;
using kube::Resource;

class FakeKubeApi : public kube::ApiClient, public kube::ObjectReader {
 public:
  // Stores `obj` as the server would (metadata filled when absent); returns it.
  Object seed(const Resource& r, Object obj);
  std::optional<Object> find(const Resource& r, const std::string& ns, const std::string& name) const;
  std::vector<Object> all(const Resource& r) const;
  // Writes so far: "create pods ack-volume-populator/populate-u1", "patch ...", "delete ...", "status ...".
  std::vector<std::string> actions() const;
  void clearActions();
  // Events recorded through the API (objects of kind Event).
  std::vector<Object> events() const;
  // Events whose reason equals `reason`.
  std::vector<Object> eventsWithReason(const std::string& reason) const;
  // The next call of `verb` ("get", "list", "create", "update", "status", "patch", "delete", "watch")
  // on resource plural `plural` fails with `status`.
  void failNext(const std::string& verb, const std::string& plural, Status status);

  // Scripted watch: events pushed here are delivered to the next/current watch
  // of that resource; a pushed event of type "CLOSE" ends the stream normally.
  void pushWatchEvent(const Resource& r, kube::WatchEvent ev);
  int watchCalls(const Resource& r) const;
  int listCalls(const Resource& r) const;

  // kube::ApiClient
  Result<Object> get(const Resource& r, const std::string& ns, const std::string& name) override;
  Result<kube::ListResult> list(const Resource& r, const std::string& ns, const kube::ListOptions& o) override;
  Result<Object> create(const Resource& r, const std::string& ns, const Object& obj) override;
  Result<Object> update(const Resource& r, const Object& obj) override;
  Result<Object> updateStatus(const Resource& r, const Object& obj) override;
  Result<Object> patch(const Resource& r, const std::string& ns, const std::string& name, kube::PatchType type,
                       const Object& patch, bool statusSubresource) override;
  Status remove(const Resource& r, const std::string& ns, const std::string& name,
                const kube::DeleteOptions& options) override;
  Status watch(const Resource& r, const std::string& ns, const kube::WatchOptions& options,
               const std::function<bool(const kube::WatchEvent&)>& onEvent, const kube::Cancellation& cancel) override;

  // kube::ObjectReader
  kube::ObjectPtr getCached(const Resource& r, const std::string& ns, const std::string& name) const override;
  std::vector<kube::ObjectPtr> listCached(const Resource& r, const std::string& ns,
                                          const kube::LabelPairs& labels) const override;

 private:
  static std::string key(const Resource& r, const std::string& ns, const std::string& name);
  Status injected(const std::string& verb, const Resource& r);  // requires mu_
  void stampLocked(Object& obj);
  Result<Object> storeLocked(const Resource& r, Object obj, const std::string& action);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Object> objects_;
  std::vector<std::string> actions_;
  std::map<std::string, Status> failures_;  // "verb plural" -> status
  std::map<std::string, std::deque<kube::WatchEvent>> watchQueues_;
  std::map<std::string, int> watchCalls_, listCalls_;
  uint64_t rv_ = 100;
  uint64_t uid_ = 0;
};

// Builders that keep test tables short.
Object makePvc(const std::string& ns, const std::string& name, const std::string& uid, const std::string& ossvpName,
               const std::string& storageClass = "csi-sim");
Object makeOssvpGeneric(const std::string& ns, const std::string& name, const std::string& secretRef = "oss-secret");
Object makeStorageClass(const std::string& name, bool waitForFirstConsumer);
Object makeSecret(const std::string& ns, const std::string& name);

}  // namespace ossvp::controller::testing
