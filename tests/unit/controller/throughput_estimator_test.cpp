// ThroughputEstimator: the smoothed copy rate and the ETA from progress
// reports; and the status fields the pod strategy fills from it.
#include <catch2/catch.hpp>

#include <cmath>

#include "ossvp/controller/testing/fake_clock.h"
#include "ossvp/controller/throughput_estimator.h"
#include "reconciler_world.h"

namespace ossvp::controller::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kMB = 1000 * 1000;

// A copy reported from time 0 with 0 bytes done.
struct Copy {
  Copy() { est.add(clock.now(), 0); }
  // `count` reports `every` apart at `rateMB` MB/s.
  void steady(int64_t rateMB, int count, seconds every = seconds(2)) {
    for (int i = 0; i < count; ++i) {
      clock.advance(every);
      bytes += rateMB * kMB * every.count();
      est.add(clock.now(), bytes);
    }
  }
  FakeClock clock;
  ThroughputEstimator est;
  int64_t bytes = 0;
};

}  // namespace

TEST_CASE("throughput: nothing from one report, nor from reports spanning less than 2 s", "[controller][rate]") {
  FakeClock clock;
  ThroughputEstimator est;
  est.add(clock.now(), 0);
  CHECK_FALSE(est.bytesPerSecond());
  CHECK_FALSE(est.etaSeconds(1000 * kMB));
  clock.advance(seconds(1));
  est.add(clock.now(), 100 * kMB);
  CHECK_FALSE(est.bytesPerSecond());
  CHECK_FALSE(est.etaSeconds(1000 * kMB));
  clock.advance(seconds(1));
  est.add(clock.now(), 200 * kMB);
  CHECK(est.bytesPerSecond() == 100 * kMB);
  CHECK(est.etaSeconds(1000 * kMB) == 8);  // 800 MB left at 100 MB/s
  CHECK_FALSE(est.etaSeconds(0));          // total unknown
}

TEST_CASE("throughput: a change of speed moves the rate by the time-weighted EWMA", "[controller][rate]") {
  Copy c;  // time constant 10 s
  c.steady(100, 5);
  REQUIRE(c.est.bytesPerSecond() == 100 * kMB);
  c.steady(200, 1);  // one report of 2 s at 200 MB/s
  double expected = 100 * kMB + (1 - std::exp(-0.2)) * 100 * kMB;
  CHECK(static_cast<double>(*c.est.bytesPerSecond()) == Approx(expected).epsilon(1e-6));
  c.steady(200, 30);  // a minute later it has caught up
  CHECK(static_cast<double>(*c.est.bytesPerSecond()) == Approx(200 * kMB).epsilon(0.01));
}

TEST_CASE("throughput: a report repeated within a second changes nothing", "[controller][rate]") {
  Copy c;
  c.steady(100, 3);
  auto before = c.est.bytesPerSecond();
  c.clock.advance(milliseconds(300));
  c.est.add(c.clock.now(), c.bytes);  // another reconcile pass over the same annotation
  CHECK(c.est.bytesPerSecond() == before);
}

TEST_CASE("throughput: a stall makes the rate decay and the ETA grow, then vanish", "[controller][rate]") {
  Copy c;
  c.steady(100, 10);
  const int64_t total = c.bytes + 1000 * kMB;
  REQUIRE(c.est.etaSeconds(total) == 10);
  c.steady(0, 5);  // 10 s without a byte: one time constant
  CHECK(static_cast<double>(*c.est.bytesPerSecond()) == Approx(100 * kMB * std::exp(-1.0)).epsilon(1e-6));
  CHECK(*c.est.etaSeconds(total) > 25);
  c.steady(0, 150);  // 5 minutes
  CHECK(c.est.bytesPerSecond() == 0);
  CHECK_FALSE(c.est.etaSeconds(total));
}

TEST_CASE("throughput: fewer bytes than before (a new attempt) starts over", "[controller][rate]") {
  Copy c;
  c.steady(100, 3);
  REQUIRE(c.est.bytesPerSecond());
  c.clock.advance(seconds(2));
  c.est.add(c.clock.now(), 10 * kMB);
  CHECK_FALSE(c.est.bytesPerSecond());
}

TEST_CASE("throughput: status shows rate and ETA per PVC and for the ossvp while copying", "[controller][rate]") {
  FakeClock clock;
  World w(World::defaults(), clock);
  w.startPopulation();
  const int64_t mib = 1024 * 1024;
  auto report = [&](int64_t done) {
    w.setPod("Running", {{"phase", "copying"}, {"bytesDone", done}, {"bytesTotal", 1000 * mib}});
    return w.reconcile();
  };
  Outcome first = report(0);
  auto e = w.ossvpStatus().generic.at("u1");
  CHECK_FALSE(e.bytesPerSecond);
  CHECK_FALSE(e.etaSeconds);
  CHECK(w.ossvpStatus().throughput.empty());
  // A running copy is looked at again without a new report (a stall shows).
  REQUIRE(first.isRequeue());
  CHECK(first.delay() <= seconds(10));

  clock.advance(seconds(2));
  report(200 * mib);
  e = w.ossvpStatus().generic.at("u1");
  CHECK(e.bytesPerSecond == 100 * mib);
  CHECK(e.etaSeconds == 8);
  auto st = w.ossvpStatus();
  CHECK(st.throughput == "100.00 MiB/s");
  CHECK(st.eta == "8s");

  w.setPod("Succeeded", {{"bytesDone", 1000 * mib}, {"bytesTotal", 1000 * mib}}, 0, "{}");
  w.reconcile();
  st = w.ossvpStatus();
  CHECK_FALSE(st.generic.at("u1").bytesPerSecond);
  CHECK_FALSE(st.generic.at("u1").etaSeconds);
  CHECK(st.throughput.empty());
  CHECK(st.eta.empty());
}

}  // namespace ossvp::controller::testing
