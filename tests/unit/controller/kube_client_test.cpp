// Tests of the reusable Kubernetes client pieces: work queue, event
// recorder, informer (list + watch, relist on 410), kubeconfig loading,
// feature gates, API error mapping.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "ossvp/common/secret_redactor.h"
#include "ossvp/controller/controller_options.h"
#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/event_recorder.h"
#include "ossvp/controller/kube/informer.h"
#include "ossvp/controller/kube/kube_config.h"
#include "ossvp/controller/kube/work_queue.h"
#include "ossvp/controller/testing/fake_clock.h"
#include "ossvp/controller/testing/fake_kube_api.h"

namespace ossvp::controller::testing {
namespace res = kube::resources;
using namespace std::chrono_literals;

TEST_CASE("work queue: deduplicates and never hands one key to two workers", "[controller][kube]") {
  kube::WorkQueue q;
  q.add("a");
  q.add("a");
  q.add("b");
  CHECK(q.length() == 2);
  std::string k;
  REQUIRE(q.get(&k));
  CHECK(k == "a");
  q.add("a");  // while processing: held back until done()
  REQUIRE(q.get(&k));
  CHECK(k == "b");
  CHECK(q.length() == 0);
  q.done("a");
  CHECK(q.length() == 1);
  REQUIRE(q.get(&k));
  CHECK(k == "a");
  q.done("a");
  q.done("b");
  q.shutdown();
  CHECK_FALSE(q.get(&k));
}

TEST_CASE("work queue: per-key exponential backoff and delayed adds", "[controller][kube]") {
  kube::WorkQueue q(kube::WorkQueue::Options{10ms, 35ms});
  CHECK(q.addRateLimited("k") == 10ms);
  CHECK(q.addRateLimited("k") == 20ms);
  CHECK(q.addRateLimited("k") == 35ms);  // capped
  CHECK(q.failures("k") == 3);
  q.forget("k");
  CHECK(q.failures("k") == 0);
  CHECK(q.addRateLimited("other") == 10ms);
}

namespace {
// One q.get() on its own thread. The destructor shuts the queue down and
// joins, so a failed assertion does not leave the thread blocked.
class GetThread {
 public:
  explicit GetThread(kube::WorkQueue& q)
      : q_(q), thread_([this] {
          got_ = q_.get(&key_);
          returned_ = true;
        }) {}
  ~GetThread() {
    q_.shutdown();
    if (thread_.joinable()) thread_.join();
  }
  bool returned() const { return returned_; }
  // Waits for get() to return: the key it handed out, or "" after shutdown.
  std::string finish() {
    thread_.join();
    return got_ ? key_ : "";
  }

 private:
  kube::WorkQueue& q_;
  std::string key_;
  bool got_ = false;
  std::atomic<bool> returned_{false};
  std::thread thread_;  // last: starts once the members it uses exist
};
}  // namespace

TEST_CASE("work queue: a delayed key is handed out once its time has come, not before", "[controller][kube]") {
  FakeClock clock;
  kube::WorkQueue q(kube::WorkQueue::Options{}, clock);
  q.addAfter("x", 50ms);
  CHECK(q.length() == 0);
  CHECK(q.delayedLength() == 1);
  GetThread worker(q);
  REQUIRE(clock.awaitParks(1));  // the worker waits for x's time
  clock.advance(49ms);
  REQUIRE(clock.awaitParks(2));  // woken, x is not due: it waits again
  CHECK_FALSE(worker.returned());
  CHECK(q.delayedLength() == 1);
  clock.advance(1ms);
  CHECK(worker.finish() == "x");
  CHECK(q.delayedLength() == 0);
}

TEST_CASE("work queue: a rate-limited key waits for its backoff", "[controller][kube]") {
  FakeClock clock;
  kube::WorkQueue q(kube::WorkQueue::Options{100ms, 1s}, clock);
  REQUIRE(q.addRateLimited("k") == 100ms);
  REQUIRE(q.addRateLimited("k") == 200ms);  // the earlier due time stays: 100 ms
  GetThread worker(q);
  REQUIRE(clock.awaitParks(1));
  clock.advance(99ms);
  REQUIRE(clock.awaitParks(2));
  CHECK_FALSE(worker.returned());
  clock.advance(1ms);
  CHECK(worker.finish() == "k");
}

TEST_CASE("work queue: shutdown wakes a worker waiting for a delayed key", "[controller][kube]") {
  FakeClock clock;
  kube::WorkQueue q(kube::WorkQueue::Options{}, clock);
  q.addAfter("x", 1h);
  GetThread worker(q);
  REQUIRE(clock.awaitParks(1));
  CHECK_FALSE(worker.returned());
  q.shutdown();
  CHECK(worker.finish().empty());
}

TEST_CASE("work queue: N workers drain concurrently", "[controller][kube]") {
  kube::WorkQueue q;
  std::mutex mu;
  std::condition_variable cv;
  int handled = 0;  // guarded by mu
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      std::string k;
      while (q.get(&k)) {
        {
          std::lock_guard<std::mutex> lock(mu);
          ++handled;
        }
        cv.notify_all();
        q.done(k);
      }
    });
  }
  for (int i = 0; i < 100; ++i) q.add("key-" + std::to_string(i));
  {
    std::unique_lock<std::mutex> lock(mu);
    // A bound against a hang, not a timing assertion.
    CHECK(cv.wait_for(lock, 10s, [&] { return handled == 100; }));
  }
  q.shutdown();
  for (auto& t : workers) t.join();
  CHECK(handled == 100);
}

TEST_CASE("event recorder: repeats are aggregated into one event with a count", "[controller][kube]") {
  FakeKubeApi api;
  kube::EventRecorder rec(api, "ossvp-controller", "test");
  kube::Object pvc = makePvc("argo", "data", "u1", "x");
  rec.warning(pvc, "PopulatorFailed", "boom");
  rec.warning(pvc, "PopulatorFailed", "boom");
  rec.warning(pvc, "PopulatorFailed", "boom");
  rec.normal(pvc, "PopulatorCreated", "started");
  auto evs = api.events();
  REQUIRE(evs.size() == 2);
  auto failed = api.eventsWithReason("PopulatorFailed");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["count"] == 3);
  CHECK(failed[0]["type"] == "Warning");
  CHECK(failed[0]["involvedObject"]["uid"] == "u1");
  CHECK(failed[0]["involvedObject"]["kind"] == "PersistentVolumeClaim");
  CHECK(failed[0]["source"]["component"] == "ossvp-controller");
  CHECK(kube::namespaceOf(failed[0]) == "argo");
}

namespace {

// A recorder on a fake clock, and an ossvp (argo/shared, uid ossvp-uid) that
// many PVCs report to.
struct SharedOssvpEvents {
  FakeClock clock;
  FakeKubeApi api;
  kube::EventRecorder rec{api, "ossvp-controller", "test", 4096, clock};
  kube::Object ossvp = [] {
    kube::Object o = makeOssvpGeneric("argo", "shared");
    o["metadata"]["uid"] = "ossvp-uid";
    return o;
  }();
};

}  // namespace

TEST_CASE("event recorder: an object gets 25 events at once, then one per 5 minutes, others are not held back",
          "[controller][kube]") {
  SharedOssvpEvents s;
  for (int i = 0; i < 40; ++i) s.rec.normal(s.ossvp, "PopulatorFinished", "PVC argo/p" + std::to_string(i) + " done");
  CHECK(s.api.events().size() == 25);
  s.rec.normal(makePvc("argo", "data", "u1", "shared"), "PopulatorFinished", "done");  // its own bucket
  CHECK(s.api.events().size() == 26);
  s.clock.advance(std::chrono::seconds(299));
  s.rec.normal(s.ossvp, "PopulatorFinished", "PVC argo/late done");
  CHECK(s.api.events().size() == 26);
  s.clock.advance(std::chrono::seconds(1));
  s.rec.normal(s.ossvp, "PopulatorFinished", "PVC argo/later done");
  CHECK(s.api.events().size() == 27);
  CHECK(s.api.eventsWithReason("PopulatorFinished").back()["message"] == "PVC argo/later done");
}

TEST_CASE("event recorder: occurrences the spam filter holds back still raise the event's count and lastTimestamp",
          "[controller][kube]") {
  SharedOssvpEvents s;
  const std::string first = kube::formatRfc3339(s.clock.now());
  for (int i = 0; i < 30; ++i) s.rec.warning(s.ossvp, "PopulatorFailed", "boom");  // 25 sent, 5 held back
  REQUIRE(s.api.events().size() == 1);
  CHECK(s.api.events()[0]["count"] == 25);
  s.clock.advance(std::chrono::seconds(300));
  s.rec.warning(s.ossvp, "PopulatorFailed", "boom");
  auto evs = s.api.events();
  REQUIRE(evs.size() == 1);
  CHECK(evs[0]["count"] == 31);
  CHECK(evs[0]["firstTimestamp"] == first);
  CHECK(evs[0]["lastTimestamp"] == kube::formatRfc3339(s.clock.now()));

  // An event whose first occurrences were all held back is created with them.
  const std::string held = kube::formatRfc3339(s.clock.now());
  s.rec.warning(s.ossvp, "PopulatorStuck", "no node");
  s.rec.warning(s.ossvp, "PopulatorStuck", "no node");
  s.clock.advance(std::chrono::seconds(300));
  s.rec.warning(s.ossvp, "PopulatorStuck", "no node");
  auto stuck = s.api.eventsWithReason("PopulatorStuck");
  REQUIRE(stuck.size() == 1);
  CHECK(stuck[0]["count"] == 3);
  CHECK(stuck[0]["firstTimestamp"] == held);
  CHECK(stuck[0]["lastTimestamp"] == kube::formatRfc3339(s.clock.now()));
}

TEST_CASE("event recorder: background delivery keeps order and counts, and sends what waits when it stops",
          "[controller][kube]") {
  FakeKubeApi api;
  kube::Object pvc = makePvc("argo", "data", "u1", "x");
  {
    kube::EventRecorder rec(api, "ossvp-controller", "test", 4096, Clock::system(),
                            kube::EventRecorder::Delivery::Background);
    rec.normal(pvc, "PopulatorCreated", "started");
    rec.warning(pvc, "PopulatorFailed", "boom");
    rec.warning(pvc, "PopulatorFailed", "boom");
    rec.normal(pvc, "PopulatorFinished", "done");
  }  // the destructor drains the queue
  auto evs = api.events();
  REQUIRE(evs.size() == 3);
  CHECK(evs[0]["reason"] == "PopulatorCreated");
  CHECK(evs[1]["reason"] == "PopulatorFailed");
  CHECK(evs[1]["count"] == 2);
  CHECK(evs[2]["reason"] == "PopulatorFinished");
}

namespace {

// A FakeKubeApi whose event creates wait until the test releases them.
class HeldEventsApi : public FakeKubeApi {
 public:
  Result<kube::Object> create(const kube::Resource& r, const std::string& ns, const kube::Object& obj) override {
    if (obj.value("kind", "") == "Event") {
      std::unique_lock<std::mutex> lock(mu_);
      entered_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return released_; });
    }
    return FakeKubeApi::create(r, ns, obj);
  }
  void awaitEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return entered_; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool released_ = false;
};

}  // namespace

TEST_CASE("event recorder: stopping drops what still waits after kDrainLimit", "[controller][kube]") {
  HeldEventsApi api;
  FakeClock clock;
  kube::Object pvc = makePvc("argo", "data", "u1", "x");
  std::optional<kube::EventRecorder> rec;
  rec.emplace(api, "ossvp-controller", "test", 4096, clock, kube::EventRecorder::Delivery::Background);
  rec->normal(pvc, "PopulatorCreated", "started");
  api.awaitEntered();  // the sender is stuck on the first event
  rec->warning(pvc, "PopulatorFailed", "boom");
  rec->normal(pvc, "PopulatorFinished", "done");
  std::thread stopper([&] { rec.reset(); });
  REQUIRE(clock.awaitParks(1));  // the destructor waits for the queue, on the clock
  clock.advance(kube::EventRecorder::kDrainLimit + 1s);
  api.release();
  stopper.join();
  auto evs = api.events();
  REQUIRE(evs.size() == 1);
  CHECK(evs[0]["reason"] == "PopulatorCreated");
}

TEST_CASE("event recorder: secrets never reach an event", "[controller][kube]") {
  FakeKubeApi api;
  kube::EventRecorder rec(api, "ossvp-controller", "test");
  registerSecret("AKIDsupersecretvalue");
  rec.warning(makePvc("argo", "data", "u1", "x"), "X", "failed with key AKIDsupersecretvalue");
  CHECK(api.events()[0]["message"].get<std::string>().find("AKIDsupersecretvalue") == std::string::npos);
}

TEST_CASE("informer: lists, follows the watch, relists on 410", "[controller][kube]") {
  FakeKubeApi api;
  api.seed(res::pvcs(), makePvc("a", "one", "u1", "x"));
  kube::Informer inf(api, res::pvcs());
  std::mutex mu;
  std::vector<std::string> seen;
  inf.addHandler([&](kube::ChangeType t, const kube::Object& o) {
    std::lock_guard<std::mutex> lock(mu);
    const char* names[] = {"ADDED", "MODIFIED", "DELETED"};
    seen.push_back(std::string(names[static_cast<int>(t)]) + " " + kube::nameOf(o));
  });
  inf.start();
  REQUIRE(inf.waitForSync(2s));
  CHECK(inf.cache().get("a", "one"));

  auto two = makePvc("a", "two", "u2", "x");
  two["metadata"]["resourceVersion"] = "500";
  api.pushWatchEvent(res::pvcs(), {"ADDED", two});
  api.pushWatchEvent(res::pvcs(), {"BOOKMARK", {{"metadata", {{"resourceVersion", "501"}}}}});
  auto waitFor = [&](size_t n) {
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (seen.size() >= n) return true;
      }
      std::this_thread::sleep_for(5ms);
    }
    return false;
  };
  REQUIRE(waitFor(2));
  CHECK(inf.cache().get("a", "two"));

  // The server forgets history: 410 in the stream -> relist. Meanwhile "one"
  // was deleted and "three" created; the relist reports both.
  REQUIRE(api.remove(res::pvcs(), "a", "one", {}).isOk());  // has a finalizer: marked deleting
  kube::Object one = *api.find(res::pvcs(), "a", "one");
  one["metadata"]["finalizers"] = kube::Object::array();
  REQUIRE(api.update(res::pvcs(), one).isOk());  // now gone
  api.seed(res::pvcs(), makePvc("a", "three", "u3", "x"));
  int listsBefore = api.listCalls(res::pvcs());
  api.pushWatchEvent(
      res::pvcs(),
      {"ERROR", {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}, {"message", "too old resource version"}}});
  REQUIRE(waitFor(5));
  CHECK(api.listCalls(res::pvcs()) > listsBefore);
  CHECK_FALSE(inf.cache().get("a", "one"));
  CHECK(inf.cache().get("a", "three"));
  {
    std::lock_guard<std::mutex> lock(mu);
    CHECK(std::count(seen.begin(), seen.end(), "DELETED one") == 1);
    CHECK(std::count(seen.begin(), seen.end(), "ADDED three") == 1);
  }

  // A stream that ends normally is resumed (a new watch call).
  int watches = api.watchCalls(res::pvcs());
  api.pushWatchEvent(res::pvcs(), {"CLOSE", nullptr});
  for (int i = 0; i < 300 && api.watchCalls(res::pvcs()) == watches; ++i) std::this_thread::sleep_for(5ms);
  CHECK(api.watchCalls(res::pvcs()) > watches);
  inf.stop();
}

TEST_CASE("informer: a failing list is retried with backoff", "[controller][kube]") {
  FakeKubeApi api;
  api.failNext("list", "persistentvolumeclaims", unavailable("connection refused"));
  kube::Informer inf(api, res::pvcs());
  inf.start();
  CHECK(inf.waitForSync(3s));
  CHECK(api.listCalls(res::pvcs()) == 2);
  inf.stop();
}

TEST_CASE("kubeconfig: current context, token, CA data and token file rotation", "[controller][kube]") {
  auto dir = std::filesystem::temp_directory_path() / ("ossvp-kc-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "token") << "first-token\n";
    std::ofstream f(dir / "config");
    f << "apiVersion: v1\nkind: Config\ncurrent-context: sim\n"
         "clusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:1234/\n"
         "    certificate-authority-data: UEVNREFUQQ==\n"
         "contexts:\n- name: other\n  context: {cluster: x, user: y}\n"
         "- name: sim\n  context: {cluster: c, user: u, namespace: demo}\n"
         "users:\n- name: u\n  user:\n    tokenFile: "
      << (dir / "token").string() << "\n";
  }
  auto cfg = kube::KubeConfig::fromKubeconfigFile((dir / "config").string());
  REQUIRE(cfg.isOk());
  CHECK((*cfg)->server == "http://127.0.0.1:1234");
  CHECK((*cfg)->caPem == "PEMDATA");
  CHECK((*cfg)->defaultNamespace == "demo");
  CHECK((*cfg)->bearerToken() == "first-token");
  std::ofstream(dir / "token") << "rotated-token\n";
  std::filesystem::last_write_time(dir / "token", std::filesystem::file_time_type::clock::now() + 1s);
  CHECK((*cfg)->bearerToken() == "rotated-token");

  auto missing = kube::KubeConfig::fromKubeconfigFile((dir / "nope").string());
  CHECK_FALSE(missing.isOk());
  CHECK_THAT(missing.status().message(), Catch::Contains("--kubeconfig"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("in-cluster config needs the service environment", "[controller][kube]") {
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  auto cfg = kube::KubeConfig::inCluster("/nonexistent");
  CHECK_FALSE(cfg.isOk());
}

TEST_CASE("feature gates parse the seed's format", "[controller]") {
  auto g = parseFeatureGates("xxxxxx=true,yyyyyy=false,VolumePopulator=true");
  CHECK_FALSE(g.isOk());  // unknown gates are named
  CHECK_THAT(g.status().message(), Catch::Contains("xxxxxx"));
  auto ok = parseFeatureGates("VolumePopulator=true, VolumePopulatorPodHandler=true");
  REQUIRE(ok.isOk());
  ControllerOptions o;
  applyFeatureGates(*ok, &o);
  CHECK(o.volumePopulatorEnabled);
  CHECK(o.podHandlerEnabled);
  CHECK_FALSE(parseFeatureGates("VolumePopulator=yes").isOk());
}

TEST_CASE("API errors map to status codes", "[controller][kube]") {
  CHECK(kube::isNotFound(kube::statusFromHttp(404, "{}", "GET x")));
  CHECK(kube::isAlreadyExists(kube::statusFromHttp(409, R"({"reason":"AlreadyExists"})", "POST x")));
  CHECK(kube::isConflict(kube::statusFromHttp(409, R"({"reason":"Conflict"})", "PUT x")));
  Status gone = kube::statusFromHttp(410, R"({"reason":"Expired","message":"too old resource version"})", "GET x");
  CHECK(kube::isExpired(gone));
  CHECK(gone.serviceCode() == "Expired");
  CHECK(gone.httpStatus() == 410);
  // A request that ran out of time is not an expired resourceVersion: no relist.
  CHECK_FALSE(kube::isExpired(Status(StatusCode::Timeout, "GET x: deadline exceeded")));
  CHECK_FALSE(kube::isExpired(kube::statusFromHttp(504, R"({"reason":"Timeout"})", "GET x")));
  auto s = kube::statusFromHttp(422, R"({"reason":"Invalid","message":"spec.x: bad"})", "PATCH /a");
  CHECK(kube::isInvalid(s));
  CHECK_THAT(s.message(), Catch::Contains("spec.x: bad"));
  CHECK_THAT(s.message(), Catch::Contains("PATCH /a"));
}

}  // namespace ossvp::controller::testing
