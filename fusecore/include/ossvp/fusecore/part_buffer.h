// PartBuffer: a part buffer (a GET's destination, a multipart upload's part)
// whose pages are mapped before anything writes to it, on huge pages where
// the kernel allows.
//
// Every byte a mount serves is copied into a part by the receive path and
// out of it by FUSE, and FUSE first pins the part's pages. On 4 KiB pages a
// 1 MiB part is 256 TLB entries for each copy and 256 page references for
// each pin; on one 2 MiB transparent huge page it is one of each (loopback
// job 1: 1.8-2.1 -> 2.2-2.4 GB/s). So:
// - a size that is a multiple of 2 MiB gets its own 2 MiB-aligned mapping,
//   advised MADV_HUGEPAGE;
// - a 1 MiB buffer is one half of such a mapping, the other half going to the
//   next 1 MiB request. A mapping is unmapped when both halves are free;
//   free halves whose sibling is still in use keep their pages up to
//   kMaxIdleHalves MiB in all and give them back to the system beyond that,
//   so the process never holds more than that outside the memory budget;
// - any other size comes from the heap.
// Whether huge pages are used is the system's choice
// (/sys/kernel/mm/transparent_hugepage/enabled and its defrag setting:
// "madvise", Debian's and most distributions' default, honours the advice;
// "never" leaves 4 KiB pages and nothing else changes). Under AddressSanitizer
// every buffer comes from the heap, so overflows are still caught.
//
// The pages are mapped with one madvise(MADV_POPULATE_WRITE) instead of a
// page fault per 4 KiB in the thread that first writes (on a virtual machine
// each fault is an exception the hypervisor sees; at multi-GB/s that was a
// third of the mount's CPU). Kernels before 5.14 reject the advice, and the
// pages are then faulted in on first touch as before.
//
// Thread-safety: allocatePartBuffer and the deleter may be called from any
// thread (the free halves are guarded by a leaf mutex); setPartBufferHugePages
// too (an atomic flag).
#pragma once

#include <cstddef>
#include <memory>

namespace ossvp::fusecore {

// Returns a buffer to where allocatePartBuffer took it from.
class PartBufferDeleter {
 public:
  PartBufferDeleter() = default;
  explicit PartBufferDeleter(size_t len) : len_(len) {}
  void operator()(char* p) const noexcept;

 private:
  size_t len_ = 0;
};

using PartBuffer = std::unique_ptr<char[], PartBufferDeleter>;

// At most this many MiB of free 1 MiB halves keep their pages.
inline constexpr size_t kMaxIdleHalves = 8;

// A buffer of `len` bytes with its pages mapped (0 gives an empty heap block). Throws std::bad_alloc
// when the system has no memory to give.
PartBuffer allocatePartBuffer(size_t len);

// Whether buffers mapped from now on are advised MADV_HUGEPAGE (default true;
// ossmount's -o huge_pages=false turns it off for nodes where a fault must
// never wait for the kernel to compact memory). The layout stays the same.
void setPartBufferHugePages(bool on);

}  // namespace ossvp::fusecore
