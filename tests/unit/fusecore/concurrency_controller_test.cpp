// ConcurrencyController driven by a simulated network: requests of a fixed
// size complete at the rate the simulated link gives for the current number
// in flight, with time passed in (no sleeping).
#include <catch2/catch.hpp>

#include <algorithm>

#include "ossvp/fusecore/concurrency_controller.h"

using namespace ossvp::fusecore;
using Clock = ConcurrencyController::Clock;

namespace {

constexpr uint64_t kPart = 8ull << 20;

// A link where each connection carries `perConn` bytes/s and the whole host
// at most `host` bytes/s. Runs `completions` requests with the engine always
// wanting more than the limit, returns the limit at the end.
struct SimulatedLink {
  double perConn;
  double host;
  Clock::time_point now = Clock::time_point{} + std::chrono::seconds(1);

  void run(ConcurrencyController& c, int completions, bool alwaysLimited = true) {
    for (int i = 0; i < completions; ++i) {
      size_t n = c.limit();
      double rate = std::min(perConn * static_cast<double>(n), host);  // bytes/s with n in flight
      now += std::chrono::nanoseconds(static_cast<int64_t>(1e9 * static_cast<double>(kPart) / rate));
      if (alwaysLimited) c.noteLimited();
      c.onComplete(kPart, false, now);
    }
  }
};

ConcurrencyOptions opts() {
  return ConcurrencyOptions{.initial = 8,
                            .min = 2,
                            .max = 256,
                            .growFactor = 2.0,
                            .minGain = 0.10,
                            .backoffFactor = 0.5,
                            .holdGenerations = 16};
}

}  // namespace

TEST_CASE("concurrency grows while throughput rises", "[fusecore][concurrency]") {
  ConcurrencyController c(opts());
  // 25 MB/s per connection, 3 GB/s host: nothing stops growth before 120.
  SimulatedLink link{25e6, 3e9};
  link.run(c, 2000);
  CHECK(c.limit() >= 64);
  CHECK(c.growths() >= 3);
}

TEST_CASE("concurrency stops growing where throughput stops rising", "[fusecore][concurrency]") {
  ConcurrencyController c(opts());
  // 25 MB/s per connection but a 400 MB/s host: 16 in flight saturate it,
  // 32 add nothing, so the limit settles at 16 (not the 256 maximum), with
  // a short probe at 32 now and then.
  SimulatedLink link{25e6, 400e6};
  link.run(c, 1500);
  size_t at16 = 0, samples = 0, highest = 0;
  for (int i = 0; i < 1500; ++i) {
    link.run(c, 1);
    highest = std::max(highest, c.limit());
    at16 += c.limit() == 16;
    ++samples;
  }
  CHECK(highest <= 32);
  CHECK(at16 * 4 >= samples * 3);  // at the plateau at least 75% of the time
}

TEST_CASE("a fast link needs few requests: the limit stays low", "[fusecore][concurrency]") {
  ConcurrencyController c(opts());
  // One connection carries 2 GB/s, the host 2 GB/s: 8 is already plenty.
  SimulatedLink link{2e9, 2e9};
  link.run(c, 2000);
  CHECK(c.limit() <= 16);
}

TEST_CASE("throttling backs off and holds", "[fusecore][concurrency]") {
  ConcurrencyController c(opts());
  SimulatedLink link{25e6, 3e9};
  link.run(c, 1000);
  size_t before = c.limit();
  REQUIRE(before >= 32);
  c.onComplete(0, true, link.now);
  CHECK(c.limit() == before / 2);
  CHECK(c.backoffs() == 1);
  // Repeated SlowDowns keep cutting, down to the minimum, never below.
  for (int i = 0; i < 20; ++i) c.onComplete(0, true, link.now);
  CHECK(c.limit() == 2);
}

TEST_CASE("no growth while the limit is not what holds the engine back", "[fusecore][concurrency]") {
  ConcurrencyController c(opts());
  SimulatedLink link{25e6, 3e9};
  link.run(c, 1000, /*alwaysLimited=*/false);
  CHECK(c.limit() == 8);
  CHECK(c.growths() == 0);
}

TEST_CASE("after a plateau the controller probes again and follows a faster network", "[fusecore][concurrency]") {
  ConcurrencyController c(opts());
  SimulatedLink link{25e6, 400e6};
  link.run(c, 3000);
  REQUIRE(c.limit() <= 32);
  link.host = 3e9;  // the host's bandwidth grew (other jobs finished)
  link.run(c, 3000);
  CHECK(c.limit() >= 64);
}

TEST_CASE("the first burst of completions is not measured", "[fusecore][concurrency]") {
  // Eight requests started together finish together: measured, they would
  // look like an instant 8-request rate that no later generation beats.
  ConcurrencyOptions o = opts();
  o.skipFirst = 8;
  ConcurrencyController c(o);
  SimulatedLink link{25e6, 3e9};
  for (int i = 0; i < 8; ++i) {
    link.now += std::chrono::microseconds(10);
    c.noteLimited();
    c.onComplete(kPart, false, link.now);
  }
  link.run(c, 200);  // 8 + 24 + 48 + 96 measured completions reach 64
  CHECK(c.limit() >= 64);
}

TEST_CASE("far below the knee the limit grows in bigger steps", "[fusecore][concurrency]") {
  ConcurrencyController c(opts());
  // 25 MB/s per connection, 3 GB/s host: each doubling doubles throughput,
  // so the steps square (8 -> 16 -> 64 -> 256) and 120+ requests are in
  // flight after 150 completions; doubling alone is still at 64 by then.
  SimulatedLink link{25e6, 3e9};
  link.run(c, 150);
  CHECK(c.limit() >= 128);
  link.run(c, 1000);
  CHECK(c.limit() >= 128);  // 256 paid (3 GB/s vs 1.6 GB/s at 64): it stays
}

TEST_CASE("settled() is the limit the controller returns to, not a probe in flight", "[fusecore][concurrency]") {
  ConcurrencyController c(opts());
  CHECK(c.settled() == 8);  // nothing measured yet: the initial limit
  // The 400 MB/s host of "stops growing": 16 pays, the probes at 32 do not.
  SimulatedLink link{25e6, 400e6};
  link.run(c, 1500);
  bool probed = false;
  for (int i = 0; i < 1500; ++i) {
    link.run(c, 1);
    probed = probed || c.limit() > 16;
    CHECK(c.settled() == 16);
  }
  CHECK(probed);  // settled() stayed at 16 while limit() probed above it
  c.onComplete(0, true, link.now);
  CHECK(c.settled() == c.limit());  // a cut is where it settles next
  CHECK(c.settled() < 16);
}
