// StatusWriter's per-ossvp coalescing: N PVCs' progress updates become one
// status write, applied in arrival order, an immediate update writes pending
// ones first (never overwritten by them), and a 409 re-applies all of them.
// The coalescing window is measured on a FakeClock.
#include <catch2/catch.hpp>

#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/counting_api_client.h"
#include "ossvp/controller/kube/mutation_cache.h"
#include "ossvp/controller/metrics.h"
#include "ossvp/controller/status_writer.h"
#include "ossvp/controller/testing/fake_clock.h"
#include "ossvp/controller/testing/fake_kube_api.h"

namespace ossvp::controller::testing {
namespace {

namespace res = kube::resources;

int statusWrites(const FakeKubeApi& api) {
  int n = 0;
  for (const auto& a : api.actions()) n += a.rfind("status ossvolumepopulators", 0) == 0 ? 1 : 0;
  return n;
}

StatusWriter::Mutation progressOf(const std::string& uid, int percent) {
  return genericEntryMutation(makePvc("argo", uid, uid, "demo"), [percent](GenericPvcEntry& e) {
    e.phase = std::string(kPvcPhasePopulating);
    e.progress = monotonicProgress(e.progress, percent);
  });
}

OssvpStatus statusOf(const FakeKubeApi& api) {
  auto o = api.find(res::ossvps(), "argo", "demo");
  return OssvpStatus::fromJson(o->value("status", kube::Object())).value();
}

struct Fixture {
  Fixture() {
    api.seed(res::ossvps(), makeOssvpGeneric("argo", "demo"));
    api.clearActions();
    writer.setCoalesceWindow(std::chrono::hours(1));
  }
  FakeClock clock;
  FakeKubeApi api;
  StatusWriter writer{api, api, clock};
};

}  // namespace

TEST_CASE("status coalescing: N PVCs' progress is one write, applied in order", "[controller][status]") {
  Fixture f;
  for (int i = 0; i < 20; ++i) {
    const std::string uid = std::to_string(i);
    REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf(uid, 10)).isOk());
  }
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("0", 50)).isOk());
  CHECK(statusWrites(f.api) == 0);
  CHECK(f.writer.flushDue() == 0);  // the window has not passed
  CHECK(f.writer.flushDue(true) == 1);
  CHECK(statusWrites(f.api) == 1);
  auto st = statusOf(f.api);
  CHECK(st.generic.size() == 20);
  CHECK(st.generic.at("0").progress == "50%");
  CHECK(st.generic.at("7").progress == "10%");
  CHECK(st.phase == std::string(kPhasePopulating));
  CHECK(f.writer.flushDue(true) == 0);  // nothing left
}

TEST_CASE("status coalescing: an immediate update writes pending changes first", "[controller][status]") {
  Fixture f;
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u1", 40)).isOk());
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u2", 20)).isOk());
  auto done = genericEntryMutation(makePvc("argo", "u1", "u1", "demo"), [](GenericPvcEntry& e) {
    e.phase = std::string(kPvcPhaseSucceeded);
    e.progress = formatPercent(100);
  });
  REQUIRE(f.writer.update("argo", "demo", done).isOk());
  CHECK(statusWrites(f.api) == 1);
  auto st = statusOf(f.api);
  CHECK(st.generic.at("u1").phase == std::string(kPvcPhaseSucceeded));  // not reverted by the older progress
  CHECK(st.generic.at("u1").progress == "100%");
  CHECK(st.generic.at("u2").progress == "20%");
  CHECK(f.writer.flushDue(true) == 0);
}

TEST_CASE("status coalescing: a conflict re-applies every pending change", "[controller][status]") {
  Fixture f;
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u1", 40)).isOk());
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u2", 30)).isOk());
  f.api.failNext("status", "ossvolumepopulators",
                 kube::statusFromHttp(409, R"({"reason":"Conflict","message":"modified"})", "test"));
  CHECK(f.writer.flushDue(true) == 1);
  auto st = statusOf(f.api);
  CHECK(st.generic.at("u1").progress == "40%");
  CHECK(st.generic.at("u2").progress == "30%");
}

TEST_CASE("status coalescing: written once the window has passed, zero window writes at once", "[controller][status]") {
  Fixture f;
  f.writer.setCoalesceWindow(std::chrono::milliseconds(30));
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u1", 40)).isOk());
  CHECK(f.writer.flushDue() == 0);
  f.clock.advance(std::chrono::milliseconds(20));
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u1", 50)).isOk());  // the window runs from the first
  f.clock.advance(std::chrono::milliseconds(9));
  CHECK(f.writer.flushDue() == 0);
  CHECK(statusWrites(f.api) == 0);
  f.clock.advance(std::chrono::milliseconds(1));
  CHECK(f.writer.flushDue() == 1);
  CHECK(statusWrites(f.api) == 1);
  CHECK(statusOf(f.api).generic.at("u1").progress == "50%");

  f.writer.setCoalesceWindow(std::chrono::milliseconds(0));
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u1", 60)).isOk());
  CHECK(statusWrites(f.api) == 2);
  CHECK(statusOf(f.api).generic.at("u1").progress == "60%");
}

// An informer cache that has not seen anything since the snapshot.
struct FrozenCache : kube::ObjectReader {
  explicit FrozenCache(kube::Object ossvp) : ossvp(std::make_shared<const kube::Object>(std::move(ossvp))) {}
  std::shared_ptr<const kube::Object> getCached(const kube::Resource&, const std::string&,
                                                const std::string&) const override {
    return ossvp;
  }
  std::vector<std::shared_ptr<const kube::Object>> listCached(
      const kube::Resource&, const std::string&,
      const std::vector<std::pair<std::string, std::string>>&) const override {
    return {ossvp};
  }
  std::shared_ptr<const kube::Object> ossvp;
};

TEST_CASE("status writes through a MutationCache start from the last write while the cache lags: no conflict",
          "[controller][status]") {
  FakeClock clock;
  FakeKubeApi fake;
  FrozenCache cache(fake.seed(res::ossvps(), makeOssvpGeneric("argo", "demo")));
  Metrics metrics;
  kube::CountingApiClient counted(fake, metrics);
  kube::MutationCache api(counted, cache, {res::ossvps()}, clock);
  StatusWriter writer(api, api, clock);
  for (int i = 0; i < 5; ++i) REQUIRE(writer.update("argo", "demo", progressOf("u" + std::to_string(i), 10)).isOk());
  CHECK(metrics.counter("ossvp_api_requests_total", R"({verb="update",resource="ossvolumepopulators/status"})") == 5);
  CHECK(metrics.counter("ossvp_api_requests_total", R"({verb="get",resource="ossvolumepopulators"})") == 0);
  CHECK(statusOf(fake).generic.size() == 5);

  // Someone else changes the object: the cache still shows the old copy, so
  // the writer's next write conflicts once, re-reads and lands.
  auto obj = *fake.find(res::ossvps(), "argo", "demo");
  obj["metadata"]["labels"]["team"] = "a";
  REQUIRE(fake.update(res::ossvps(), obj).isOk());
  REQUIRE(writer.update("argo", "demo", progressOf("u9", 10)).isOk());
  CHECK(metrics.counter("ossvp_api_requests_total", R"({verb="get",resource="ossvolumepopulators"})") == 1);
  CHECK(statusOf(fake).generic.size() == 6);
}

TEST_CASE("status coalescing: an outcome asked for soon is due at the next flush, with what is pending",
          "[controller][status]") {
  Fixture f;  // a one-hour window
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u1", 40)).isOk());
  CHECK(f.writer.flushDue() == 0);
  auto done = genericEntryMutation(makePvc("argo", "u2", "u2", "demo"), [](GenericPvcEntry& e) {
    e.phase = std::string(kPvcPhaseSucceeded);
    e.progress = formatPercent(100);
  });
  REQUIRE(f.writer.updateCoalesced("argo", "demo", done, true).isOk());
  CHECK(statusWrites(f.api) == 0);
  CHECK(f.writer.flushDue() == 1);
  auto st = statusOf(f.api);
  CHECK(st.generic.at("u1").progress == "40%");
  CHECK(st.generic.at("u2").phase == std::string(kPvcPhaseSucceeded));
}

TEST_CASE("status coalescing: a failed write keeps its changes for the next flush", "[controller][status]") {
  Fixture f;
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u1", 40)).isOk());
  f.api.failNext("status", "ossvolumepopulators", kube::statusFromHttp(500, R"({"message":"etcd timeout"})", "test"));
  CHECK(f.writer.flushDue(true) == 0);
  CHECK(statusWrites(f.api) == 0);
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u2", 20)).isOk());
  CHECK(f.writer.flushDue(true) == 1);
  auto st = statusOf(f.api);
  CHECK(st.generic.at("u1").progress == "40%");
  CHECK(st.generic.at("u2").progress == "20%");

  // An immediate update that fails keeps the pending changes it carried too.
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u1", 70)).isOk());
  f.api.failNext("status", "ossvolumepopulators", kube::statusFromHttp(500, R"({"message":"etcd timeout"})", "test"));
  CHECK_FALSE(f.writer.update("argo", "demo", progressOf("u3", 5)).isOk());
  CHECK(f.writer.flushDue(true) == 1);
  st = statusOf(f.api);
  CHECK(st.generic.at("u1").progress == "70%");
  CHECK(st.generic.count("u3") == 0);  // the failed immediate change is its caller's to retry
}

TEST_CASE("status entry view: pending changes are visible before they are written", "[controller][status]") {
  Fixture f;
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u1", 40)).isOk());
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u4", 30)).isOk());
  REQUIRE(f.writer.flushDue(true) == 1);
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u2", 10)).isOk());
  REQUIRE(f.writer.updateCoalesced("argo", "demo", progressOf("u1", 60)).isOk());
  auto e = f.writer.genericEntry("argo", "demo", "u1");
  REQUIRE(e);
  CHECK(e->progress == "60%");                                            // written 40%, pending 60%
  CHECK(f.writer.genericEntry("argo", "demo", "u2")->progress == "10%");  // only pending
  // Only written: read from the last written status (the 60% above would
  // hide a broken read of the written entry, progress being monotonic).
  REQUIRE(f.writer.genericEntry("argo", "demo", "u4"));
  CHECK(f.writer.genericEntry("argo", "demo", "u4")->progress == "30%");
  CHECK_FALSE(f.writer.genericEntry("argo", "demo", "u3"));
  CHECK_FALSE(f.writer.genericEntry("argo", "missing", "u1"));
  CHECK(statusWrites(f.api) == 1);
}

TEST_CASE("summary: the top-level fields follow the entries when the last PVC in flight goes away",
          "[controller][status]") {
  OssvpStatus st;
  st.generic["u1"].phase = std::string(kPvcPhasePopulating);
  st.generic["u1"].progress = "24%";
  st.generic["u1"].bytesPerSecond = 1024;
  st.generic["u1"].etaSeconds = 60;
  summarizeStatus(&st, 1);
  REQUIRE(st.phase == kPhasePopulating);
  REQUIRE(st.message == "Populating 1 volume(s)");
  REQUIRE(st.throughput == "1.00 KiB/s");

  st.generic.erase("u1");  // the PVC was deleted mid-copy
  summarizeStatus(&st, 1);
  CHECK(st.phase == kPhasePending);
  CHECK(st.progress.empty());
  CHECK(st.message == kMessageIdle);
  CHECK(st.throughput.empty());
  CHECK(st.eta.empty());
  CHECK(findCondition(st.conditions, kConditionPopulating)->status == "False");

  // A finished population on record decides, as before.
  OssvpStatus two;
  two.generic["a"].phase = std::string(kPvcPhaseSucceeded);
  two.generic["a"].completionTime = "2026-01-01T00:00:00Z";
  two.generic["b"].phase = std::string(kPvcPhasePopulating);
  summarizeStatus(&two, 1);
  REQUIRE(two.phase == kPhasePopulating);
  two.generic.erase("b");
  summarizeStatus(&two, 1);
  CHECK(two.phase == kPhaseSucceeded);
  CHECK(two.message == kMessagePopulated);

  // bmcpfs-dataflow keeps no finished record: a completed import that remains means Succeeded.
  OssvpStatus cpfs;
  cpfs.bmcpfsDataflow["done"].progress = "100%";
  cpfs.bmcpfsDataflow["gone"].progress = "40%";
  summarizeStatus(&cpfs, 1);
  REQUIRE(cpfs.phase == kPhasePopulating);
  cpfs.bmcpfsDataflow.erase("gone");
  summarizeStatus(&cpfs, 1);
  CHECK(cpfs.phase == kPhaseSucceeded);
  CHECK(cpfs.progress == "100%");

  // A Failed summary is a record itself and stays.
  OssvpStatus failed;
  failed.phase = std::string(kPhaseFailed);
  failed.message = "gave up";
  summarizeStatus(&failed, 1);
  CHECK(failed.phase == kPhaseFailed);
  CHECK(failed.message == "gave up");
}

}  // namespace ossvp::controller::testing
