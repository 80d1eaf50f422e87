// allocatePartBuffer: a new part buffer (a GET's destination, a multipart
// upload's part) with its pages already mapped.
//
// Part buffers of a MiB or more come straight from mmap (the processes fix
// glibc's mmap threshold so that freed parts go back to the system), so the
// first write to each 4 KiB page would take a page fault in whichever thread
// touches it. On a virtual machine each fault is an exception the hypervisor
// sees; at multi-GB/s that was a third of the mount's CPU. One
// madvise(MADV_POPULATE_WRITE) maps every page in a single system call
// instead (the kernel still clears them). Kernels before 5.14 reject the
// advice, and the pages are then faulted in on first touch as before.
//
// Thread-safety: a free function, callable from any thread.
#pragma once

#include <cstddef>
#include <memory>

namespace ossvp::fusecore {

std::unique_ptr<char[]> allocatePartBuffer(size_t len);

}  // namespace ossvp::fusecore
