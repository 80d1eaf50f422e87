// BufferPool: recycles the engine's chunk buffers. A fresh multi-MiB buffer
// is a new mmap (the processes cap glibc's mmap threshold so freed parts
// return to the system), so every byte fetched into it first costs a page
// fault and a kernel page clear; reusing a buffer that was already touched
// avoids both. Buffers are pooled by size class: every power of two between
// `minSize` and `maxSize` (the sizes prefetch parts are cut to; other sizes,
// such as an object's last short part, are not pooled). Idle buffers keep
// their budget Reservation, so the pool never takes memory outside the
// global MemoryBudget, and it is a Reclaimer: when the budget runs short it
// frees idle buffers, the largest class first.
//
// Thread-safety: internally synchronized (mu_, a leaf lock: Reservations are
// released only after mu_ is dropped).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "ossvp/fusecore/memory_budget.h"
#include "ossvp/fusecore/part_buffer.h"

namespace ossvp::fusecore {

class BufferPool : public Reclaimer {
 public:
  // Pools buffers of power-of-two sizes in [minSize, maxSize], at most
  // `maxIdleBytes` of them in all.
  BufferPool(uint64_t minSize, uint64_t maxSize, uint64_t maxIdleBytes)
      : minSize_(minSize), maxSize_(maxSize), maxIdleBytes_(maxIdleBytes) {}

  struct Buffer {
    PartBuffer data;
    Reservation mem;
  };

  // True when buffers of `size` bytes are pooled.
  bool pooled(uint64_t size) const;

  // An idle buffer of `size` bytes with its reservation, or an empty Buffer
  // (data == nullptr) when none is pooled or `size` is not a pooled size.
  Buffer take(uint64_t size);

  // Returns a buffer; kept when it has a pooled size and there is room,
  // freed (memory back to the budget) otherwise.
  void give(PartBuffer data, Reservation mem, uint64_t size);

  uint64_t idleBytes() const;
  uint64_t reused() const;  // take() calls that returned a buffer
  uint64_t reclaim(uint64_t bytes, bool evenUnread) override;

 private:
  const uint64_t minSize_;
  const uint64_t maxSize_;
  const uint64_t maxIdleBytes_;
  mutable std::mutex mu_;
  std::map<uint64_t, std::vector<Buffer>> idle_;  // by size; guarded by mu_
  uint64_t idleBytes_ = 0;                        // guarded by mu_
  uint64_t reused_ = 0;                           // guarded by mu_
};

}  // namespace ossvp::fusecore
