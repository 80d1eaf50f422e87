// BufferPool: recycles the engine's part-sized chunk buffers. A fresh 8 MiB
// buffer is a new mmap (the processes cap glibc's mmap threshold so freed
// parts return to the system), so every byte fetched into it first costs a
// page fault and a kernel page clear; reusing a buffer that was already
// touched avoids both. Idle buffers keep their budget Reservation, so the
// pool never takes memory outside the global MemoryBudget, and it is a
// Reclaimer: when the budget runs short it frees idle buffers first-come.
//
// Thread-safety: internally synchronized (mu_, a leaf lock: Reservations are
// released only after mu_ is dropped).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "ossvp/fusecore/memory_budget.h"

namespace ossvp::fusecore {

class BufferPool : public Reclaimer {
 public:
  // Pools buffers of exactly `bufferSize` bytes, at most `maxIdle` of them.
  BufferPool(uint64_t bufferSize, size_t maxIdle) : bufferSize_(bufferSize), maxIdle_(maxIdle) {}

  struct Buffer {
    std::unique_ptr<char[]> data;
    Reservation mem;
  };

  // An idle buffer of `size` bytes with its reservation, or an empty Buffer
  // (data == nullptr) when none is pooled or `size` is not the pooled size.
  Buffer take(uint64_t size);

  // Returns a buffer; kept when it has the pooled size and there is room,
  // freed (memory back to the budget) otherwise.
  void give(std::unique_ptr<char[]> data, Reservation mem, uint64_t size);

  size_t idle() const;
  uint64_t reused() const;  // take() calls that returned a buffer
  uint64_t reclaim(uint64_t bytes, bool evenUnread) override;

 private:
  const uint64_t bufferSize_;
  const size_t maxIdle_;
  mutable std::mutex mu_;
  std::vector<Buffer> idle_;  // guarded by mu_
  uint64_t reused_ = 0;       // guarded by mu_
};

}  // namespace ossvp::fusecore
