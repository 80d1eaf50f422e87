// allocatePartBuffer (ossvp/fusecore/part_buffer.h): a new part buffer's
// pages are mapped before anything writes to them, so filling it takes no page
// faults; 1 MiB buffers and multiples of 2 MiB sit on huge-page-aligned
// mappings, and free 1 MiB halves keep their pages only up to kMaxIdleHalves.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ossvp/fusecore/part_buffer.h"

using ossvp::fusecore::allocatePartBuffer;
using ossvp::fusecore::kMaxIdleHalves;
using ossvp::fusecore::PartBuffer;
using ossvp::fusecore::setPartBufferHugePages;

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

constexpr size_t kMiB = size_t{1} << 20;

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

TEST_CASE("part buffer: sizes of every kind are writable end to end", "[part_buffer]") {
  for (size_t len : {kMiB - 1, kMiB, kMiB + 1, 2 * kMiB, 3 * kMiB, 4 * kMiB, 8 * kMiB}) {
    PartBuffer buf = allocatePartBuffer(len);
    REQUIRE(buf != nullptr);
    std::memset(buf.get(), 7, len);
    CHECK(buf[0] == 7);
    CHECK(buf[len - 1] == 7);
  }
}

#if !defined(PART_BUFFER_TEST_ASAN)  // under ASan every buffer comes from the heap

namespace {

constexpr uintptr_t kHuge = uintptr_t{2} << 20;

uintptr_t hugeBase(const char* p) { return reinterpret_cast<uintptr_t>(p) & ~(kHuge - 1); }

bool mapped(uintptr_t at, size_t len) {
  unsigned char v[512];  // len <= 2 MiB
  return mincore(reinterpret_cast<void*>(at), len, v) == 0 || errno != ENOMEM;
}

// The "THPeligible" field of the mapping that holds `p` (/proc/self/smaps), or -1.
int thpEligible(const char* p) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = at >= lo && at < hi;
    } else if (inside && line.rfind("THPeligible:", 0) == 0) {
      return std::stoi(line.substr(12));
    }
  }
  return -1;
}

std::string thpMode() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string s;
  std::getline(f, s);
  return s;
}

bool thpEnabled() {
  std::string s = thpMode();
  return !s.empty() && s.find("[never]") == std::string::npos;
}

}  // namespace

TEST_CASE("part buffer: a multiple of 2 MiB starts on a huge-page boundary, advised for huge pages", "[part_buffer]") {
  for (size_t len : {2 * kMiB, 8 * kMiB}) {
    PartBuffer buf = allocatePartBuffer(len);
    CHECK(reinterpret_cast<uintptr_t>(buf.get()) % kHuge == 0);
    if (thpEnabled()) CHECK(thpEligible(buf.get()) == 1);
    const uintptr_t at = reinterpret_cast<uintptr_t>(buf.get());
    buf.reset();
    CHECK_FALSE(mapped(at, kHuge));  // unmapped when freed
  }
}

TEST_CASE("part buffer: with the huge-page advice off, buffers keep the same layout on small pages", "[part_buffer]") {
  setPartBufferHugePages(false);
  PartBuffer big = allocatePartBuffer(4 * kMiB);
  PartBuffer a = allocatePartBuffer(kMiB);
  PartBuffer b = allocatePartBuffer(kMiB);
  setPartBufferHugePages(true);
  CHECK(reinterpret_cast<uintptr_t>(big.get()) % kHuge == 0);
  CHECK(hugeBase(a.get()) == hugeBase(b.get()));
  // Under "madvise" only the advice makes a mapping eligible ("always" makes every one).
  if (thpMode().find("[madvise]") != std::string::npos) {
    CHECK(thpEligible(big.get()) == 0);
    CHECK(thpEligible(a.get()) == 0);
  }
  std::memset(big.get(), 5, 4 * kMiB);
  std::memset(a.get(), 6, kMiB);
  CHECK(big[4 * kMiB - 1] == 5);
  CHECK(a[kMiB - 1] == 6);
}

TEST_CASE("part buffer: 1 MiB buffers are the two halves of one huge-page mapping, unmapped when both are free",
          "[part_buffer]") {
  PartBuffer a = allocatePartBuffer(kMiB);
  PartBuffer b = allocatePartBuffer(kMiB);
  const uintptr_t chunk = hugeBase(a.get());
  REQUIRE(hugeBase(b.get()) == chunk);
  CHECK(a.get() != b.get());
  if (thpEnabled()) CHECK(thpEligible(a.get()) == 1);
  std::memset(a.get(), 1, kMiB);
  std::memset(b.get(), 2, kMiB);
  CHECK(a[kMiB - 1] == 1);  // the halves do not overlap
  CHECK(b[0] == 2);

  char* first = a.get();
  a.reset();
  PartBuffer c = allocatePartBuffer(kMiB);  // the free half is taken again
  CHECK(c.get() == first);
  c.reset();
  CHECK(mapped(chunk, kHuge));  // b still lives there
  b.reset();
  CHECK_FALSE(mapped(chunk, kHuge));
}

TEST_CASE("part buffer: free halves beyond kMaxIdleHalves give their pages back, and come back mapped",
          "[part_buffer]") {
  const size_t pairs = kMaxIdleHalves + 3;
  std::vector<PartBuffer> kept, freed;
  for (size_t i = 0; i < pairs; ++i) {
    kept.push_back(allocatePartBuffer(kMiB));
    freed.push_back(allocatePartBuffer(kMiB));
    REQUIRE(hugeBase(kept.back().get()) == hugeBase(freed.back().get()));
  }
  std::vector<char*> halves;
  for (auto& f : freed) {
    std::memset(f.get(), 3, kMiB);
    halves.push_back(f.get());
    f.reset();  // its sibling in `kept` is still in use
  }
  const size_t pages = kMiB / static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t resident = 0;
  for (char* h : halves) {
    size_t n = residentPages(h, kMiB);
    CHECK((n == 0 || n == pages));
    resident += n == pages ? 1 : 0;
  }
  CHECK(resident == kMaxIdleHalves);

  std::vector<PartBuffer> again;
  for (size_t i = 0; i < pairs; ++i) {
    again.push_back(allocatePartBuffer(kMiB));
    CHECK(residentPages(again.back().get(), kMiB) == pages);
    std::memset(again.back().get(), 4, kMiB);
  }
  std::vector<uintptr_t> chunks;
  for (auto& k : kept) chunks.push_back(hugeBase(k.get()));
  kept.clear();
  again.clear();
  for (uintptr_t c : chunks) CHECK_FALSE(mapped(c, kHuge));
}

#endif
