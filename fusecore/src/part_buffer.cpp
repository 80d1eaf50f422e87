#include "part_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace ossvp::fusecore {

std::unique_ptr<char[]> allocatePartBuffer(size_t len) {
  auto buf = std::make_unique_for_overwrite<char[]>(len);
  static const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t at = reinterpret_cast<uintptr_t>(buf.get());
  const uintptr_t first = (at + page - 1) & ~(page - 1);  // whole pages inside the buffer
  const uintptr_t end = (at + len) & ~(page - 1);
  if (end > first) (void)::madvise(reinterpret_cast<void*>(first), end - first, MADV_POPULATE_WRITE);
  return buf;
}

}  // namespace ossvp::fusecore
