// AccessPatternDetector: watches the reads of one open file and decides, per
// read, which bytes are needed now (the demand range) and which should be
// fetched ahead (prefetch ranges). It keeps several independent streams per
// file, because model loaders interleave 2-3 far-apart sequential regions
// (safetensors: F32 norms first, BF16/F8 bulk later, read in key order):
//  - sequential stream: a read starting within `forwardTolerance` ahead of or
//    `backwardTolerance` behind a stream's end continues it; its window starts
//    at `initialWindow` and doubles with every window's worth of sequential
//    bytes up to `maxWindow`;
//  - strided stream: three reads whose starts are equally spaced (tensor-
//    parallel slices, mmap faults of 64 KiB every N MiB) form a stride; the next
//    slices along it are prefetched (or the covering range, when the slices
//    cover at least a quarter of the span);
//  - anything else is random: only the asked bytes, aligned to `randomAlign`.
// It is pure bookkeeping: no I/O, no clock, so it is unit-tested directly.
//
// Thread-safety: externally synchronized (FileReader holds its lock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ossvp::fusecore {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t end() const { return offset + length; }
  bool operator==(const ByteRange&) const = default;
};

struct PatternOptions {
  uint64_t initialWindow = 1u << 20;      // 1 MiB: one FUSE max_read
  uint64_t maxWindow = 1ull << 30;        // per stream
  uint64_t forwardTolerance = 2u << 20;   // a skip this small stays sequential
  uint64_t backwardTolerance = 1u << 20;  // kernel readahead reorders up to ~1 MiB
  uint64_t randomAlign = 64u << 10;       // random reads fetch 64 KiB-aligned ranges
  size_t maxStreams = 4;
  size_t maxStrideSlices = 64;  // slices prefetched ahead on a stride
};

enum class AccessKind { Random, Sequential, Strided };

struct ReadPlan {
  AccessKind kind = AccessKind::Random;
  ByteRange demand;                 // aligned superset of the read, clipped to the object
  std::vector<ByteRange> prefetch;  // ranges to fetch ahead, in order of need
  int stream = -1;                  // stream the read belongs to (-1: none)
  uint64_t window = 0;              // the stream's prefetch window after this read
};

class AccessPatternDetector {
 public:
  AccessPatternDetector(PatternOptions options, uint64_t objectSize);

  // Classifies a read of [offset, offset+length). `missed` says the cache did
  // not hold the bytes: a sequential stream whose prefetch was lost (evicted,
  // or never issued) then restarts its prefetch from here. `starved` says the
  // bytes were asked for but had not arrived yet (the read will wait).
  ReadPlan onRead(uint64_t offset, uint64_t length, bool missed, bool starved = false);

  // Tells the detector the prefetch of `stream` actually reached `end` (the
  // engine may issue less than planned under memory or in-flight pressure).
  void notePrefetched(int stream, uint64_t end);

  uint64_t windowOf(int stream) const;
  size_t streamCount() const;

 private:
  struct Stream {
    bool used = false;
    AccessKind kind = AccessKind::Random;
    uint64_t next = 0;          // end of the last read on this stream
    uint64_t prefetchedTo = 0;  // prefetch issued up to here
    uint64_t window = 0;
    uint64_t seqBytes = 0;  // bytes read sequentially since the last growth
    uint64_t stride = 0;    // for Strided
    uint64_t sliceLen = 0;
    uint64_t lastStart = 0;
    uint64_t lastUse = 0;
  };

  ReadPlan classify(uint64_t offset, uint64_t length, bool missed, bool starved);
  int findSequential(uint64_t offset) const;
  int findStrided(uint64_t offset) const;
  int allocStream();
  void planSequential(Stream& s, uint64_t offset, uint64_t length, bool missed, bool starved, ReadPlan& plan);
  void planStrided(Stream& s, uint64_t offset, uint64_t length, ReadPlan& plan);
  ByteRange clip(uint64_t begin, uint64_t end) const;
  ByteRange alignedDemand(uint64_t offset, uint64_t length) const;

  PatternOptions opt_;
  uint64_t size_;
  std::vector<Stream> streams_;
  uint64_t tick_ = 0;
  // Last read starts, for stride detection (most recent last).
  uint64_t hist_[3] = {0, 0, 0};
  uint64_t histLen_[3] = {0, 0, 0};
  int histCount_ = 0;
};

}  // namespace ossvp::fusecore
