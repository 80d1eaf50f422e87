#include "ossvp/fusecore/file_writer.h"

#include <algorithm>
#include <cstring>
#include <ctime>

#include "ossvp/common/log.h"

#include "buffer_pool.h"
#include "ossvp/fusecore/part_buffer.h"

namespace ossvp::fusecore {

namespace {

// How many parts of `partSize` half the budget holds: the writers' share,
// so reads and other files keep the rest.
size_t partsInHalfBudget(const MemoryBudget& budget, uint64_t partSize) {
  return std::max<uint64_t>(1, budget.limit() / 2 / std::max<uint64_t>(partSize, 1));
}

// Part 1's size: the part size, halved while half the budget would hold no
// more than maxInflightParts of the halved size (down to minPartSize). A
// budget a little short of maxInflightParts full parts keeps them: halving
// doubles the requests for a few more in flight.
uint64_t firstPartSize(const WriterOptions& o, const MemoryBudget& budget) {
  uint64_t part = std::max<uint64_t>(o.partSize, 1);
  while (part / 2 >= o.minPartSize && partsInHalfBudget(budget, part / 2) <= o.maxInflightParts) part /= 2;
  return part;
}

ConcurrencyOptions inflightOptions(const WriterOptions& o, const MemoryBudget& budget, uint64_t firstPart) {
  size_t max = std::max<size_t>(1, std::min<uint64_t>(o.maxInflightParts, partsInHalfBudget(budget, firstPart)));
  return ConcurrencyOptions{
      .initial = std::min(o.initialInflightParts, max), .min = std::min<size_t>(4, max), .max = max};
}

}  // namespace

struct FileWriter::Part {
  PartBuffer data;
  Reservation mem;
  uint64_t capacity = 0;  // of data
  ossclient::UploadPartRequest req;
  int attempts = 0;
  // The first parts start back to back and finish in a burst that says
  // nothing about the steady rate: only the later ones are measured.
  bool measured = false;
};

FileWriter::FileWriter(ossclient::ObjectClient& client, MemoryBudget& budget, std::string bucket, std::string key,
                       WriterOptions options, BufferPool* pool)
    : client_(client),
      budget_(budget),
      pool_(pool),
      bucket_(std::move(bucket)),
      key_(std::move(key)),
      options_(options),
      firstPart_(firstPartSize(options, budget)),
      inflightLimit_(inflightOptions(options, budget, firstPart_)),
      burstParts_(inflightLimit_.limit()) {}

uint64_t FileWriter::partSizeFor(int number) const {
  uint64_t size = firstPart_;
  for (int step = (number - 1) / std::max(1, options_.partsPerSizeStep); step > 0 && size < options_.partSize; --step) {
    size = std::min(size * 2, options_.partSize);
  }
  return size;
}

FileWriter::~FileWriter() { abort(); }

uint64_t FileWriter::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return size_;
}

WriterStats FileWriter::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  WriterStats s = stats_;
  s.inflightLimit = inflightLimit_.limit();
  s.growths = inflightLimit_.growths();
  s.backoffs = inflightLimit_.backoffs();
  s.firstPartSize = firstPart_;
  s.lastPartSize = bufSize_;
  return s;
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
  if (inflight_ >= inflightLimit_.limit()) inflightLimit_.noteLimited();
  // Parts grow as the upload goes on: fewer of the current size fit in half the budget.
  const size_t fit = partsInHalfBudget(budget_, bufSize_);
  cv_.wait(lock, [&] { return (inflight_ < inflightLimit_.limit() && inflight_ < fit) || !error_.isOk(); });
  if (!error_.isOk()) return error_;
  if (nextPart_ > 10000) {
    return Status(StatusCode::ResourceExhausted,
                  fmt::format("oss://{}/{} needs more than OSS's 10000 parts (the last ones of {} bytes); mount "
                              "with a larger -o upload_part_size (now {} bytes)",
                              bucket_, key_, bufSize_, options_.partSize));
  }
  auto part = std::make_shared<Part>();
  part->data = std::move(buf_);
  part->mem = std::move(bufMem_);
  part->capacity = bufSize_;
  part->req.bucket = bucket_;
  part->req.key = key_;
  part->req.uploadId = uploadId_;
  part->req.partNumber = nextPart_++;
  part->req.data = part->data.get();
  part->req.size = fill_;
  part->measured = static_cast<size_t>(part->req.partNumber) > burstParts_;
  fill_ = 0;
  ++inflight_;
  ++stats_.parts;
  stats_.peakInflight = std::max(stats_.peakInflight, inflight_);
  upload(std::move(part));  // the callback never runs inside the call: holding mu_ is fine
  return Status::ok();
}

void FileWriter::upload(std::shared_ptr<Part> part) {
  ++part->attempts;
  ossclient::UploadPartRequest req = part->req;
  client_.uploadPartAsync(std::move(req),
                          [this, part](Result<ossclient::PartResult> r) { onPartDone(part, std::move(r)); });
}

void FileWriter::onPartDone(const std::shared_ptr<Part>& part, Result<ossclient::PartResult> r) {
  bool transient = !r.isOk() && r.status().isTransient();
  if (transient || (r.isOk() && part->measured)) {
    inflightLimit_.onComplete(r.isOk() ? part->req.size : 0, transient, ConcurrencyController::Clock::now());
  }
  bool again = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    again = transient && part->attempts < options_.partAttempts && error_.isOk();
    if (again) {
      ++stats_.reuploads;
      logWarn(
          "fusecore: part {} of oss://{}/{} failed ({}); uploading it again with fewer parts "
          "in flight",
          part->req.partNumber, bucket_, key_, r.status().toString());
    } else {
      --inflight_;
      if (r.isOk()) {
        done_.push_back(*r);
      } else {
        failLocked(r.status().withContext(
            fmt::format("part {} (attempt {} of {})", part->req.partNumber, part->attempts, options_.partAttempts)));
      }
      // Back to the pool (or freed) before finish() can see inflight_ at 0:
      // a finished writer holds no memory. The pool's lock is a leaf.
      if (pool_) pool_->give(std::move(part->data), std::move(part->mem), part->capacity);
      part->data.reset();
      part->mem.reset();
    }
    cv_.notify_all();
  }
  if (again) upload(part);
}

Status FileWriter::write(uint64_t offset, const char* data, size_t len) {
  std::unique_lock<std::mutex> lock(mu_);
  if (finished_) {
    return invalidArgument(
        fmt::format("oss://{}/{} was already uploaded (closed or fsynced); "
                    "reopen with O_TRUNC is not supported",
                    bucket_, key_));
  }
  if (!error_.isOk()) return error_;
  if (offset != size_) {
    logWarn(
        "fusecore: rejecting non-sequential write to oss://{}/{} at offset {} (file size {}): "
        "only appending writes are supported",
        bucket_, key_, offset, size_);
    return invalidArgument(fmt::format("non-sequential write at offset {} (expected {})", offset, size_));
  }
  while (len > 0) {
    if (!buf_) takeBufferLocked(lock);
    size_t n = std::min<size_t>(len, bufSize_ - fill_);
    std::memcpy(buf_.get() + fill_, data, n);
    fill_ += n;
    size_ += n;
    data += n;
    len -= n;
    if (fill_ == bufSize_) OSSVP_RETURN_IF_ERROR(flushPartLocked(lock));
  }
  return Status::ok();
}

void FileWriter::takeBufferLocked(std::unique_lock<std::mutex>& lock) {
  fill_ = 0;
  const uint64_t size = partSizeFor(nextPart_);
  lock.unlock();
  BufferPool::Buffer b = pool_ ? pool_->take(size) : BufferPool::Buffer{};
  bool reused = b.data != nullptr;
  if (!reused) {
    b.mem = budget_.acquire(size);
    b.data = allocatePartBuffer(size);
  }
  lock.lock();
  buf_ = std::move(b.data);
  bufMem_ = std::move(b.mem);
  bufSize_ = size;
  if (reused) ++stats_.buffersReused;
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
  logDebug(
      "fusecore: uploaded oss://{}/{}: {} bytes in {} parts of {} to {} bytes ({} into reused buffers), at most {} "
      "in flight (limit {})",
      bucket_, key_, size_, stats_.parts, firstPart_, bufSize_, stats_.buffersReused, stats_.peakInflight,
      inflightLimit_.limit());
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
