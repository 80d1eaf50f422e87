// EngineOptions: every knob of the read engine, with the defaults the mount
// uses. Sizes are bytes.
//
// Thread-safety: plain value type.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ossvp::fusecore {

struct EngineOptions {
  // Global cap on all buffered data (prefetch, cache, upload parts). A reader
  // waits rather than the process growing past it.
  uint64_t memoryBudget = 1ull << 30;
  // Size of one ranged GET of a sequential stream; prefetch ranges are cut
  // into parts aligned to multiples of it.
  uint64_t partSize = 8ull << 20;
  // Sequential window per stream: starts here and doubles (sooner when the
  // reader has to wait for bytes in flight) ...
  uint64_t initialWindow = 1ull << 20;
  // ... up to this, and never past half the memory budget. Against a
  // per-connection cap, a stream's rate is its bytes in flight over one GET's
  // time: 1 MiB parts at 25 MB/s per connection and 10 ms to first byte take
  // ~52 ms, so 128 MiB caps a stream at ~2.5 GB/s and 256 MiB lets 192-256
  // GETs fill a 3 GB/s link (measured: 1.9 -> 2.4 GB/s through the engine,
  // docs/performance-fusecore.md). Served parts are recycled, so a larger
  // window costs memory, not fresh page faults per byte.
  uint64_t maxWindow = 256ull << 20;
  // Ranged GETs in flight for prefetching, over all files (demand reads are
  // never held back by it): the engine starts at `initialInflight` and
  // measures its way up to at most `maxInflight` while throughput rises
  // (concurrency_controller.h). The start is high because early requests are
  // bounded by the stream's window anyway (1 MiB at first), and starting at
  // 32 spent the first ~0.4 s of a cloud-shaped 4 GiB read below 64 in flight
  // (A/B in both network shapes: docs/performance-fusecore.md, "Latest").
  size_t initialInflight = 128;
  size_t maxInflight = 256;
  // Objects up to this size are fetched whole on their first read.
  uint64_t smallObjectThreshold = 1ull << 20;
  // Random reads fetch the asked range aligned out to this.
  uint64_t randomAlign = 64ull << 10;
  // Independent sequential/strided streams tracked per open file.
  size_t streamsPerReader = 4;
  // Engine-level attempts for a part whose GET failed transiently (on top of
  // the client's own retries), e.g. a body that arrived short.
  int fetchAttempts = 3;
};

}  // namespace ossvp::fusecore
