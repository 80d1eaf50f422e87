// FileWriter: streams a new object to OSS while it is being written. Bytes
// are appended to a part buffer taken from the global MemoryBudget; each full
// part is uploaded as a multipart part in the background, and finish()
// uploads the tail and completes the upload, whose CRC64 ossclient checks
// against the parts'. An object that never fills one part is sent with a
// single PutObject. Only appending is supported: a write at any offset other
// than the current end fails with InvalidArgument (EINVAL) and a log line;
// nothing is ever silently reordered.
//
// Parts in flight adapt to the network like the read engine's GETs (a
// ConcurrencyController per file): few suffice on a fast link, while against
// a cloud endpoint each connection carries a fraction of the host's bandwidth
// and it takes tens. The limit starts at `initialInflightParts`, grows while
// throughput rises, up to `maxInflightParts` and never past half the memory
// budget. When half the budget holds far fewer than `maxInflightParts` parts
// of `partSize`, the first parts are cut smaller (halved while half the
// budget would hold no more than `maxInflightParts` of the halved size, down
// to `minPartSize`) so that more travel at once, and the part size doubles every
// `partsPerSizeStep` parts back up to `partSize`: a small budget still keeps
// many connections busy, and a large file still fits OSS's 10,000 parts.
// A part that fails transiently (503, reset, timeout) after
// ossclient's own retries is uploaded again and cuts the limit; after
// `partAttempts` such failures, or any other failure, the file fails (EIO)
// and the multipart upload is aborted, leaving no object.
//
// Thread-safety: internally synchronized (writes are serialized). Lock order:
// the writer's mutex before the buffer pool's and the budget's.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/fusecore/concurrency_controller.h"
#include "ossvp/fusecore/memory_budget.h"
#include "ossvp/fusecore/part_buffer.h"
#include "ossvp/ossclient/object_client.h"

namespace ossvp::fusecore {

struct WriterOptions {
  uint64_t partSize = 8ull << 20;
  size_t initialInflightParts = 32;
  size_t maxInflightParts = 64;
  int partAttempts = 3;  // uploads of one part (transient failures) before the file fails
  // Smaller first parts under a small memory budget (see above). OSS takes
  // parts down to 100 KiB; below 1 MiB a request's fixed costs dominate.
  uint64_t minPartSize = 1ull << 20;
  int partsPerSizeStep = 1000;
};

// Counters for tests and logs.
struct WriterStats {
  uint64_t parts = 0;          // parts started (re-uploads not counted)
  uint64_t reuploads = 0;      // parts uploaded again after a transient failure
  size_t inflightLimit = 0;    // parts allowed in flight now
  size_t peakInflight = 0;     // most parts in flight at once
  size_t growths = 0;          // times the limit grew
  size_t backoffs = 0;         // times it was cut
  uint64_t buffersReused = 0;  // parts filled into a pooled (already used) buffer
  uint64_t firstPartSize = 0;  // size of part 1 (see WriterOptions::minPartSize)
  uint64_t lastPartSize = 0;   // size of the latest part started (the tail's may be shorter)
};

class BufferPool;

class FileWriter {
 public:
  // Part buffers come from `pool` when it has one of the part size (a buffer
  // already touched: a fresh multi-MiB one costs a page fault and a page
  // clear per 4 KiB), else fresh from `budget`; uploaded parts' buffers go
  // back to `pool`, whose idle buffers the budget reclaims when short. A null
  // pool: fresh buffers only. `pool` must outlive the writer.
  FileWriter(ossclient::ObjectClient& client, MemoryBudget& budget, std::string bucket, std::string key,
             WriterOptions options = {}, BufferPool* pool = nullptr);
  ~FileWriter();  // aborts an unfinished multipart upload
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // Appends `len` bytes at `offset`, which must equal size().
  Status write(uint64_t offset, const char* data, size_t len);

  // Uploads what is left and completes the object; idempotent (a second
  // call returns the first outcome). After it, write() fails.
  Result<ossclient::ObjectMeta> finish();

  // Drops the upload (aborting a started multipart upload).
  void abort();

  uint64_t size() const;
  WriterStats stats() const;

 private:
  struct Part;
  Status flushPartLocked(std::unique_lock<std::mutex>& lock);
  void upload(std::shared_ptr<Part> part);
  void onPartDone(const std::shared_ptr<Part>& part, Result<ossclient::PartResult> r);
  Status startUploadLocked();
  void failLocked(Status s);
  // The next part's buffer (see the constructor). Unlocks while waiting.
  void takeBufferLocked(std::unique_lock<std::mutex>& lock);
  // The size of part `number` (1-based): firstPart_, doubling every
  // partsPerSizeStep parts up to options_.partSize.
  uint64_t partSizeFor(int number) const;

  ossclient::ObjectClient& client_;
  MemoryBudget& budget_;
  BufferPool* const pool_;
  const std::string bucket_;
  const std::string key_;
  const WriterOptions options_;
  const uint64_t firstPart_;  // the size of part 1
  ConcurrencyController inflightLimit_;
  const size_t burstParts_;  // parts 1..burstParts_ are not measured (see Part::measured)

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  uint64_t size_ = 0;
  PartBuffer buf_;
  Reservation bufMem_;

  size_t fill_ = 0;
  uint64_t bufSize_ = 0;  // capacity of the buffer being filled, or of the last one
  std::string uploadId_;
  int nextPart_ = 1;
  size_t inflight_ = 0;
  WriterStats stats_;
  std::vector<ossclient::PartResult> done_;
  Status error_;
  bool finished_ = false;
  std::optional<Result<ossclient::ObjectMeta>> outcome_;
};

}  // namespace ossvp::fusecore
