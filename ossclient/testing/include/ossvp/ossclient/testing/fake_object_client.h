// FakeObjectClient: an in-memory, deterministic ObjectClient for unit tests
// of the components above ossclient (fusecore, populator). Buckets and
// objects live in memory; listing pages, ETags, CRC64s and mtimes are
// reproducible. A per-request fault hook can fail a request with a Status,
// truncate its body, or delay it; every request is recorded for assertions.
//
// Async calls complete on the fake's own worker threads (never inside the
// call), honouring the ObjectClient callback contract; cancel() completes a
// pending (e.g. delayed) request with Cancelled.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ossvp/ossclient/object_client.h"

namespace ossvp::ossclient::testing {

enum class FakeOp { List, Head, Get, Put, InitiateMultipart, UploadPart, CompleteMultipart, AbortMultipart, Delete };
std::string_view fakeOpName(FakeOp op);

// What the fault hook sees (and what requests() records).
struct FakeRequestInfo {
  uint64_t sequence = 0;  // 1, 2, ... in arrival order
  FakeOp op = FakeOp::Get;
  std::string bucket;
  std::string key;                 // for List: the prefix
  uint64_t offset = 0;             // Get
  std::optional<uint64_t> length;  // Get
  int partNumber = 0;              // UploadPart
};

// What the fault hook returns. Default: no fault.
struct Fault {
  Status status;  // non-ok: the request fails with it (after the delay / truncated bytes)
  // Get only: deliver at most this many body bytes. With an ok status the
  // result then reports the short count (a short read the caller must detect);
  // with a failure status the bytes are delivered before failing.
  std::optional<uint64_t> truncateTo;
  std::chrono::milliseconds delay{0};  // before completing (async calls: cancellable)
};
using FaultHook = std::function<Fault(const FakeRequestInfo&)>;

struct FakeOptions {
  int workerThreads = 2;
  int64_t startTime = 1700000000;     // mtime given to objects; advances 1 s per write
  bool requireExistingBucket = true;  // unknown bucket -> NotFound (NoSuchBucket)
  // How long a worker keeps a completed async call's callback after it
  // returns, before destroying it. A real client's I/O thread also drops the
  // callback (and all it captured) only after it returns; widening that
  // window lets a test show that nothing a callback holds outlives its owner.
  std::chrono::milliseconds callbackLinger{0};
};

class FakeObjectClient final : public ObjectClient {
 public:
  explicit FakeObjectClient(FakeOptions options = {});
  ~FakeObjectClient() override;
  FakeObjectClient(const FakeObjectClient&) = delete;
  FakeObjectClient& operator=(const FakeObjectClient&) = delete;

  // ---- seeding and inspection (bypass faults and the request log)
  void createBucket(const std::string& bucket);
  // Stores an object (creating the bucket); returns its metadata.
  ObjectMeta putObject(const std::string& bucket, const std::string& key, std::string data);
  std::optional<std::string> objectData(const std::string& bucket, const std::string& key) const;
  std::vector<std::string> keys(const std::string& bucket) const;
  size_t pendingMultipartUploads() const;

  // ---- fault injection and request log
  void setFaultHook(FaultHook hook);  // replaces; nullptr clears
  // Convenience: the next `count` requests of `op` fail with `status`.
  void failNext(FakeOp op, Status status, int count = 1);
  std::vector<FakeRequestInfo> requests() const;
  size_t requestCount(FakeOp op) const;
  void clearRequests();

  // ---- ObjectClient
  Result<ListPage> list(const ListRequest& request) override;
  Result<ObjectMeta> head(const std::string& bucket, const std::string& key) override;
  AsyncHandle getAsync(GetRequest request, GetCallback callback) override;
  Result<PutResult> put(const PutRequest& request) override;
  Result<std::string> initiateMultipart(const std::string& bucket, const std::string& key) override;
  AsyncHandle uploadPartAsync(UploadPartRequest request, PartCallback callback) override;
  Result<PutResult> completeMultipart(const CompleteMultipartRequest& request) override;
  Status abortMultipart(const std::string& bucket, const std::string& key, const std::string& uploadId) override;
  Status deleteObject(const std::string& bucket, const std::string& key) override;

 private:
  struct Object {
    std::string data;
    ObjectMeta meta;
  };
  struct Upload {
    std::string bucket, key;
    std::map<int, std::string> parts;
  };
  struct Scheduler;

  Fault admit(FakeRequestInfo info);       // records the request, consults hooks
  Status admitSync(FakeRequestInfo info);  // admit + delay in the caller's thread; the fault's status
  ObjectMeta storeLocked(const std::string& bucket, const std::string& key, std::string data, int parts);
  Status checkBucketLocked(const std::string& bucket) const;
  Result<GetResult> doGet(const GetRequest& request, const Fault& fault);
  Result<PartResult> doUploadPart(const UploadPartRequest& request, const Fault& fault);
  // Runs `run` on a worker after `delay`; with Cancelled if cancelled first.
  AsyncHandle schedule(std::chrono::milliseconds delay, std::function<void(Status)> run);

  const FakeOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, Object>> buckets_;
  std::map<std::string, Upload> uploads_;
  int64_t clock_;
  uint64_t nextUploadId_ = 1;
  uint64_t sequence_ = 0;
  std::vector<FakeRequestInfo> log_;
  FaultHook hook_;
  std::map<FakeOp, std::pair<Status, int>> failNext_;

  std::shared_ptr<Scheduler> scheduler_;  // worker threads running async completions
};

}  // namespace ossvp::ossclient::testing
