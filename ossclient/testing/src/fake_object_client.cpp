#include "ossvp/ossclient/testing/fake_object_client.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <thread>

#include "ossvp/common/base64.h"
#include "ossvp/ossclient/crc64.h"
#include "ossvp/ossclient/oss_error.h"

namespace ossvp::ossclient::testing {
namespace {

using Clock = std::chrono::steady_clock;

Status ossFailure(int http, const std::string& code, const std::string& message, const std::string& bucket,
                  const std::string& key) {
  OssError e;
  e.httpStatus = http;
  e.code = code;
  e.message = message;
  e.requestId = "FAKE-REQUEST";
  return toStatus(e, bucket, key);
}

std::string makeEtag(const std::string& data, int parts) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "\"%016llX%016llX", static_cast<unsigned long long>(crc64(data)),
                static_cast<unsigned long long>(data.size()));
  std::string out = buf;
  if (parts > 0) out += "-" + std::to_string(parts);
  return out + "\"";
}

}  // namespace

std::string_view fakeOpName(FakeOp op) {
  switch (op) {
    case FakeOp::List: return "List";
    case FakeOp::Head: return "Head";
    case FakeOp::Get: return "Get";
    case FakeOp::Put: return "Put";
    case FakeOp::InitiateMultipart: return "InitiateMultipart";
    case FakeOp::UploadPart: return "UploadPart";
    case FakeOp::CompleteMultipart: return "CompleteMultipart";
    case FakeOp::AbortMultipart: return "AbortMultipart";
    case FakeOp::Delete: return "Delete";
  }
  return "?";
}

// ---------------------------------------------------------------- scheduler

struct FakeObjectClient::Scheduler {
  struct Task {
    std::function<void(Status)> run;
    bool cancelled = false;
  };

  std::mutex mu;
  std::condition_variable cv;
  std::multimap<Clock::time_point, std::shared_ptr<Task>> tasks;
  bool stopping = false;
  std::chrono::milliseconds linger{0};  // FakeOptions::callbackLinger
  std::vector<std::thread> workers;

  void start(int n) {
    for (int i = 0; i < std::max(1, n); ++i) workers.emplace_back([this] { loop(); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stopping = true;
      std::multimap<Clock::time_point, std::shared_ptr<Task>> now;
      for (auto& [due, t] : tasks) {
        t->cancelled = true;
        now.emplace(Clock::time_point::min(), t);
      }
      tasks.swap(now);
    }
    cv.notify_all();
    for (auto& w : workers) w.join();
  }

  void cancel(const std::shared_ptr<Task>& task) {
    {
      std::lock_guard<std::mutex> lock(mu);
      for (auto it = tasks.begin(); it != tasks.end(); ++it) {
        if (it->second == task) {
          task->cancelled = true;
          tasks.erase(it);
          tasks.emplace(Clock::time_point::min(), task);
          break;
        }
      }
    }
    cv.notify_all();
  }

  void loop() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      if (tasks.empty()) {
        if (stopping) return;
        cv.wait(lock);
        continue;
      }
      auto due = tasks.begin()->first;
      if (due > Clock::now()) {
        cv.wait_until(lock, due);
        continue;
      }
      std::shared_ptr<Task> task = tasks.begin()->second;
      tasks.erase(tasks.begin());
      bool cancelled = task->cancelled;
      lock.unlock();
      task->run(cancelled ? Status(StatusCode::Cancelled, "request cancelled") : Status::ok());
      if (linger.count() > 0) std::this_thread::sleep_for(linger);
      task.reset();  // the callback and what it captured go here, unlocked
      lock.lock();
    }
  }
};

AsyncHandle FakeObjectClient::schedule(std::chrono::milliseconds delay, std::function<void(Status)> run) {
  auto task = std::make_shared<Scheduler::Task>();
  task->run = std::move(run);
  {
    std::lock_guard<std::mutex> lock(scheduler_->mu);
    scheduler_->tasks.emplace(Clock::now() + delay, task);
  }
  scheduler_->cv.notify_one();
  std::weak_ptr<Scheduler> weakScheduler = scheduler_;
  std::weak_ptr<Scheduler::Task> weakTask = task;
  return AsyncHandle([weakScheduler, weakTask] {
    auto s = weakScheduler.lock();
    auto t = weakTask.lock();
    if (s && t) s->cancel(t);
  });
}

// ---------------------------------------------------------------- setup

FakeObjectClient::FakeObjectClient(FakeOptions options)
    : options_(options), clock_(options.startTime), scheduler_(std::make_shared<Scheduler>()) {
  scheduler_->linger = options_.callbackLinger;
  scheduler_->start(options_.workerThreads);
}

FakeObjectClient::~FakeObjectClient() { scheduler_->stop(); }

void FakeObjectClient::createBucket(const std::string& bucket) {
  std::lock_guard<std::mutex> lock(mu_);
  buckets_[bucket];
}

ObjectMeta FakeObjectClient::storeLocked(const std::string& bucket, const std::string& key, std::string data,
                                         int parts) {
  Object obj;
  obj.meta.key = key;
  obj.meta.size = data.size();
  obj.meta.mtime = clock_++;
  obj.meta.etag = makeEtag(data, parts);
  obj.meta.crc64 = crc64(data);
  obj.meta.storageClass = "Standard";
  obj.meta.objectType = parts > 0 ? "Multipart" : "Normal";
  obj.meta.contentType = "application/octet-stream";
  obj.data = std::move(data);
  ObjectMeta meta = obj.meta;
  buckets_[bucket][key] = std::move(obj);
  return meta;
}

ObjectMeta FakeObjectClient::putObject(const std::string& bucket, const std::string& key, std::string data) {
  std::lock_guard<std::mutex> lock(mu_);
  return storeLocked(bucket, key, std::move(data), 0);
}

std::optional<std::string> FakeObjectClient::objectData(const std::string& bucket, const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = buckets_.find(bucket);
  if (b == buckets_.end()) return std::nullopt;
  auto o = b->second.find(key);
  if (o == b->second.end()) return std::nullopt;
  return o->second.data;
}

std::vector<std::string> FakeObjectClient::keys(const std::string& bucket) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  auto b = buckets_.find(bucket);
  if (b != buckets_.end()) {
    for (const auto& [k, v] : b->second) out.push_back(k);
  }
  return out;
}

size_t FakeObjectClient::pendingMultipartUploads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return uploads_.size();
}

void FakeObjectClient::setFaultHook(FaultHook hook) {
  std::lock_guard<std::mutex> lock(mu_);
  hook_ = std::move(hook);
}

void FakeObjectClient::failNext(FakeOp op, Status status, int count) {
  std::lock_guard<std::mutex> lock(mu_);
  failNext_[op] = {std::move(status), count};
}

std::vector<FakeRequestInfo> FakeObjectClient::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

size_t FakeObjectClient::requestCount(FakeOp op) const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<size_t>(std::count_if(log_.begin(), log_.end(), [op](const auto& r) { return r.op == op; }));
}

void FakeObjectClient::clearRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  log_.clear();
}

Fault FakeObjectClient::admit(FakeRequestInfo info) {
  FaultHook hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    info.sequence = ++sequence_;
    log_.push_back(info);
    auto it = failNext_.find(info.op);
    if (it != failNext_.end() && it->second.second > 0) {
      --it->second.second;
      Fault f;
      f.status = it->second.first;
      return f;
    }
    hook = hook_;
  }
  return hook ? hook(info) : Fault{};
}

Status FakeObjectClient::admitSync(FakeRequestInfo info) {
  Fault fault = admit(std::move(info));
  if (fault.delay.count() > 0) std::this_thread::sleep_for(fault.delay);
  return fault.status;
}

Status FakeObjectClient::checkBucketLocked(const std::string& bucket) const {
  if (options_.requireExistingBucket && buckets_.find(bucket) == buckets_.end()) {
    return ossFailure(404, "NoSuchBucket", "The specified bucket does not exist.", bucket, "");
  }
  return Status::ok();
}

// ---------------------------------------------------------------- operations

Result<ListPage> FakeObjectClient::list(const ListRequest& request) {
  OSSVP_RETURN_IF_ERROR(admitSync({0, FakeOp::List, request.bucket, request.prefix, 0, std::nullopt, 0}));
  if (request.maxKeys < 1 || request.maxKeys > 1000) {
    return invalidArgument("max-keys must be 1..1000, got " + std::to_string(request.maxKeys));
  }
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_RETURN_IF_ERROR(checkBucketLocked(request.bucket));
  static const std::map<std::string, Object> kEmpty;
  auto b = buckets_.find(request.bucket);
  const auto& objects = b == buckets_.end() ? kEmpty : b->second;

  // The token is "k<key>" (resume after that key) or "p<prefix>" (after every key under it).
  std::string marker = request.startAfter;
  std::string skipPrefix;
  if (!request.continuationToken.empty()) {
    auto decoded = base64Decode(request.continuationToken);
    if (!decoded || decoded->empty() || ((*decoded)[0] != 'k' && (*decoded)[0] != 'p')) {
      return ossFailure(400, "InvalidArgument", "The continuation token is not valid.", request.bucket, "");
    }
    if ((*decoded)[0] == 'k') {
      marker = std::max(marker, decoded->substr(1));
    } else {
      skipPrefix = decoded->substr(1);
      marker = std::max(marker, skipPrefix);
    }
  }
  ListPage page;
  int count = 0;
  std::string lastToken;
  for (auto it = objects.upper_bound(marker); it != objects.end(); ++it) {
    const std::string& key = it->first;
    if (key.compare(0, request.prefix.size(), request.prefix) != 0) {
      if (key > request.prefix) break;
      continue;
    }
    if (!skipPrefix.empty() && key.compare(0, skipPrefix.size(), skipPrefix) == 0) continue;
    std::string common;
    if (!request.delimiter.empty()) {
      size_t pos = key.find(request.delimiter, request.prefix.size());
      if (pos != std::string::npos) common = key.substr(0, pos + request.delimiter.size());
    }
    if (!common.empty() && !page.commonPrefixes.empty() && page.commonPrefixes.back() == common) continue;
    if (count == request.maxKeys) {
      page.isTruncated = true;
      page.nextContinuationToken = base64Encode(lastToken);
      break;
    }
    ++count;
    if (!common.empty()) {
      page.commonPrefixes.push_back(common);
      lastToken = "p" + common;
      skipPrefix = common;
    } else {
      page.objects.push_back(it->second.meta);
      lastToken = "k" + key;
    }
  }
  return page;
}

Result<ObjectMeta> FakeObjectClient::head(const std::string& bucket, const std::string& key) {
  OSSVP_RETURN_IF_ERROR(admitSync({0, FakeOp::Head, bucket, key, 0, std::nullopt, 0}));
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_RETURN_IF_ERROR(checkBucketLocked(bucket));
  auto b = buckets_.find(bucket);
  if (b == buckets_.end() || b->second.find(key) == b->second.end()) {
    return ossFailure(404, "NoSuchKey", "The specified key does not exist.", bucket, key);
  }
  return b->second.at(key).meta;
}

Result<GetResult> FakeObjectClient::doGet(const GetRequest& request, const Fault& fault) {
  std::string slice;
  GetResult result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    OSSVP_RETURN_IF_ERROR(checkBucketLocked(request.bucket));
    auto b = buckets_.find(request.bucket);
    auto o = b == buckets_.end() ? decltype(b->second.end()){} : b->second.find(request.key);
    if (b == buckets_.end() || o == b->second.end()) {
      return ossFailure(404, "NoSuchKey", "The specified key does not exist.", request.bucket, request.key);
    }
    const Object& obj = o->second;
    if (!request.ifMatch.empty() && request.ifMatch != obj.meta.etag) {
      return ossFailure(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold.",
                        request.bucket, request.key);
    }
    if (request.length && *request.length == 0) return invalidArgument("GetRequest.length must be > 0 when set");
    uint64_t size = obj.data.size();
    if (request.offset >= size && !(request.offset == 0 && size == 0)) {
      return ossFailure(416, "InvalidRange", "The requested range cannot be satisfied.", request.bucket, request.key);
    }
    uint64_t end = request.length ? std::min(size, request.offset + *request.length) : size;
    slice = obj.data.substr(request.offset, end - request.offset);
    result.meta = obj.meta;
  }
  bool whole = request.offset == 0 && slice.size() == result.meta.size;
  if (fault.truncateTo && *fault.truncateTo < slice.size()) slice.resize(*fault.truncateTo);
  if (request.dest != nullptr) {
    if (slice.size() > request.destCapacity) {
      return invalidArgument("GetRequest.destCapacity " + std::to_string(request.destCapacity) +
                             " is smaller than the " + std::to_string(slice.size()) + " bytes requested");
    }
    if (!slice.empty()) std::memcpy(request.dest, slice.data(), slice.size());
  } else if (request.sink) {
    OSSVP_RETURN_IF_ERROR(request.sink(slice));
  }
  if (!fault.status.isOk()) return fault.status;
  result.bytesWritten = slice.size();
  result.crcVerified = request.verifyCrc && whole && slice.size() == result.meta.size;
  return result;
}

AsyncHandle FakeObjectClient::getAsync(GetRequest request, GetCallback callback) {
  Fault fault = admit({0, FakeOp::Get, request.bucket, request.key, request.offset, request.length, 0});
  auto delay = fault.delay;
  return schedule(delay, [this, request = std::move(request), fault = std::move(fault),
                          callback = std::move(callback)](Status start) mutable {
    if (!start.isOk()) {
      callback(start.withContext("get " + request.bucket + "/" + request.key));
      return;
    }
    callback(doGet(request, fault));
  });
}

Result<PutResult> FakeObjectClient::put(const PutRequest& request) {
  OSSVP_RETURN_IF_ERROR(admitSync({0, FakeOp::Put, request.bucket, request.key, 0, std::nullopt, 0}));
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_RETURN_IF_ERROR(checkBucketLocked(request.bucket));
  ObjectMeta meta = storeLocked(request.bucket, request.key, std::string(request.data, request.size), 0);
  return PutResult{meta.etag, meta.crc64, "FAKE-REQUEST"};
}

Result<std::string> FakeObjectClient::initiateMultipart(const std::string& bucket, const std::string& key) {
  OSSVP_RETURN_IF_ERROR(admitSync({0, FakeOp::InitiateMultipart, bucket, key, 0, std::nullopt, 0}));
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_RETURN_IF_ERROR(checkBucketLocked(bucket));
  std::string id = "FAKEUPLOAD" + std::to_string(nextUploadId_++);
  uploads_[id] = Upload{bucket, key, {}};
  return id;
}

Result<PartResult> FakeObjectClient::doUploadPart(const UploadPartRequest& request, const Fault& fault) {
  if (!fault.status.isOk()) return fault.status;
  if (request.partNumber < 1 || request.partNumber > 10000) {
    return invalidArgument("part number must be 1..10000, got " + std::to_string(request.partNumber));
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = uploads_.find(request.uploadId);
  if (it == uploads_.end() || it->second.bucket != request.bucket || it->second.key != request.key) {
    return ossFailure(404, "NoSuchUpload", "The specified upload does not exist.", request.bucket, request.key);
  }
  std::string data(request.data, request.size);
  PartResult r{request.partNumber, makeEtag(data, 0), data.size(), crc64(data)};
  it->second.parts[request.partNumber] = std::move(data);
  return r;
}

AsyncHandle FakeObjectClient::uploadPartAsync(UploadPartRequest request, PartCallback callback) {
  Fault fault = admit({0, FakeOp::UploadPart, request.bucket, request.key, 0, std::nullopt, request.partNumber});
  auto delay = fault.delay;
  return schedule(delay, [this, request = std::move(request), fault = std::move(fault),
                          callback = std::move(callback)](Status start) mutable {
    if (!start.isOk()) {
      callback(start);
      return;
    }
    callback(doUploadPart(request, fault));
  });
}

Result<PutResult> FakeObjectClient::completeMultipart(const CompleteMultipartRequest& request) {
  OSSVP_RETURN_IF_ERROR(admitSync({0, FakeOp::CompleteMultipart, request.bucket, request.key, 0, std::nullopt, 0}));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = uploads_.find(request.uploadId);
  if (it == uploads_.end() || it->second.bucket != request.bucket || it->second.key != request.key) {
    return ossFailure(404, "NoSuchUpload", "The specified upload does not exist.", request.bucket, request.key);
  }
  std::vector<PartResult> parts = request.parts;
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.partNumber < b.partNumber; });
  if (parts.empty()) return ossFailure(400, "InvalidRequest", "No parts were given.", request.bucket, request.key);
  std::string data;
  uint64_t combined = 0;
  for (const PartResult& p : parts) {
    auto part = it->second.parts.find(p.partNumber);
    if (part == it->second.parts.end() || makeEtag(part->second, 0) != p.etag) {
      return ossFailure(400, "InvalidPart",
                        "Part " + std::to_string(p.partNumber) + " was not uploaded or its ETag differs.",
                        request.bucket, request.key);
    }
    combined = crc64Combine(combined, crc64(part->second), part->second.size());
    data += part->second;
  }
  ObjectMeta meta = storeLocked(request.bucket, request.key, std::move(data), static_cast<int>(parts.size()));
  uploads_.erase(it);
  if (meta.crc64 != combined) return corruption("fake: combined part CRC differs from the object CRC");
  return PutResult{meta.etag, meta.crc64, "FAKE-REQUEST"};
}

Status FakeObjectClient::abortMultipart(const std::string& bucket, const std::string& key,
                                        const std::string& uploadId) {
  OSSVP_RETURN_IF_ERROR(admitSync({0, FakeOp::AbortMultipart, bucket, key, 0, std::nullopt, 0}));
  std::lock_guard<std::mutex> lock(mu_);
  if (uploads_.erase(uploadId) == 0) {
    return ossFailure(404, "NoSuchUpload", "The specified upload does not exist.", bucket, key);
  }
  return Status::ok();
}

Status FakeObjectClient::deleteObject(const std::string& bucket, const std::string& key) {
  OSSVP_RETURN_IF_ERROR(admitSync({0, FakeOp::Delete, bucket, key, 0, std::nullopt, 0}));
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_RETURN_IF_ERROR(checkBucketLocked(bucket));
  buckets_[bucket].erase(key);
  return Status::ok();
}

}  // namespace ossvp::ossclient::testing
