// AccessPatternDetector against a simple model: a set of fetched byte ranges.
// A read "hits" when the bytes were planned (demand or prefetch) by an
// earlier read; sequential, interleaved and strided patterns must hit almost
// always after warm-up, random reads must not drag in prefetch.
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "ossvp/fusecore/access_pattern.h"

using namespace ossvp::fusecore;

namespace {

constexpr uint64_t KiB = 1024, MiB = 1024 * 1024;

// Union of fetched ranges.
class Fetched {
 public:
  void add(ByteRange r) {
    if (r.length == 0) return;
    uint64_t b = r.offset, e = r.end();
    auto it = m_.upper_bound(b);
    if (it != m_.begin() && std::prev(it)->second >= b) --it;
    while (it != m_.end() && it->first <= e) {
      b = std::min(b, it->first);
      e = std::max(e, it->second);
      it = m_.erase(it);
    }
    m_[b] = e;
    bytes_ = 0;
    for (auto& [s, en] : m_) bytes_ += en - s;
  }
  bool has(uint64_t off, uint64_t len) const {
    auto it = m_.upper_bound(off);
    if (it == m_.begin()) return false;
    --it;
    return it->first <= off && it->second >= off + len;
  }
  uint64_t bytes() const { return bytes_; }

 private:
  std::map<uint64_t, uint64_t> m_;
  uint64_t bytes_ = 0;
};

struct Sim {
  explicit Sim(uint64_t size, PatternOptions o = {}) : det(o, size), size(size) {}
  // Returns true when the read was already planned.
  bool read(uint64_t off, uint64_t len) {
    bool hit = fetched.has(off, len);
    ReadPlan p = det.onRead(off, len, !hit);
    REQUIRE(p.demand.offset <= off);
    REQUIRE(p.demand.end() >= std::min(off + len, size));
    for (auto& r : p.prefetch) {
      REQUIRE(r.end() <= size);
      REQUIRE(r.length > 0);
    }
    fetched.add(p.demand);
    for (auto& r : p.prefetch) fetched.add(r);
    last = p;
    return hit;
  }
  AccessPatternDetector det;
  Fetched fetched;
  uint64_t size;
  ReadPlan last;
};

}  // namespace

TEST_CASE("sequential reads prefetch ahead with a growing window", "[fusecore][pattern]") {
  PatternOptions o;
  o.maxWindow = 256 * MiB;
  Sim sim(1024 * MiB, o);
  int misses = 0;
  for (uint64_t off = 0; off < 1024 * MiB; off += MiB) {
    if (!sim.read(off, MiB)) ++misses;
  }
  CHECK(misses <= 2);
  CHECK(sim.det.windowOf(sim.last.stream) == 256 * MiB);
  CHECK(sim.fetched.bytes() == 1024 * MiB);  // nothing fetched twice, nothing beyond EOF
}

TEST_CASE("a reader waiting for bytes in flight doubles the window at every read", "[fusecore][pattern]") {
  // The same 64 MiB read in 1 MiB steps, once by a reader that never waits
  // and once by one that always finds its bytes still in flight.
  auto windowAfter = [](bool starved) {
    AccessPatternDetector det(PatternOptions{}, 1024 * MiB);
    ReadPlan p;
    for (uint64_t off = 0; off < 64 * MiB; off += MiB) p = det.onRead(off, MiB, off == 0, starved);
    return det.windowOf(p.stream);
  };
  CHECK(windowAfter(false) == 64 * MiB);                   // 1+2+...+32 MiB read: doubled 6 times
  CHECK(windowAfter(true) == PatternOptions{}.maxWindow);  // 11 waiting reads reach the maximum
}

TEST_CASE("concurrent reads of the same waiting bytes grow the window once", "[fusecore][pattern]") {
  AccessPatternDetector det(PatternOptions{}, 1024 * MiB);
  ReadPlan p = det.onRead(0, MiB, true);
  p = det.onRead(MiB, MiB, false, true);
  uint64_t grown = det.windowOf(p.stream);
  // Kernel readahead's reordered 128 KiB reads inside the same MiB: no more growth.
  for (uint64_t off = MiB; off < 2 * MiB; off += 128 * KiB) p = det.onRead(off, 128 * KiB, false, true);
  CHECK(det.windowOf(p.stream) == grown);
  CHECK(p.window == grown);
}

TEST_CASE("the window never exceeds maxWindow and stops at EOF", "[fusecore][pattern]") {
  PatternOptions o;
  o.maxWindow = 8 * MiB;
  Sim sim(100 * MiB + 123, o);
  for (uint64_t off = 0; off < sim.size; off += 128 * KiB) sim.read(off, 128 * KiB);
  CHECK(sim.det.windowOf(sim.last.stream) == 8 * MiB);
  CHECK(sim.fetched.bytes() == sim.size);
}

TEST_CASE("kernel readahead reordering (small backward steps) stays sequential", "[fusecore][pattern]") {
  Sim sim(256 * MiB);
  int misses = 0;
  for (uint64_t off = 0; off < 200 * MiB; off += 2 * MiB) {
    // 1 MiB ahead arrives before the one behind it.
    if (!sim.read(off + MiB, MiB)) ++misses;
    if (!sim.read(off, MiB)) ++misses;
  }
  CHECK(misses <= 3);
  CHECK(sim.det.streamCount() == 1);
}

TEST_CASE("interleaved sequential streams (safetensors dtype regions) each prefetch", "[fusecore][pattern]") {
  // Three regions read in alternation, like F32 norms / BF16 / F8 weights.
  const uint64_t size = 3 * 512 * MiB;
  Sim sim(size);
  uint64_t pos[3] = {0, 512 * MiB, 1024 * MiB};
  std::mt19937 rng(7);
  int misses = 0, reads = 0;
  for (int i = 0; i < 1200; ++i) {
    int s = static_cast<int>(rng() % 3);
    uint64_t len = (1 + rng() % 4) * 256 * KiB;
    if (pos[s] + len > (s + 1) * 512 * MiB) continue;
    if (!sim.read(pos[s], len)) ++misses;
    ++reads;
    pos[s] += len;
  }
  INFO("misses " << misses << " of " << reads);
  CHECK(misses <= 12);
  CHECK(sim.det.streamCount() == 3);
}

TEST_CASE("strided reads (mmap faults every stride) prefetch the next slices", "[fusecore][pattern]") {
  const uint64_t stride = 4 * MiB;
  Sim sim(2048 * MiB);
  int misses = 0;
  for (uint64_t k = 1; k < 400; ++k) {
    // Read-around windows start 64 KiB before each faulting page.
    if (!sim.read(k * stride - 64 * KiB, 128 * KiB)) ++misses;
  }
  CHECK(misses <= 4);
  CHECK(sim.last.kind == AccessKind::Strided);
  // Slices only: far less than the whole span was fetched.
  CHECK(sim.fetched.bytes() < 400 * stride / 8);
}

TEST_CASE("dense strides (tensor-parallel column slices) fetch the covering range", "[fusecore][pattern]") {
  Sim sim(512 * MiB);
  int misses = 0;
  // 16 KiB rows, this rank reads 8 KiB of each.
  for (uint64_t r = 0; r < 10000; ++r) {
    if (!sim.read(64 * MiB + r * 16 * KiB + 8 * KiB, 8 * KiB)) ++misses;
  }
  CHECK(misses <= 6);
}

TEST_CASE("random reads fetch only the aligned asked range", "[fusecore][pattern]") {
  Sim sim(4096 * MiB);
  std::mt19937_64 rng(42);
  std::vector<uint64_t> seen;
  for (int i = 0; i < 200; ++i) {
    uint64_t off = 4096 + rng() % (4000 * MiB);
    // Keep reads far apart, so none of them continues an earlier one.
    bool near = false;
    for (uint64_t s : seen) near = near || (off > s ? off - s : s - off) < 8 * MiB;
    if (near) continue;
    seen.push_back(off);
    sim.read(off, 4 * KiB);
    CHECK(sim.last.prefetch.empty());
    CHECK(sim.last.demand.length <= 128 * KiB);
    CHECK(sim.last.demand.offset % (64 * KiB) == 0);
  }
}

TEST_CASE("prefetch that could not be issued is planned again", "[fusecore][pattern]") {
  AccessPatternDetector det({}, 1024 * MiB);
  ReadPlan p = det.onRead(0, MiB, true);
  REQUIRE(!p.prefetch.empty());
  det.notePrefetched(p.stream, MiB);  // nothing issued
  p = det.onRead(MiB, MiB, true);
  REQUIRE(!p.prefetch.empty());
  CHECK(p.prefetch[0].offset <= 2 * MiB);
}

TEST_CASE("property: any read sequence yields sane plans", "[fusecore][pattern]") {
  std::mt19937_64 rng(1234);
  for (int round = 0; round < 50; ++round) {
    uint64_t size = 1 + rng() % (64 * MiB);
    Sim sim(size);
    for (int i = 0; i < 300; ++i) {
      uint64_t off = rng() % size;
      uint64_t len = 1 + rng() % (2 * MiB);
      if (rng() % 2 && i > 0) off = std::min(size - 1, sim.last.demand.end());
      sim.read(off, len);  // Sim::read checks bounds and demand coverage
    }
  }
}
