// allocatePartBuffer (fusecore/src/part_buffer.h): a new part buffer's pages
// are mapped before anything writes to them, so filling it takes no page
// faults.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "part_buffer.h"

using ossvp::fusecore::allocatePartBuffer;

#if defined(__SANITIZE_ADDRESS__)
#define PART_BUFFER_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PART_BUFFER_TEST_ASAN 1
#endif
#endif

namespace {

long minorFaults() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_minflt;
}

// How many of the whole pages inside [p, p+len) are resident.
size_t residentPages(const char* p, size_t len) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t first = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(p) + len) & ~(page - 1);
  std::vector<unsigned char> vec((end - first) / page);
  REQUIRE(mincore(reinterpret_cast<void*>(first), end - first, vec.data()) == 0);
  size_t n = 0;
  for (unsigned char v : vec) n += v & 1;
  return n;
}

}  // namespace

TEST_CASE("part buffer: its pages are mapped before the first write, so filling it faults none", "[part_buffer]") {
  const size_t len = 8 << 20;  // above the mmap threshold: a fresh mapping
  const size_t pages = len / static_cast<size_t>(sysconf(_SC_PAGESIZE));
  auto buf = allocatePartBuffer(len);
  REQUIRE(buf != nullptr);
  CHECK(residentPages(buf.get(), len) >= pages - 1);  // all whole pages (the first may be partial)
  long before = minorFaults();
  std::memset(buf.get(), 0x5a, len);
#if !defined(PART_BUFFER_TEST_ASAN)
  // (Under ASan the memset also reads shadow memory, which faults.)
  CHECK(minorFaults() - before < 8);  // a fault per page (2,048) without the prefault
#else
  (void)before;
#endif
  CHECK(buf[len - 1] == 0x5a);
}

TEST_CASE("part buffer: small sizes work too", "[part_buffer]") {
  for (size_t len : {size_t{1}, size_t{100}, size_t{4096}, size_t{70000}}) {
    auto buf = allocatePartBuffer(len);
    REQUIRE(buf != nullptr);
    std::memset(buf.get(), 1, len);
    CHECK(buf[len - 1] == 1);
  }
}
