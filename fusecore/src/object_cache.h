// ObjectCache: the blocks of one object version (bucket, key, ETag) held in
// memory, shared by all FileReaders of it. Blocks ("chunks") are
// non-overlapping byte ranges of variable length: whole parts for sequential
// prefetch, small aligned ranges for random reads, the whole object for small
// ones. A chunk is Loading while its ranged GET (If-Match: ETag) is in flight,
// then Ready; a failed chunk is dropped from the map so the next read retries.
// Chunk memory comes from the global MemoryBudget and is given back when the
// budget reclaims the chunk (already-read, least recently used first).
//
// Thread-safety: internally synchronized (mu_). Lock order: mu_ before the
// budget's lock; never acquire() budget memory while holding mu_.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine_core.h"
#include "ossvp/common/result.h"
#include "ossvp/fusecore/access_pattern.h"
#include "ossvp/fusecore/memory_budget.h"
#include "ossvp/fusecore/read_engine.h"
#include "ossvp/ossclient/types.h"

namespace ossvp::fusecore {

class ObjectCache : public Reclaimer, public std::enable_shared_from_this<ObjectCache> {
 public:
  ObjectCache(std::shared_ptr<EngineCore> core, std::string bucket, ossclient::ObjectMeta meta);
  ~ObjectCache() override;

  const ossclient::ObjectMeta& meta() const { return meta_; }

  // Prefetch GETs the engine allows in flight now (adapted to the network).
  size_t prefetchLimit() const { return core_->concurrency.limit(); }

  // True when every byte of `r` is Ready or Loading.
  bool covered(ByteRange r);

  // True when every byte of `r` is Ready (a read of it will not wait).
  bool ready(ByteRange r);

  // Starts GETs for the parts of `r` nobody holds yet; waits for memory.
  void fetchDemand(ByteRange r);

  // Starts GETs for the missing parts of `r`, cut into `partSize` pieces
  // (0: the engine's part size), without waiting: stops at the first part
  // that does not fit the budget or the in-flight limit. Returns how far
  // (exclusive end) the range is now covered.
  uint64_t prefetch(ByteRange r, uint64_t partSize = 0);

  // Copies [offset, offset+len) (clipped to the object) into buf, waiting for
  // Loading chunks and fetching what is missing (aligned to `align`). Returns
  // the byte count or the error of a part that failed `fetchAttempts` times.
  Result<size_t> copyOut(uint64_t offset, char* buf, size_t len, uint64_t align);

  // Like copyOut, but leaves the bytes in the cache: appends their pieces to
  // `out` and pins the chunks holding them until `out` is destroyed.
  Result<size_t> pinOut(uint64_t offset, size_t len, uint64_t align, PinnedBytes* out);

  // Reader accounting: when the last reader goes, in-flight GETs are
  // cancelled and cached chunks dropped (the memory returns to the budget).
  // Readers of an object above the small-object threshold count towards the
  // engine's read-ahead sharing (EngineCore::largeReaders).
  void addReader();
  void removeReader();

  // How far one stream may read ahead now (EngineCore::streamWindowShare).
  uint64_t streamWindowShare() const;

  // The engine's record of how its readers read (EngineCore::history).
  ReadHistory& readHistory() const { return core_->history; }

  uint64_t reclaim(uint64_t bytes, bool evenUnread) override;

  // Evicts the least recently used fully-read Ready part of exactly `len`
  // bytes that no reader holds, and hands over its buffer and reservation:
  // reusing memory already touched spares a fresh mapping its page faults
  // and page clears. Empty Buffer when there is none.
  BufferPool::Buffer takeServedBuffer(uint64_t len);

 private:
  struct Chunk;
  using ChunkPtr = std::shared_ptr<Chunk>;

  using PieceFn = std::function<void(const ChunkPtr&, const char*, size_t)>;

  // Walks [offset, offset+len) (clipped to the object) chunk by chunk,
  // waiting for Loading chunks, fetching what is missing (aligned to
  // `align`) and retrying failed parts; calls `piece` on each Ready piece.
  Result<size_t> forEachPiece(uint64_t offset, size_t len, uint64_t align, const PieceFn& piece);
  ChunkPtr coveringLocked(uint64_t pos) const;
  std::vector<ByteRange> gapsLocked(ByteRange r) const;
  // `r` cut at multiples of `partSize` (0: the engine's part size).
  std::vector<ByteRange> splitParts(ByteRange r, uint64_t partSize) const;
  // Inserts and starts a chunk for `r` if it is still entirely a gap.
  // `buf` carries the reservation and, when recycled from the pool, the memory.
  bool startChunk(ByteRange r, BufferPool::Buffer buf, bool prefetch);
  // A buffer of `len` bytes with its reservation, first found of: pooled,
  // a fully-read part of this object of the same length, fresh within the
  // budget, a fully-read part of another object; else reclaimed from others
  // (waiting when `wait`). Empty reservation when nothing fits and !wait.
  BufferPool::Buffer acquireBuffer(uint64_t len, bool wait);
  void issue(const ChunkPtr& c);
  bool large() const { return meta_.size > core_->options.smallObjectThreshold; }
  void onDone(const ChunkPtr& c, Result<ossclient::GetResult> r);

  const std::shared_ptr<EngineCore> core_;
  const std::string bucket_;
  const ossclient::ObjectMeta meta_;

  std::mutex mu_;
  std::map<uint64_t, ChunkPtr> chunks_;  // by offset; guarded by mu_
  int readers_ = 0;                      // guarded by mu_
};

}  // namespace ossvp::fusecore
