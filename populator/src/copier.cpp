#include "ossvp/populator/copier.h"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "ossvp/common/log.h"
#include "ossvp/ossclient/crc64.h"

namespace ossvp::populator {

namespace {

struct Segment {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t crc = 0;
  std::unique_ptr<SourceFile> reader;  // segments after the first get their own stream
};

// One file being copied. Segments are filled by any worker; the worker that
// finishes the last one verifies and installs the file.
struct Task {
  const MappedEntry* entry = nullptr;
  std::unique_ptr<SourceFile> src;
  UniqueFd fd;
  std::string tmpName;
  std::vector<Segment> segments;
  std::atomic<size_t> remaining{0};
  int attempt = 1;
};

struct Work {
  std::shared_ptr<Task> task;
  size_t segment = 0;
  bool queued = false;  // a further segment taken from the queue (counts against the segment share)
};

Status pwriteAll(int fd, const char* buf, size_t len, uint64_t off) {
  while (len > 0) {
    ssize_t n = ::pwrite(fd, buf, len, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoStatus(errno, "write");
    buf += n;
    len -= static_cast<size_t>(n);
    off += static_cast<uint64_t>(n);
  }
  return Status::ok();
}

class CopyRun {
 public:
  CopyRun(const CopierDeps& deps, const CopierOptions& options, CopyConcurrency* concurrency, CopyStats* stats,
          const std::vector<const MappedEntry*>& files)
      : d_(deps), options_(options), concurrency_(*concurrency), stats_(stats), files_(files) {}

  std::optional<Failure> run() {
    std::vector<std::thread> threads;
    int n = std::max(1, options_.workers);
    for (int i = 0; i < n; ++i) threads.emplace_back([this] { worker(); });
    auto lastFlush = std::chrono::steady_clock::now();
    {
      std::unique_lock<std::mutex> lock(mu_);
      while (active_ > 0 || !finishedAll()) {
        if (stop_) break;
        cv_.wait_for(lock, std::chrono::milliseconds(200));
        if (cancelled()) stopWith(failureOf(ExitCode::Cancelled, "stopped by a signal; a new run resumes"));
        auto now = std::chrono::steady_clock::now();
        if (std::chrono::duration<double>(now - lastFlush).count() >= options_.journalFlushSeconds) {
          lastFlush = now;
          lock.unlock();
          Status st = d_.journal->flush(*d_.tree);
          lock.lock();
          if (!st.isOk()) stopWith(failureFromTargetStatus(st));
        }
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cancelled()) stopWith(failureOf(ExitCode::Cancelled, "stopped by a signal; a new run resumes"));
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads) t.join();
    Status st = d_.journal->flush(*d_.tree);
    if (!failure_ && !st.isOk()) failure_ = failureFromTargetStatus(st);
    return failure_;
  }

 private:
  bool cancelled() const { return d_.cancel && d_.cancel->load(); }
  bool finishedAll() const { return nextFile_ >= files_.size() && queue_.empty(); }

  // Requires mu_.
  void stopWith(Failure f) {
    if (!failure_) failure_ = std::move(f);
    stop_ = true;
    cv_.notify_all();
  }
  void fail(Failure f) {
    std::lock_guard<std::mutex> lock(mu_);
    stopWith(std::move(f));
  }
  void failSource(const MappedEntry& e, const Status& s) {
    Failure f = failureFromSourceStatus(s);
    f.message = fmt::format("object '{}': {}", e.object.key, f.message);
    fail(std::move(f));
  }
  void failTarget(const MappedEntry& e, const Status& s) {
    Failure f = failureFromTargetStatus(s.withContext(fmt::format("writing '{}'", e.relativePath())));
    fail(std::move(f));
  }

  // Next piece of work: a queued segment, else a new file (returned with
  // task == nullptr and its index in *fileIndex). False when there is none.
  // At most concurrency_.limit() workers hold work at once; the others wait
  // here. While files wait to start, at most a share of those (segmentCap)
  // read queued segments: the rest start files, so small files' round trips
  // overlap the large files' transfer instead of queueing behind it.
  bool next(Work* work, size_t* fileIndex) {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      if (stop_) return false;
      size_t limit = concurrency_.limit();
      bool filesWaiting = nextFile_ < files_.size();
      bool segmentReady = !queue_.empty() && (!filesWaiting || segmentActive_ < segmentCap(limit));
      if (noteIfLimited(limit)) {
        cv_.wait(lock);
        continue;
      }
      if (segmentReady) {
        *work = std::move(queue_.front());
        queue_.pop_front();
        work->queued = true;
        ++segmentActive_;
        ++active_;
        noteIfLimited(limit);
        return true;
      }
      if (filesWaiting) {
        work->task = nullptr;
        work->queued = false;
        *fileIndex = nextFile_++;
        ++active_;
        noteIfLimited(limit);
        return true;
      }
      if (active_ == 0) return false;
      cv_.wait(lock);  // segments of an in-flight file may still be queued
    }
  }

  // Requires mu_. Whether work is left that the limit keeps from starting;
  // tells the adaptation so, which measures only then whether more in
  // flight would deliver more (at the ceiling no worker is left to ask).
  bool noteIfLimited(size_t limit) {
    bool workLeft = nextFile_ < files_.size() || !queue_.empty();
    if (!workLeft || static_cast<size_t>(active_) < limit) return false;
    concurrency_.noteLimited();
    return true;
  }

  int segmentCap(size_t limit) const {
    return std::max(1, static_cast<int>(static_cast<double>(limit) * options_.segmentShare));
  }

  // A changed limit lets waiting workers in (or keeps them out): wake them.
  void limitChanged(bool changed) {
    if (!changed) return;
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  }

  void done(const Work& work) {
    std::lock_guard<std::mutex> lock(mu_);
    --active_;
    if (work.queued) --segmentActive_;
    cv_.notify_all();
  }

  void worker() {
    std::vector<char> scratch;  // only for sources that cannot lend their bytes
    Work work;
    size_t fileIndex = 0;
    while (next(&work, &fileIndex)) {
      if (!work.task) {
        work.task = start(*files_[fileIndex]);
        work.segment = 0;
        if (!work.task) {
          done(work);
          continue;
        }
        if (work.task->segments.empty()) {  // an empty file
          finish(work.task);
          done(work);
          continue;
        }
        enqueueRest(work.task);
      }
      copySegment(work, scratch);
      done(work);
    }
  }

  // Opens the source and a temp file and plans the segments. nullptr after a failure.
  std::shared_ptr<Task> start(const MappedEntry& e) {
    auto t = std::make_shared<Task>();
    t->entry = &e;
    if (!prepare(t.get(), false)) return nullptr;
    return t;
  }

  bool prepare(Task* t, bool fresh) {
    const MappedEntry& e = *t->entry;
    if (e.object.size > 0) {
      auto src = d_.source->open(e.object, fresh);
      if (!src.isOk()) {
        failSource(e, src.status());
        return false;
      }
      t->src = std::move(src).value();
    }
    if (!t->fd.valid()) {
      auto fd = d_.tree->createTemp(&t->tmpName);
      if (!fd.isOk()) {
        failTarget(e, fd.status());
        return false;
      }
      t->fd = std::move(fd).value();
    } else if (::ftruncate(t->fd.get(), 0) != 0) {
      failTarget(e, errnoStatus(errno, "truncate"));
      return false;
    }
    // Preallocating the size fails early on a full volume and avoids fragmentation.
    if (e.object.size > 0) {
      int rc = ::posix_fallocate(t->fd.get(), 0, static_cast<off_t>(e.object.size));
      if (rc == ENOSPC || rc == EDQUOT) {
        failTarget(e, errnoStatus(rc, "allocate"));
        return false;
      }
    }
    t->segments.clear();
    uint64_t size = e.object.size;
    if (size > 0) {
      uint64_t per = size / static_cast<uint64_t>(concurrency_.ceiling());
      per = std::clamp<uint64_t>(per, options_.minSegment, std::max(options_.minSegment, options_.maxSegment));
      per = (per + options_.chunkSize - 1) / options_.chunkSize * options_.chunkSize;
      for (uint64_t off = 0; off < size; off += per)
        t->segments.push_back({off, std::min(per, size - off), 0, nullptr});
    }
    t->remaining.store(t->segments.size());
    return true;
  }

  void enqueueRest(const std::shared_ptr<Task>& t) {
    if (t->segments.size() <= 1) return;
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 1; i < t->segments.size(); ++i) queue_.push_back(Work{t, i});
    cv_.notify_all();
  }

  void copySegment(const Work& w, std::vector<char>& scratch) {
    Task& t = *w.task;
    Segment& seg = t.segments[w.segment];
    if (w.segment > 0 && !seg.reader) seg.reader = t.src->clone();
    uint64_t counted = 0;
    for (int attempt = 1;; ++attempt) {
      bool volumeSide = false;
      Status st = readSegment(t, &seg, scratch, &counted, &volumeSide);
      if (st.isOk()) break;
      if (st.code() == StatusCode::Cancelled) return;
      if (volumeSide) {
        failTarget(*t.entry, st);
        return;
      }
      if (!st.isTransient() || attempt >= options_.readAttempts) {
        failSource(*t.entry, st);
        return;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_->readRetries;
      }
      limitChanged(concurrency_.onTransientError());
      logWarn("read of '{}' at {} failed ({}); retry {}/{}", t.entry->object.key, seg.offset, st.message(), attempt,
              options_.readAttempts - 1);
      d_.progress->subBytes(counted);
      counted = 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.retryBackoffMillis << (attempt - 1)));
    }
    if (t.remaining.fetch_sub(1) == 1) finish(w.task);
  }

  // Reads one segment into the temp file. *volumeSide tells a write error
  // (the volume's fault) from a read error (the source's).
  Status readSegment(Task& t, Segment* seg, std::vector<char>& scratch, uint64_t* counted, bool* volumeSide) {
    uint64_t off = seg->offset, end = seg->offset + seg->length;
    uint64_t crc = 0;
    while (off < end) {
      if (stopped()) return Status(StatusCode::Cancelled, "stopped");
      size_t want = static_cast<size_t>(std::min<uint64_t>(options_.chunkSize, end - off));
      if (d_.throttle) d_.throttle->acquire(want);
      SourceFile* reader = seg->reader ? seg->reader.get() : t.src.get();
      uint64_t pos = off;
      auto got = reader->readInto(off, want, scratch, [&](const char* data, size_t n) {
        Status ws = pwriteAll(t.fd.get(), data, n, pos);
        if (!ws.isOk()) {
          *volumeSide = true;
          return ws;
        }
        crc = ossclient::crc64Update(crc, data, n);
        pos += n;
        return Status::ok();
      });
      if (!got.isOk()) return got.status();
      if (*got == 0) {
        return Status(StatusCode::Corruption, fmt::format("object ended at byte {} but the listing says {} bytes "
                                                          "(it changed during the copy?)",
                                                          off, t.entry->object.size));
      }
      off += *got;
      *counted += *got;
      d_.progress->addBytes(*got);
      limitChanged(concurrency_.onChunk(*got));
    }
    seg->crc = crc;
    return Status::ok();
  }

  bool stopped() {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_ || cancelled();
  }

  // All segments are in: verify, set mtime, install, journal.
  void finish(const std::shared_ptr<Task>& tp) {
    Task& t = *tp;
    const MappedEntry& e = *t.entry;
    uint64_t crc = 0;
    for (const auto& s : t.segments) crc = ossclient::crc64Combine(crc, s.crc, s.length);
    std::optional<uint64_t> server = t.src ? t.src->serverCrc64() : std::optional<uint64_t>(0);
    if (server && *server != crc) {
      if (t.attempt >= options_.integrityAttempts) {
        fail(failureOf(ExitCode::Integrity,
                       fmt::format("object '{}': CRC64 of the copied bytes is {} but OSS says {} after {} attempts "
                                   "(the data was corrupted in transit or on the volume)",
                                   e.object.key, crc, *server, t.attempt)));
        d_.tree->removeTemp(t.tmpName);
        return;
      }
      logWarn("CRC64 mismatch on '{}' (got {}, OSS says {}): copying it again", e.object.key, crc, *server);
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_->integrityRetries;
      }
      d_.progress->subBytes(e.object.size);
      ++t.attempt;
      if (!prepare(&t, true)) return;
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = 0; i < t.segments.size(); ++i) queue_.push_back(Work{tp, i});
      cv_.notify_all();
      return;
    }
    struct timespec times[2];
    times[0].tv_sec = 0;
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = static_cast<time_t>(e.object.mtimeUnix);
    times[1].tv_nsec = 0;
    if (::futimens(t.fd.get(), times) != 0) {
      failTarget(e, errnoStatus(errno, "set mtime"));
      return;
    }
    t.fd = UniqueFd();
    Status st = d_.tree->install(t.tmpName, e.components);
    if (!st.isOk()) {
      d_.tree->removeTemp(t.tmpName);
      failTarget(e, st);
      return;
    }
    d_.journal->record(JournalEntry{e.object.key, e.object.size, e.object.mtimeUnix, e.object.etag, crc});
    d_.progress->addObjects(1);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_->filesCopied;
    stats_->bytesCopied += e.object.size;
  }

  const CopierDeps& d_;
  const CopierOptions& options_;
  CopyConcurrency& concurrency_;
  CopyStats* stats_;
  const std::vector<const MappedEntry*>& files_;

  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  std::deque<Work> queue_;
  size_t nextFile_ = 0;
  int active_ = 0;
  int segmentActive_ = 0;  // workers on queued segments
  bool stop_ = false;
  std::optional<Failure> failure_;
};

}  // namespace

namespace {

CopyConcurrencyOptions concurrencyOptions(const CopierOptions& o) {
  CopyConcurrencyOptions c;
  c.adaptive = o.adaptive;
  c.max = static_cast<size_t>(std::max(1, o.workers));
  c.initial = static_cast<size_t>(std::max(1, o.initialWorkers));
  c.min = static_cast<size_t>(std::max(1, o.minWorkers));
  return c;
}

}  // namespace

Copier::Copier(CopierDeps deps, CopierOptions options)
    : deps_(deps), options_(options), concurrency_(concurrencyOptions(options_), deps_.clock) {}

std::optional<Failure> Copier::run(const std::vector<const MappedEntry*>& files) {
  CopyRun run(deps_, options_, &concurrency_, &stats_, files);
  std::optional<Failure> failure = run.run();
  stats_.adaptive = concurrency_.adaptive();
  stats_.concurrencySettled = concurrency_.settled();
  stats_.concurrencyPeak = concurrency_.peak();
  stats_.concurrencyBackoffs = concurrency_.backoffs();
  return failure;
}

CopyStats Copier::stats() const { return stats_; }

}  // namespace ossvp::populator
