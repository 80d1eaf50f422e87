#include "ossvp/fusecore/file_writer.h"

#include <cstring>
#include <ctime>

#include "ossvp/common/log.h"

namespace ossvp::fusecore {

FileWriter::FileWriter(ossclient::ObjectClient& client, MemoryBudget& budget, std::string bucket,
                       std::string key, WriterOptions options)
    : client_(client), budget_(budget), bucket_(std::move(bucket)), key_(std::move(key)),
      options_(options) {}

FileWriter::~FileWriter() { abort(); }

uint64_t FileWriter::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return size_;
}

void FileWriter::failLocked(Status s) {
  if (error_.isOk()) {
    error_ = s;
    logError("fusecore: upload of oss://{}/{} failed: {}", bucket_, key_, s.toString());
  }
}

Status FileWriter::startUploadLocked() {
  if (!uploadId_.empty()) return Status::ok();
  auto id = client_.initiateMultipart(bucket_, key_);
  if (!id.isOk()) return id.status();
  uploadId_ = *id;
  return Status::ok();
}

// Hands the full buffer to a background part upload. Called with mu_ held;
// may wait (unlocking) for an upload slot.
Status FileWriter::flushPartLocked(std::unique_lock<std::mutex>& lock) {
  OSSVP_RETURN_IF_ERROR(startUploadLocked());
  cv_.wait(lock, [&] { return inflight_ < options_.maxInflightParts || !error_.isOk(); });
  if (!error_.isOk()) return error_;
  if (nextPart_ > 10000) {
    return Status(StatusCode::ResourceExhausted,
                  fmt::format("oss://{}/{} needs more than 10000 parts of {} bytes; mount with a "
                              "larger part size", bucket_, key_, options_.partSize));
  }
  struct Holder {
    std::unique_ptr<char[]> data;
    Reservation mem;
  };
  auto holder = std::make_shared<Holder>(Holder{std::move(buf_), std::move(bufMem_)});
  ossclient::UploadPartRequest req;
  req.bucket = bucket_;
  req.key = key_;
  req.uploadId = uploadId_;
  req.partNumber = nextPart_++;
  req.data = holder->data.get();
  req.size = fill_;
  fill_ = 0;
  ++inflight_;
  client_.uploadPartAsync(std::move(req), [this, holder](Result<ossclient::PartResult> r) {
    std::lock_guard<std::mutex> l(mu_);
    --inflight_;
    if (r.isOk()) {
      done_.push_back(*r);
    } else {
      failLocked(r.status());
    }
    holder->data.reset();
    holder->mem.reset();
    cv_.notify_all();
  });
  return Status::ok();
}

Status FileWriter::write(uint64_t offset, const char* data, size_t len) {
  std::unique_lock<std::mutex> lock(mu_);
  if (finished_) {
    return invalidArgument(fmt::format("oss://{}/{} was already uploaded (closed or fsynced); "
                                       "reopen with O_TRUNC is not supported", bucket_, key_));
  }
  if (!error_.isOk()) return error_;
  if (offset != size_) {
    logWarn("fusecore: rejecting non-sequential write to oss://{}/{} at offset {} (file size {}): "
            "only appending writes are supported", bucket_, key_, offset, size_);
    return invalidArgument(fmt::format("non-sequential write at offset {} (expected {})", offset,
                                       size_));
  }
  while (len > 0) {
    if (!buf_) {
      lock.unlock();
      Reservation mem = budget_.acquire(options_.partSize);
      auto buf = std::make_unique_for_overwrite<char[]>(options_.partSize);
      lock.lock();
      buf_ = std::move(buf);
      bufMem_ = std::move(mem);
      fill_ = 0;
    }
    size_t n = std::min<size_t>(len, options_.partSize - fill_);
    std::memcpy(buf_.get() + fill_, data, n);
    fill_ += n;
    size_ += n;
    data += n;
    len -= n;
    if (fill_ == options_.partSize) OSSVP_RETURN_IF_ERROR(flushPartLocked(lock));
  }
  return Status::ok();
}

Result<ossclient::ObjectMeta> FileWriter::finish() {
  std::unique_lock<std::mutex> lock(mu_);
  if (outcome_) return *outcome_;
  finished_ = true;
  auto conclude = [&](Result<ossclient::ObjectMeta> r) {
    outcome_ = r;
    return r;
  };
  ossclient::ObjectMeta meta;
  meta.key = key_;
  meta.size = size_;
  meta.mtime = static_cast<int64_t>(std::time(nullptr));
  if (uploadId_.empty() && error_.isOk()) {
    ossclient::PutRequest req;
    req.bucket = bucket_;
    req.key = key_;
    req.data = buf_.get();
    req.size = fill_;
    auto r = client_.put(req);
    buf_.reset();
    bufMem_.reset();
    if (!r.isOk()) {
      failLocked(r.status());
      return conclude(error_);
    }
    meta.etag = r->etag;
    meta.crc64 = r->crc64;
    return conclude(meta);
  }
  if (fill_ > 0 && error_.isOk()) {
    Status st = flushPartLocked(lock);
    if (!st.isOk()) failLocked(st);
  }
  cv_.wait(lock, [&] { return inflight_ == 0; });
  if (!error_.isOk()) {
    std::string id = uploadId_;
    uploadId_.clear();
    lock.unlock();
    (void)client_.abortMultipart(bucket_, key_, id);
    lock.lock();
    return conclude(error_);
  }
  ossclient::CompleteMultipartRequest req;
  req.bucket = bucket_;
  req.key = key_;
  req.uploadId = uploadId_;
  req.parts = done_;
  auto r = client_.completeMultipart(req);
  if (!r.isOk()) {
    failLocked(r.status());
    return conclude(error_);
  }
  uploadId_.clear();
  meta.etag = r->etag;
  meta.crc64 = r->crc64;
  return conclude(meta);
}

void FileWriter::abort() {
  std::unique_lock<std::mutex> lock(mu_);
  finished_ = true;
  cv_.wait(lock, [&] { return inflight_ == 0; });
  buf_.reset();
  bufMem_.reset();
  if (!outcome_) outcome_ = Result<ossclient::ObjectMeta>(Status(StatusCode::Cancelled, "upload aborted"));
  if (uploadId_.empty()) return;
  std::string id = std::move(uploadId_);
  uploadId_.clear();
  lock.unlock();
  (void)client_.abortMultipart(bucket_, key_, id);
}

}  // namespace ossvp::fusecore
