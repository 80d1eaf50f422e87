// ReadEngine: the FUSE mount's high-throughput OSS read path. It owns the global memory budget and
// one block cache per object version (bucket, key, ETag), shared by every
// FileReader open on it, so several readers of one file fetch each byte once.
//
// A FileReader reads one object version. Sequential, interleaved and strided
// access is detected per reader (access_pattern.h) and prefetched with
// parallel ranged GETs of `partSize`; random reads fetch only what is asked
// (aligned to `randomAlign`); small objects are fetched whole. Every GET
// carries If-Match with the ETag given at open, so if the object changes on the
// server a read fails with PreconditionFailed (ESTALE) instead of returning
// a mix of old and new bytes. Transient failures are retried; a read never
// returns bytes that did not arrive complete.
//
// Users: the FUSE filesystem (filesystem.h) and ossvp-readbench.
//
// Thread-safety: ReadEngine and FileReader are internally synchronized;
// read() may be called from several threads at once on one reader. The engine
// must outlive its readers.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/fusecore/engine_options.h"
#include "ossvp/fusecore/memory_budget.h"
#include "ossvp/ossclient/object_client.h"
#include "ossvp/ossclient/types.h"

namespace ossvp::fusecore {

class BufferPool;
class EngineCore;
class ObjectCache;

// Counters for tests, benchmarks and logs (monotonic since construction).
struct EngineStats {
  uint64_t getRequests = 0;          // ranged GETs issued (including retries)
  uint64_t bytesFetched = 0;         // body bytes received
  uint64_t bytesServed = 0;          // bytes copied out to readers
  uint64_t prefetchRequests = 0;     // GETs issued ahead of demand
  uint64_t retries = 0;              // engine-level re-fetches after a failed part
  uint64_t memoryPeak = 0;           // highest budget use seen
  uint64_t pooledBytes = 0;          // idle part buffers kept for reuse (now; counted in the budget)
  uint64_t buffersReused = 0;        // part buffers reused (pooled, or a fully-read part's) instead of allocated
  uint64_t inflightLimit = 0;        // prefetch GETs allowed in flight now (adapted to the network)
  uint64_t concurrencyGrowths = 0;   // times that limit grew because throughput rose
  uint64_t concurrencyBackoffs = 0;  // times it was cut after a throttled or failed GET
};

// Bytes of a read left in the engine's cache instead of copied out: `pieces`
// point into cached parts, which stay pinned (alive, even if evicted) until
// this is destroyed. The FUSE adapter replies with them directly (no copy).
struct PinnedBytes {
  std::vector<iovec> pieces;
  size_t size = 0;
  std::vector<std::shared_ptr<const void>> pins;
};

class FileReader {
 public:
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  // Reads up to `len` bytes at `offset` into `buf`. Blocks until they are
  // there. Returns the byte count: `len`, fewer only at the end of the
  // object, 0 at or past it. Errors: PreconditionFailed (the object changed
  // since open), Unavailable/Timeout/Corruption after retries (the bytes
  // could not be fetched intact), Cancelled.
  Result<size_t> read(uint64_t offset, char* buf, size_t len);

  // The same read, zero-copy: on success `out` holds the pieces (and sets
  // out->size); they stay valid while `out` lives.
  Status readPinned(uint64_t offset, size_t len, PinnedBytes* out);

  const ossclient::ObjectMeta& meta() const { return meta_; }

  // Starts the GETs a sequential read from offset 0 would start first (its
  // first round: a few MiB, or more while the engine's recent readers read
  // their files whole), without waiting and without touching the
  // access-pattern detector: an opener that must validate the object first
  // (close-to-open's HEAD) overlaps that round trip with them. Readers of
  // the same object version share them. No-op for objects the engine
  // fetches whole on first read.
  void prefetchStart();

 private:
  friend class ReadEngine;
  struct State;
  FileReader(std::shared_ptr<ObjectCache> cache, ossclient::ObjectMeta meta, const EngineOptions& options);
  // Feeds the access-pattern detector and starts the GETs a read of `n`
  // bytes at `offset` needs now and ahead.
  void startFetches(uint64_t offset, uint64_t n);
  // Records a served read for the engine's ReadHistory.
  void noteRead(uint64_t offset, uint64_t n);

  std::shared_ptr<ObjectCache> cache_;
  ossclient::ObjectMeta meta_;
  std::unique_ptr<State> state_;
};

class ReadEngine {
 public:
  ReadEngine(std::shared_ptr<ossclient::ObjectClient> client, EngineOptions options = {});
  ~ReadEngine();
  ReadEngine(const ReadEngine&) = delete;
  ReadEngine& operator=(const ReadEngine&) = delete;

  // Opens `meta` (size and ETag as listed or HEADed) for reading. Does no I/O.
  std::unique_ptr<FileReader> open(const std::string& bucket, const ossclient::ObjectMeta& meta);

  // The global budget; the writer path takes its part buffers from it too.
  MemoryBudget& budget();
  // The idle part buffers of the budget, shared with the writers.
  BufferPool& bufferPool();
  const EngineOptions& options() const;
  EngineStats stats() const;

 private:
  std::shared_ptr<EngineCore> core_;
};

}  // namespace ossvp::fusecore
