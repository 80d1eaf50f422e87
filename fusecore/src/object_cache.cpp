#include "object_cache.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>

#include "ossvp/common/log.h"
#include "ossvp/fusecore/part_buffer.h"

namespace ossvp::fusecore {
namespace {

uint64_t alignDown(uint64_t v, uint64_t a) { return a ? v / a * a : v; }
uint64_t alignUp(uint64_t v, uint64_t a) { return a ? (v + a - 1) / a * a : v; }

}  // namespace

struct ObjectCache::Chunk {
  enum class State { Loading, Ready, Failed };
  uint64_t offset = 0;
  uint64_t length = 0;
  PartBuffer data;
  Reservation mem;
  State state = State::Loading;
  // Signalled when state leaves Loading: only the readers of this chunk
  // wake (a cache-wide condition woke every reader of the object per
  // completed part).
  std::condition_variable settled;
  Status error;
  uint64_t lastUse = 0;
  uint64_t served = 0;  // bytes copied out so far (all guarded by ObjectCache::mu_)
  ossclient::AsyncHandle handle;
  std::shared_ptr<BufferPool> pool;  // where the buffer goes when the chunk dies
  bool recycle = true;               // false when reclaimed: the memory must go back to the budget

  ~Chunk() {
    if (pool && recycle) pool->give(std::move(data), std::move(mem), length);
  }
};

ObjectCache::ObjectCache(std::shared_ptr<EngineCore> core, std::string bucket, ossclient::ObjectMeta meta)
    : core_(std::move(core)), bucket_(std::move(bucket)), meta_(std::move(meta)) {}

ObjectCache::~ObjectCache() = default;

ObjectCache::ChunkPtr ObjectCache::coveringLocked(uint64_t pos) const {
  auto it = chunks_.upper_bound(pos);
  if (it == chunks_.begin()) return nullptr;
  --it;
  const ChunkPtr& c = it->second;
  return pos < c->offset + c->length ? c : nullptr;
}

std::vector<ByteRange> ObjectCache::gapsLocked(ByteRange r) const {
  std::vector<ByteRange> gaps;
  uint64_t end = std::min(r.end(), meta_.size);
  uint64_t pos = r.offset;
  auto it = chunks_.upper_bound(pos);
  if (it != chunks_.begin()) {
    auto prev = std::prev(it);
    pos = std::max(pos, prev->second->offset + prev->second->length);
  }
  for (; pos < end; ++it) {
    uint64_t next = it == chunks_.end() ? end : std::min(end, it->second->offset);
    if (next > pos) gaps.push_back(ByteRange{pos, next - pos});
    if (it == chunks_.end()) break;
    pos = std::max(pos, it->second->offset + it->second->length);
  }
  return gaps;
}

std::vector<ByteRange> ObjectCache::splitParts(ByteRange r, uint64_t partSize) const {
  std::vector<ByteRange> parts;
  uint64_t part = std::max<uint64_t>(partSize ? partSize : core_->options.partSize, 4096);
  for (uint64_t pos = r.offset; pos < r.end();) {
    uint64_t next = std::min(r.end(), alignDown(pos, part) + part);
    parts.push_back(ByteRange{pos, next - pos});
    pos = next;
  }
  return parts;
}

bool ObjectCache::covered(ByteRange r) {
  std::lock_guard<std::mutex> lock(mu_);
  return gapsLocked(r).empty();
}

bool ObjectCache::ready(ByteRange r) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t end = std::min(r.end(), meta_.size);
  for (uint64_t pos = r.offset; pos < end;) {
    ChunkPtr c = coveringLocked(pos);
    if (!c || c->state != Chunk::State::Ready) return false;
    pos = c->offset + c->length;
  }
  return true;
}

bool ObjectCache::startChunk(ByteRange r, BufferPool::Buffer buf, bool prefetch) {
  auto c = std::make_shared<Chunk>();
  c->offset = r.offset;
  c->length = r.length;
  c->data = buf.data ? std::move(buf.data) : allocatePartBuffer(r.length);
  c->mem = std::move(buf.mem);
  c->pool = core_->pool;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto gaps = gapsLocked(r);
    if (gaps.size() != 1 || !(gaps[0] == r)) return false;  // someone else got there
    c->lastUse = ++core_->tick;
    chunks_[r.offset] = c;
  }
  if (prefetch) ++core_->prefetchRequests;
  issue(c);
  return true;
}

void ObjectCache::issue(const ChunkPtr& c) {
  ossclient::GetRequest req;
  req.bucket = bucket_;
  req.key = meta_.key;
  req.offset = c->offset;
  req.length = c->length;
  req.ifMatch = meta_.etag;
  req.dest = c->data.get();
  req.destCapacity = c->length;
  req.verifyCrc = c->offset == 0 && c->length == meta_.size;
  ++core_->inflight;
  ++core_->getRequests;
  // The callback's captures; `pending` is declared first so it is destroyed
  // last, after the references to this cache (and so the engine) are gone.
  struct PendingToken {
    explicit PendingToken(EngineCore* core) : core(core) { ++core->pendingCallbacks; }
    PendingToken(PendingToken&& o) noexcept : core(o.core) { o.core = nullptr; }
    ~PendingToken() {
      if (core) --core->pendingCallbacks;
    }
    EngineCore* core;
  };
  struct Done {
    std::shared_ptr<PendingToken> pending;
    std::shared_ptr<ObjectCache> self;
    ChunkPtr chunk;
    void operator()(Result<ossclient::GetResult> r) const { self->onDone(chunk, std::move(r)); }
  };
  auto handle =
      core_->client->getAsync(std::move(req), Done{std::make_shared<PendingToken>(core_.get()), shared_from_this(), c});
  std::lock_guard<std::mutex> lock(mu_);
  if (c->state == Chunk::State::Loading) c->handle = handle;
}

void ObjectCache::onDone(const ChunkPtr& c, Result<ossclient::GetResult> r) {
  --core_->inflight;
  bool complete = r.isOk() && r->bytesWritten == c->length;
  bool cancelled = !r.isOk() && r.status().code() == StatusCode::Cancelled;
  if (!cancelled) {
    bool throttled = !complete && (r.isOk() || r.status().isTransient());
    core_->concurrency.onComplete(complete ? c->length : 0, throttled, ConcurrencyController::Clock::now());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    c->handle = ossclient::AsyncHandle();
    if (r.isOk() && r->bytesWritten == c->length) {
      c->state = Chunk::State::Ready;
      core_->bytesFetched += c->length;
    } else {
      Status st = r.isOk() ? Status(StatusCode::Unavailable,
                                    fmt::format("short body: {} of {} bytes arrived", r->bytesWritten, c->length))
                           : r.status();
      if (st.code() == StatusCode::PreconditionFailed) {
        st = Status(StatusCode::PreconditionFailed,
                    fmt::format("object changed on the server since it was opened (ETag {} no "
                                "longer matches); reopen the file to read the new version",
                                meta_.etag));
      }
      c->error = st.withContext(
          fmt::format("GET oss://{}/{} bytes {}-{}", bucket_, meta_.key, c->offset, c->offset + c->length - 1));
      c->state = Chunk::State::Failed;
      auto it = chunks_.find(c->offset);
      if (it != chunks_.end() && it->second == c) chunks_.erase(it);
      c->mem.reset();
      // A changed object is the readers' error to report (a read that needed
      // these bytes fails with it and logs it); here it is routine: the early
      // GETs of a version that close-to-open's HEAD then found replaced.
      if (st.code() == StatusCode::PreconditionFailed) {
        logInfo("fusecore: {}", c->error.toString());
      } else if (st.code() != StatusCode::Cancelled) {
        logWarn("fusecore: {}", c->error.toString());
      }
    }
  }
  c->settled.notify_all();
}

void ObjectCache::fetchDemand(ByteRange r) {
  std::vector<ByteRange> gaps;
  {
    std::lock_guard<std::mutex> lock(mu_);
    gaps = gapsLocked(r);
  }
  for (const ByteRange& g : gaps) {
    for (const ByteRange& p : splitParts(g, 0)) {
      (void)startChunk(p, acquireBuffer(p.length, true), false);
    }
  }
}

uint64_t ObjectCache::prefetch(ByteRange r, uint64_t partSize) {
  std::vector<ByteRange> gaps;
  {
    std::lock_guard<std::mutex> lock(mu_);
    gaps = gapsLocked(r);
  }
  for (const ByteRange& g : gaps) {
    for (const ByteRange& p : splitParts(g, partSize)) {
      if (core_->inflight.load() >= core_->concurrency.limit()) {
        core_->concurrency.noteLimited();
        return p.offset;
      }
      BufferPool::Buffer buf = acquireBuffer(p.length, false);
      if (buf.mem.bytes() == 0) return p.offset;
      (void)startChunk(p, std::move(buf), true);
    }
  }
  return std::min(r.end(), meta_.size);
}

BufferPool::Buffer ObjectCache::acquireBuffer(uint64_t len, bool wait) {
  BufferPool::Buffer buf = core_->pool->take(len);
  if (buf.data) return buf;
  // A part of this object that its readers have consumed lends its buffer
  // before fresh memory is mapped: a sequential stream then cycles through
  // about one window of buffers, touched once, instead of page-faulting its
  // way through the whole budget (the first-touch faults and page clears of
  // fresh memory cost more CPU than the network receive at multi-GB/s).
  buf = takeServedBuffer(len);
  if (buf.data) {
    ++core_->buffersTakenOver;
    return buf;
  }
  buf.mem = core_->budget.tryAcquire(len, false);
  if (buf.mem.bytes() > 0) return buf;
  // The budget is full: rather than free another object's already-read part
  // and map a fresh buffer, take over that part's buffer.
  buf = core_->takeServedBuffer(len, this);
  if (buf.data) {
    ++core_->buffersTakenOver;
    return buf;
  }
  buf.mem = wait ? core_->budget.acquire(len) : core_->budget.tryAcquire(len, true);
  return buf;
}

BufferPool::Buffer ObjectCache::takeServedBuffer(uint64_t len) {
  std::lock_guard<std::mutex> lock(mu_);
  ChunkPtr victim;
  for (auto& [off, c] : chunks_) {
    // use_count 1: only the map holds it, and readers find chunks under mu_.
    if (c->state == Chunk::State::Ready && c->length == len && c->served >= c->length && c.use_count() == 1 &&
        (!victim || c->lastUse < victim->lastUse)) {
      victim = c;
    }
  }
  if (!victim) return {};
  chunks_.erase(victim->offset);
  victim->pool.reset();  // the buffer is handed over, not pooled
  return BufferPool::Buffer{std::move(victim->data), std::move(victim->mem)};
}

Result<size_t> ObjectCache::forEachPiece(uint64_t offset, size_t len, uint64_t align, const PieceFn& piece) {
  uint64_t end = std::min<uint64_t>(offset + len, meta_.size);
  if (offset >= end) return size_t{0};
  int failures = 0;
  uint64_t pos = offset;
  while (pos < end) {
    ChunkPtr c;
    {
      std::unique_lock<std::mutex> lock(mu_);
      c = coveringLocked(pos);
      if (c) {
        c->lastUse = ++core_->tick;
        c->settled.wait(lock, [&] { return c->state != Chunk::State::Loading; });
      }
    }
    if (!c) {
      uint64_t from = alignDown(pos, align);
      fetchDemand(ByteRange{from, std::min(alignUp(end, align), meta_.size) - from});
      continue;
    }
    if (c->state == Chunk::State::Failed) {
      if (!c->error.isTransient() || ++failures >= core_->options.fetchAttempts) return c->error;
      ++core_->retries;
      continue;  // the failed chunk left the map: the next round fetches again
    }
    uint64_t n = std::min(end, c->offset + c->length) - pos;
    piece(c, c->data.get() + (pos - c->offset), n);
    {
      std::lock_guard<std::mutex> lock(mu_);
      c->served += n;
    }
    pos += n;
  }
  core_->bytesServed += end - offset;
  return static_cast<size_t>(end - offset);
}

Result<size_t> ObjectCache::copyOut(uint64_t offset, char* buf, size_t len, uint64_t align) {
  char* out = buf;
  return forEachPiece(offset, len, align, [&out](const ChunkPtr&, const char* p, size_t n) {
    std::memcpy(out, p, n);
    out += n;
  });
}

Result<size_t> ObjectCache::pinOut(uint64_t offset, size_t len, uint64_t align, PinnedBytes* out) {
  return forEachPiece(offset, len, align, [out](const ChunkPtr& c, const char* p, size_t n) {
    out->pieces.push_back(iovec{const_cast<char*>(p), n});
    if (out->pins.empty() || out->pins.back() != c) out->pins.push_back(c);
  });
}

void ObjectCache::addReader() {
  if (large()) ++core_->largeReaders;
  std::lock_guard<std::mutex> lock(mu_);
  ++readers_;
}

uint64_t ObjectCache::streamWindowShare() const { return core_->streamWindowShare(); }

void ObjectCache::removeReader() {
  if (large()) --core_->largeReaders;
  std::vector<ossclient::AsyncHandle> handles;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (--readers_ > 0) return;
    for (auto& [off, c] : chunks_) {
      if (c->state == Chunk::State::Loading) handles.push_back(c->handle);
    }
    chunks_.clear();  // readers still copying keep their chunk alive
  }
  for (auto& h : handles) h.cancel();
}

uint64_t ObjectCache::reclaim(uint64_t bytes, bool evenUnread) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ChunkPtr> victims;
  for (auto& [off, c] : chunks_) {
    if (c->state == Chunk::State::Ready && (evenUnread || c->served >= c->length)) {
      victims.push_back(c);
    }
  }
  std::sort(victims.begin(), victims.end(),
            [](const ChunkPtr& a, const ChunkPtr& b) { return a->lastUse < b->lastUse; });
  uint64_t freed = 0;
  for (const ChunkPtr& c : victims) {
    if (freed >= bytes) break;
    c->recycle = false;
    chunks_.erase(c->offset);
    freed += c->length;
  }
  return freed;
}

}  // namespace ossvp::fusecore
