// Table-driven and scenario tests of the PVC reconciler against FakeKubeApi:
// initial objects -> reconcile(key) -> expected objects, events, outcome.
#include <catch2/catch.hpp>

#include <functional>
#include <set>

#include "ossvp/controller/kube/counting_api_client.h"
#include "ossvp/controller/testing/fake_clock.h"
#include "reconciler_world.h"

namespace ossvp::controller::testing {
namespace {

bool hasAction(World& w, const std::string& action) {
  for (const auto& a : w.api.actions()) {
    if (a == action) return true;
  }
  return false;
}

std::string eventMessage(World& w, const std::string& reason) {
  auto evs = w.api.eventsWithReason(reason);
  return evs.empty() ? "" : evs.front().value("message", "");
}

// Another provisioner binds PVC argo/data to a volume of its own.
void bindToForeignVolume(World& w) {
  w.api.seed(res::pvs(), {{"metadata", {{"name", "pv-foreign"}}},
                          {"spec", {{"claimRef", {{"namespace", "argo"}, {"name", "data"}, {"uid", "u1"}}}}}});
  kube::Object c = w.pvc();
  c["spec"]["volumeName"] = "pv-foreign";
  c["status"]["phase"] = "Bound";
  w.api.seed(res::pvcs(), c);
}

const std::string kPrime = "ack-volume-populator/prime-u1";
const std::string kPod = "ack-volume-populator/populate-u1";

}  // namespace

TEST_CASE("reconcile: waiting and ignoring cases (table)", "[controller][reconciler]") {
  struct Case {
    std::string name;
    std::function<void(World&)> setup;
    Outcome::Kind outcome;
    std::string eventReason;  // "" = no event expected
    bool primeCreated;
  };
  std::vector<Case> cases = {
      {"PVC without dataSourceRef is ignored",
       [](World& w) {
         auto p = makePvc("argo", "data", "u1", "x");
         p["spec"].erase("dataSourceRef");
         w.api.seed(res::pvcs(), p);
       },
       Outcome::Kind::Done, "", false},
      {"dataSourceRef of another kind is ignored",
       [](World& w) {
         auto p = makePvc("argo", "data", "u1", "x");
         p["spec"]["dataSourceRef"]["kind"] = "VolumeSnapshot";
         p["spec"]["dataSourceRef"]["apiGroup"] = "snapshot.storage.k8s.io";
         w.api.seed(res::pvcs(), p);
       },
       Outcome::Kind::Done, "", false},
      {"missing ossvp: event, wait",
       [](World& w) { w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "generic-demo")); }, Outcome::Kind::Done,
       reason::kDataSourceNotFound, false},
      {"WaitForFirstConsumer without selected node: wait",
       [](World& w) {
         w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo"));
         w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "generic-demo", "csi-wffc"));
       },
       Outcome::Kind::Done, reason::kWaitForConsumer, false},
      {"block volume mode: unsupported",
       [](World& w) {
         w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo"));
         auto p = makePvc("argo", "data", "u1", "generic-demo");
         p["spec"]["volumeMode"] = "Block";
         w.api.seed(res::pvcs(), p);
       },
       Outcome::Kind::Done, reason::kUnsupported, false},
      {"storageClassName \"\" (static binding only): unsupported",
       [](World& w) {
         w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo"));
         w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "generic-demo", ""));
       },
       Outcome::Kind::Done, reason::kUnsupported, false},
      {"missing StorageClass: wait",
       [](World& w) {
         w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo"));
         w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "generic-demo", "nope"));
       },
       Outcome::Kind::Done, reason::kStorageClassNotFound, false},
      {"missing Secret: blocked with backoff",
       [](World& w) {
         w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo", "absent-secret"));
         w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "generic-demo"));
       },
       Outcome::Kind::Error, reason::kPrerequisiteMissing, false},
      {"invalid ossvp (no credentials): reported",
       [](World& w) {
         auto o = makeOssvpGeneric("argo", "generic-demo");
         o["spec"]["generic"].erase("secretRef");
         w.api.seed(res::ossvps(), o);
         w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "generic-demo"));
       },
       Outcome::Kind::Done, reason::kInvalidSource, false},
      {"PVC in the populator namespace is ignored",
       [](World& w) {
         w.api.seed(res::ossvps(), makeOssvpGeneric("ack-volume-populator", "generic-demo"));
         w.api.seed(res::pvcs(), makePvc("ack-volume-populator", "data", "u1", "generic-demo"));
       },
       Outcome::Kind::Done, "", false},
      {"ready PVC: prime PVC and populator pod created",
       [](World& w) {
         w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo"));
         w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "generic-demo"));
       },
       Outcome::Kind::Done, reason::kCreated, true},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      World w;
      c.setup(w);
      std::string ns = c.name.find("populator namespace") != std::string::npos ? "ack-volume-populator" : "argo";
      Outcome o = w.reconcile(ns, "data");
      CHECK(o.kind() == c.outcome);
      if (c.eventReason.empty()) {
        CHECK(w.api.events().empty());
      } else {
        int onPvc = 0;
        for (const auto& e : w.api.eventsWithReason(c.eventReason)) {
          onPvc += e["involvedObject"]["kind"] == "PersistentVolumeClaim";
        }
        CHECK(onPvc == 1);
      }
      CHECK(w.prime().has_value() == c.primeCreated);
      CHECK(w.pod().has_value() == c.primeCreated);  // the pod starts in the same pass
    }
  }
}

TEST_CASE("reconcile: the missing Secret message says what to create", "[controller][reconciler]") {
  World w;
  w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo", "absent-secret"));
  w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "generic-demo"));
  w.reconcile();
  std::string msg = eventMessage(w, reason::kPrerequisiteMissing);
  CHECK_THAT(msg, Catch::Contains("Secret ack-volume-populator/absent-secret"));
  CHECK_THAT(msg, Catch::Contains("accessKeyId and accessKeySecret"));
  CHECK(w.ossvpStatus().generic.at("u1").lastError == msg);
  CHECK_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));
}

TEST_CASE(
    "prerequisites: the Secret is read once in the pass that creates the prime PVC and pod, a later start reads it "
    "again",
    "[controller][reconciler]") {
  World w;
  Metrics counted;
  kube::CountingApiClient api(w.api, counted);
  PvcReconciler r(api, w.api, *w.events, *w.status, w.metrics, w.options);
  r.addStrategy(std::make_unique<PodStrategy>(api, w.api, *w.events, *w.status, w.options));
  auto secretReads = [&] { return counted.counter("ossvp_api_requests_total", R"({verb="get",resource="secrets"})"); };
  w.seedSourceAndPvc();
  REQUIRE(r.reconcilePvc("argo", "data").isDone());
  REQUIRE(w.pod());
  CHECK(secretReads() == 1);
  CHECK_THAT(eventMessage(w, reason::kCreated), Catch::Contains("into prime PVC ack-volume-populator/prime-u1"));

  // The pod went away; the prime PVC stays: the next start checks the Secret again.
  REQUIRE(api.remove(res::pods(), "ack-volume-populator", populatorPodName("u1")).isOk());
  REQUIRE(r.reconcilePvc("argo", "data").isDone());
  REQUIRE(w.pod());
  CHECK(secretReads() == 2);
}

TEST_CASE("reconcile: prime PVC copies class, size, modes and the selected node", "[controller][reconciler]") {
  World w;
  w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo"));
  auto p = makePvc("argo", "data", "u1", "generic-demo", "csi-wffc");
  p["metadata"]["annotations"] = {{"volume.kubernetes.io/selected-node", "node-1"}};
  w.api.seed(kube::Resource{"", "v1", "nodes", "Node", false}, {{"metadata", {{"name", "node-1"}}}});  // exists
  p["spec"]["resources"]["requests"]["storage"] = "5Gi";
  p["spec"]["accessModes"] = {"ReadWriteMany"};
  w.api.seed(res::pvcs(), p);
  REQUIRE(w.reconcile().isDone());

  auto prime = w.prime();
  REQUIRE(prime);
  CHECK(kube::stringAt(*prime, "/spec/storageClassName") == "csi-wffc");
  CHECK(kube::stringAt(*prime, "/spec/resources/requests/storage") == "5Gi");
  CHECK((*prime)["spec"]["accessModes"] == kube::Object::array({"ReadWriteMany"}));
  CHECK(kube::stringAt(*prime, "/spec/volumeMode") == "Filesystem");
  CHECK(kube::annotationOf(*prime, "volume.kubernetes.io/selected-node") == "node-1");
  CHECK(kube::annotationOf(*prime, std::string(kAnnTarget)) == "argo/data");
  CHECK(kube::labelOf(*prime, std::string(kLabelTargetUid)) == "u1");
  CHECK(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));
  CHECK(kube::hasFinalizer(w.pvc(), "kubernetes.io/pvc-protection"));
  CHECK(kube::hasFinalizer(*w.api.find(res::ossvps(), "argo", "generic-demo"), std::string(kOssvpFinalizer)));

  // The next pass starts the pod pinned to the node.
  REQUIRE(w.reconcile().isDone());
  REQUIRE(w.pod());
  CHECK(kube::stringAt(*w.pod(), "/spec/nodeName") == "node-1");
}

TEST_CASE("reconcile: the populator pod follows the pod contract", "[controller][reconciler]") {
  World w;
  w.seedSourceAndPvc();
  REQUIRE(w.reconcile().isDone());
  REQUIRE(w.reconcile().isDone());
  auto pod = w.pod();
  REQUIRE(pod);
  const auto& c = (*pod)["spec"]["containers"][0];
  CHECK(c["image"] == "ossvp-populator:test");
  std::vector<std::string> args = c["args"].get<std::vector<std::string>>();
  std::vector<std::string> want = {"--endpoint",
                                   "oss-cn-hangzhou-internal.aliyuncs.com",
                                   "--region",
                                   "cn-hangzhou",
                                   "--bucket",
                                   "my-test-bucket",
                                   "--path",
                                   "/many-files/",
                                   "--target",
                                   "/mnt/target",
                                   "--throughput-mbps",
                                   "100",
                                   "--endpoint-override",
                                   "oss-cn-hangzhou-internal.aliyuncs.com=http://127.0.0.1:9000"};
  CHECK(args == want);
  bool akFromSecret = false;
  for (const auto& e : c["env"]) {
    if (e["name"] == "ALIBABA_CLOUD_ACCESS_KEY_ID") {
      akFromSecret = e["valueFrom"]["secretKeyRef"]["name"] == "oss-secret" &&
                     e["valueFrom"]["secretKeyRef"]["key"] == "accessKeyId";
    }
    CHECK_FALSE(e.contains("value"));  // no literal secrets in the pod spec
  }
  CHECK(akFromSecret);
  CHECK(kube::stringAt(*pod, "/spec/volumes/0/persistentVolumeClaim/claimName") == "prime-u1");
  CHECK(kube::labelOf(*pod, "alibabacloud.com/eci") == "true");
  CHECK(kube::annotationOf(*pod, "k8s.aliyun.com/eci-use-specs") == "2-4Gi");
  CHECK((*pod)["spec"]["tolerations"][0]["key"] == "virtual-kubelet.io/provider");
  CHECK((*pod)["spec"]["restartPolicy"] == "Never");
  CHECK((*pod)["spec"]["securityContext"]["runAsNonRoot"] == true);
  CHECK(c["resources"]["limits"]["memory"] == "1Gi");
  CHECK_FALSE((*pod)["spec"].contains("nodeName"));
  CHECK(w.api.eventsWithReason(reason::kCreated).size() == 1);
  auto st = w.ossvpStatus();
  CHECK(st.generic.at("u1").phase == kPvcPhasePopulating);
  CHECK(st.generic.at("u1").podName == "populate-u1");
  CHECK(st.phase == kPhasePopulating);

  // Reconciling again changes nothing: no second pod, no second create.
  w.api.clearActions();
  REQUIRE(w.reconcile().isDone());
  for (const auto& a : w.api.actions()) CHECK(a.rfind("create", 0) != 0);
}

TEST_CASE("reconcile: RRSA pods get the role env and a projected sts token", "[controller][reconciler]") {
  World w;
  w.seedSourceAndPvc("");
  w.reconcile();
  w.reconcile();
  auto pod = w.pod();
  REQUIRE(pod);
  std::map<std::string, std::string> env;
  for (const auto& e : (*pod)["spec"]["containers"][0]["env"]) {
    if (e.contains("value")) env[e["name"]] = e["value"];
  }
  CHECK(env["ALIBABA_CLOUD_ROLE_ARN"] == "acs:ram::1234567:role/oss-populator");
  CHECK(env["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"] == "acs:ram::1234567:oidc-provider/my-oidc-provider");
  CHECK(env["ALIBABA_CLOUD_OIDC_TOKEN_FILE"] == "/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token");
  CHECK(env.count("ALIBABA_CLOUD_ACCESS_KEY_ID") == 0);
  const auto& token = (*pod)["spec"]["volumes"][1]["projected"]["sources"][0]["serviceAccountToken"];
  CHECK(token["audience"] == "sts.aliyuncs.com");
}

TEST_CASE("reconcile: progress mirrors the pod annotation, never backwards, 100% only on success",
          "[controller][reconciler]") {
  World w;
  w.startPopulation();
  REQUIRE(w.pod());

  w.setPod("Running",
           {{"phase", "copying"}, {"bytesDone", 500}, {"bytesTotal", 1000}, {"objectsDone", 5}, {"objectsTotal", 10}});
  w.reconcile();
  auto e = w.ossvpStatus().generic.at("u1");
  CHECK(e.progress == "50%");
  CHECK(e.bytesDone == 500);
  CHECK(e.objectsTotal == 10);
  CHECK(w.ossvpStatus().progress == "50%");

  w.setPod("Running", {{"bytesDone", 200}, {"bytesTotal", 1000}});
  w.reconcile();
  CHECK(w.ossvpStatus().generic.at("u1").progress == "50%");

  w.setPod("Running", {{"bytesDone", 1000}, {"bytesTotal", 1000}});
  w.reconcile();
  CHECK(w.ossvpStatus().generic.at("u1").progress == "99%");

  w.setPod("Succeeded", {{"bytesDone", 1000}, {"bytesTotal", 1000}}, 0, R"({"objects":10,"bytes":1000})");
  w.reconcile();
  CHECK(w.ossvpStatus().generic.at("u1").progress == "100%");
}

TEST_CASE("reconcile: success rebinds the PV, then cleans up and reports", "[controller][reconciler]") {
  World w;
  w.startPopulation();
  w.setPod("Succeeded", nullptr, 0, R"({"objects":3,"bytes":30})");
  REQUIRE(w.reconcile().isDone());

  std::string pvName = kube::stringAt(*w.prime(), "/spec/volumeName");
  auto pv = *w.api.find(res::pvs(), "", pvName);
  CHECK(kube::stringAt(pv, "/spec/claimRef/uid") == "u1");
  CHECK(kube::stringAt(pv, "/spec/claimRef/name") == "data");
  CHECK(kube::stringAt(pv, "/spec/claimRef/namespace") == "argo");
  CHECK(kube::annotationOf(pv, std::string(kAnnPopulatedFrom)) == "argo/generic-demo");
  CHECK(w.ossvpStatus().message != kMessagePopulated);  // not before the PVC is Bound

  // PV controller binds; until the prime PVC is Lost nothing is deleted.
  kube::Object c = w.pvc();
  c["spec"]["volumeName"] = pvName;
  c["status"]["phase"] = "Bound";
  w.api.seed(res::pvcs(), c);
  CHECK(w.reconcile().isRequeue());
  CHECK(w.pod());

  w.completeRebind();
  REQUIRE(w.reconcile().isDone());
  CHECK_FALSE(w.pod());
  CHECK_FALSE(w.prime());
  CHECK(w.api.find(res::pvs(), "", pvName));  // the data survives
  CHECK_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));
  auto st = w.ossvpStatus();
  CHECK(st.message == kMessagePopulated);
  CHECK(st.phase == kPhaseSucceeded);
  CHECK(st.progress == "100%");
  CHECK(st.generic.at("u1").phase == kPvcPhaseSucceeded);
  auto finished = w.api.eventsWithReason(reason::kFinished);
  REQUIRE(finished.size() == 2);  // on the PVC and on the ossvp
  std::set<std::string> kinds;
  for (auto& e : finished) kinds.insert(e["involvedObject"]["kind"]);
  CHECK(kinds == std::set<std::string>{"PersistentVolumeClaim", "OSSVolumePopulator"});

  // Reconciling the finished PVC again does nothing.
  w.api.clearActions();
  CHECK(w.reconcile().isDone());
  CHECK(w.api.actions().empty());
}

TEST_CASE("reconcile: a controller killed before its Succeeded status write finishes the entry after a restart",
          "[controller][reconciler]") {
  World w;
  REQUIRE(w.populateAndRebind().isDone());
  // The Succeeded entry waits in the writer (a failed write is kept the same
  // way) when the finalizer goes: then the controller is killed.
  w.status->setCoalesceWindow(std::chrono::hours(1));
  REQUIRE(w.reconcile().isDone());
  REQUIRE_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));
  REQUIRE(w.ossvpStatus().generic.at("u1").phase == kPvcPhaseRebinding);
  REQUIRE(w.api.eventsWithReason(reason::kFinished).size() == 2);

  StatusWriter status(w.api, w.api);
  PvcReconciler restarted(w.api, w.api, *w.events, status, w.metrics, w.options);
  restarted.addStrategy(std::make_unique<PodStrategy>(w.api, w.api, *w.events, status, w.options));
  REQUIRE(restarted.reconcilePvc("argo", "data").isDone());
  status.flushDue(true);
  auto st = w.ossvpStatus();
  CHECK(st.generic.at("u1").phase == kPvcPhaseSucceeded);
  CHECK(st.generic.at("u1").progress == "100%");
  CHECK(st.phase == kPhaseSucceeded);
  CHECK(w.api.eventsWithReason(reason::kFinished).size() == 2);  // announced once, before the kill

  // A finished entry is left alone: another pass writes nothing.
  w.api.clearActions();
  REQUIRE(restarted.reconcilePvc("argo", "data").isDone());
  status.flushDue(true);
  CHECK(w.api.actions().empty());
}

TEST_CASE("reconcile: what the controller keeps of a finished PVC is dropped when the PVC is deleted",
          "[controller][reconciler]") {
  World w;
  REQUIRE(w.populateAndRebind().isDone());
  REQUIRE(w.reconcile().isDone());
  REQUIRE_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));
  CHECK(w.reconciler->rememberedPvcs() == 1);  // announced and settled
  REQUIRE(w.reconcile().isDone());             // another pass keeps it
  CHECK(w.reconciler->rememberedPvcs() == 1);

  // Deleted: kube-controller-manager lifts pvc-protection, and the PVC is gone.
  REQUIRE(w.api.remove(res::pvcs(), "argo", "data", {}).isOk());
  kube::Object deleting = w.pvc();
  deleting["metadata"]["finalizers"] = kube::Object::array();
  REQUIRE(w.api.update(res::pvcs(), deleting).isOk());
  REQUIRE_FALSE(w.api.getCached(res::pvcs(), "argo", "data"));
  REQUIRE(w.reconcile().isDone());
  CHECK(w.reconciler->rememberedPvcs() == 0);
}

TEST_CASE("reconcile: a restarted controller counts a failed first attempt from the retry annotation",
          "[controller][reconciler]") {
  FakeClock clock;
  ControllerOptions opts = World::defaults();
  opts.retryBaseDelay = std::chrono::seconds(10);
  World w(opts, clock);
  w.startPopulation();
  // The first attempt is not written on the prime PVC (its pod's label counts it).
  CHECK(kube::annotationOf(*w.prime(), std::string(kAnnAttempts)).empty());
  w.setPod("Failed", nullptr, 7, R"({"reason":"TransientErrorsExhausted","message":"timed out"})");
  REQUIRE(w.reconcile().isRequeue());
  REQUIRE_FALSE(w.pod());
  CHECK(kube::annotationOf(*w.prime(), std::string(kAnnRetryAfter)).rfind("1/", 0) == 0);

  clock.advance(std::chrono::seconds(10));
  PvcReconciler restarted(w.api, w.api, *w.events, *w.status, w.metrics, w.options, clock);
  restarted.addStrategy(std::make_unique<PodStrategy>(w.api, w.api, *w.events, *w.status, w.options, clock));
  REQUIRE(restarted.reconcilePvc("argo", "data").isDone());
  REQUIRE(w.pod());
  CHECK(kube::labelOf(*w.pod(), std::string(kLabelAttempt)) == "2");
  CHECK(kube::annotationOf(*w.prime(), std::string(kAnnAttempts)) == "2");
}

TEST_CASE("reconcile: transient failure retries with a new pod after a growing backoff", "[controller][reconciler]") {
  using std::chrono::milliseconds;
  FakeClock clock;
  ControllerOptions opts = World::defaults();
  opts.retryBaseDelay = std::chrono::seconds(10);
  World w(opts, clock);
  w.startPopulation();
  w.setPod("Failed", nullptr, 7, R"({"reason":"TransientErrorsExhausted","message":"connect to endpoint: timed out"})");
  Outcome o = w.reconcile();
  REQUIRE(o.isRequeue());
  CHECK(o.delay() >= std::chrono::seconds(10));
  CHECK_FALSE(w.pod());  // a new pod each time
  CHECK_THAT(eventMessage(w, reason::kFailed), Catch::Contains("connect to endpoint: timed out"));
  CHECK_THAT(eventMessage(w, reason::kFailed), Catch::Contains("attempt 1 of 3"));
  CHECK(w.ossvpStatus().generic.at("u1").phase == kPvcPhaseRetrying);

  // Not before the backoff has passed ...
  clock.advance(std::chrono::seconds(10) - milliseconds(1));
  Outcome early = w.reconcile();
  CHECK(early.isRequeue());
  CHECK(early.delay() > milliseconds(0));
  CHECK_FALSE(w.pod());
  // ... and at once when it has.
  clock.advance(milliseconds(1));
  REQUIRE(w.reconcile().isDone());
  REQUIRE(w.pod());
  CHECK(kube::labelOf(*w.pod(), std::string(kLabelAttempt)) == "2");

  w.setPod("Failed", nullptr, 7, R"({"reason":"TransientErrorsExhausted","message":"timed out"})");
  Outcome o2 = w.reconcile();
  REQUIRE(o2.isRequeue());
  CHECK(o2.delay() >= std::chrono::seconds(20));  // grows
  clock.advance(std::chrono::seconds(20) - milliseconds(1));
  CHECK(w.reconcile().isRequeue());
  CHECK_FALSE(w.pod());
  clock.advance(milliseconds(1));
  w.reconcile();
  REQUIRE(w.pod());
  w.setPod("Failed", nullptr, 7, R"({"reason":"TransientErrorsExhausted","message":"timed out"})");
  CHECK(w.reconcile().isDone());  // attempt 3 of 3: gave up
  CHECK(w.pod());                 // the last failed pod is kept
  auto st = w.ossvpStatus();
  CHECK(st.generic.at("u1").phase == kPvcPhaseFailed);
  CHECK(st.phase == kPhaseFailed);
  CHECK_THAT(st.message, Catch::Contains("gave up after 3 attempts"));
  CHECK_THAT(st.message, Catch::Contains("reachable"));
  // Nothing more happens.
  w.api.clearActions();
  CHECK(w.reconcile().isDone());
  CHECK(w.api.actions().empty());
}

TEST_CASE("reconcile: permanent populator errors stop at once (table)", "[controller][reconciler]") {
  struct Case {
    int exitCode;
    std::string message;
    std::string hint;
  };
  std::vector<Case> cases = {
      {3, R"({"reason":"AccessDenied","message":"403 AccessDenied: the bucket policy denies access"})",
       "oss:ListObjects and oss:GetObject"},
      {4, R"({"reason":"NoSuchBucket","message":"bucket my-test-bucket does not exist"})", "spec.bucket"},
      {4, R"({"reason":"EmptySource","message":"no objects under many-files/"})", "hold objects under path"},
      {5, R"({"reason":"InsufficientCapacity","message":"needs 3.0 GiB, volume has 1.0 GiB"})", "larger PVC"},
  };
  for (const auto& c : cases) {
    SECTION("exit " + std::to_string(c.exitCode) + " " + c.hint) {
      World w;
      w.startPopulation();
      w.setPod("Failed", nullptr, c.exitCode, c.message);
      CHECK(w.reconcile().isDone());
      CHECK(w.pod());  // kept for diagnosis
      auto st = w.ossvpStatus();
      CHECK(st.generic.at("u1").phase == kPvcPhaseFailed);
      CHECK(st.generic.at("u1").attempts == 1);
      CHECK_THAT(st.message, Catch::Contains(c.hint));
      CHECK_THAT(st.message, Catch::Contains("kubectl -n ack-volume-populator logs populate-u1"));
      auto parsed = kube::Object::parse(c.message);
      CHECK_THAT(eventMessage(w, reason::kFailed), Catch::Contains(parsed["message"].get<std::string>()));
      CHECK(w.api.eventsWithReason(reason::kGaveUp).size() == 2);
      w.api.clearActions();
      CHECK(w.reconcile().isDone());
      CHECK(w.api.actions().empty());
    }
  }
}

TEST_CASE("reconcile: a PVC deleted mid-way removes everything it caused", "[controller][reconciler]") {
  World w;
  w.startPopulation();
  w.setPod("Running", {{"bytesDone", 1}, {"bytesTotal", 10}});
  w.reconcile();
  REQUIRE(w.api.remove(res::pvcs(), "argo", "data", {}).isOk());
  REQUIRE(kube::isDeleting(w.pvc()));
  CHECK(w.reconcile().isDone());
  CHECK_FALSE(w.pod());
  CHECK_FALSE(w.prime());
  CHECK(hasAction(w, "delete pods " + kPod));
  CHECK(hasAction(w, "delete persistentvolumeclaims " + kPrime));
  CHECK_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));
  auto st = w.ossvpStatus();
  CHECK(st.generic.count("u1") == 0);
  // The summary follows at once: nothing is populating any more.
  CHECK(st.phase == kPhasePending);
  CHECK(st.progress.empty());
  CHECK(st.message == kMessageIdle);
  const Condition* populating = findCondition(st.conditions, kConditionPopulating);
  REQUIRE(populating);
  CHECK(populating->status == "False");
}

TEST_CASE("reconcile: a PVC with storageClassName \"\" is refused at once, with one event",
          "[controller][reconciler]") {
  World w;
  w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo"));
  w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "generic-demo", ""));
  CHECK(w.reconcile().isDone());
  CHECK(w.reconcile().isDone());  // a resync: nothing new
  CHECK_FALSE(w.prime());
  CHECK_FALSE(w.pod());
  CHECK_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));
  auto evs = w.api.eventsWithReason(reason::kUnsupported);
  int onPvc = 0;
  for (const auto& e : evs) {
    if (e["involvedObject"]["kind"] != "PersistentVolumeClaim") continue;
    ++onPvc;
    CHECK(e.value("count", 0) == 1);
    CHECK(e.value("type", "") == "Warning");
    CHECK_THAT(e.value("message", ""), Catch::Contains("dynamic provisioning"));
    CHECK_THAT(e.value("message", ""), Catch::Contains("StorageClass with a provisioner"));
  }
  CHECK(onPvc == 1);
  auto st = w.ossvpStatus();
  CHECK(st.generic.at("u1").phase == kPvcPhaseFailed);
  CHECK(st.phase == kPhaseFailed);
  CHECK_THAT(st.message, Catch::Contains("storageClassName \"\""));
}

TEST_CASE("reconcile: a PVC naming an ossvp that is being deleted is not started", "[controller][reconciler]") {
  World w;
  w.api.seed(res::ossvps(), makeOssvpGeneric("argo", "generic-demo"));
  kube::Object o = *w.api.find(res::ossvps(), "argo", "generic-demo");
  o["metadata"]["finalizers"] = kube::Object::array({"test/keep"});
  w.api.seed(res::ossvps(), o);
  REQUIRE(w.api.remove(res::ossvps(), "argo", "generic-demo", {}).isOk());
  w.api.seed(res::pvcs(), makePvc("argo", "data", "u1", "generic-demo"));
  CHECK(w.reconcile().isDone());
  CHECK_FALSE(w.prime());
  CHECK_THAT(eventMessage(w, reason::kSourceDeleting), Catch::Contains("being deleted"));
  CHECK(w.api.eventsWithReason(reason::kSourceInUse).empty());
}

TEST_CASE("reconcile: a PVC bound by a foreign provisioner is reported, never success", "[controller][reconciler]") {
  World w;
  w.startPopulation();
  bindToForeignVolume(w);
  CHECK(w.reconcile().isDone());
  CHECK_THAT(eventMessage(w, reason::kForeignBinding), Catch::Contains("another provisioner"));
  CHECK_FALSE(w.pod());
  CHECK_FALSE(w.prime());
  CHECK_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));
  auto st = w.ossvpStatus();
  CHECK(st.generic.at("u1").phase == kPvcPhaseFailed);
  CHECK(st.message != kMessagePopulated);
  CHECK(w.api.eventsWithReason(reason::kFinished).empty());
}

TEST_CASE("reconcile: a foreign binding is reported once, by the status entry as it will be written",
          "[controller][reconciler]") {
  World w;
  w.seedSourceAndPvc();
  bindToForeignVolume(w);  // before population started: no finalizer
  // The Failed entry is known to the status writer but still waits to be
  // written: the ossvp object does not show it yet.
  w.status->setCoalesceWindow(std::chrono::hours(1));
  REQUIRE(w.status
              ->updateCoalesced("argo", "generic-demo",
                                genericEntryMutation(w.pvc(),
                                                     [](GenericPvcEntry& e) {
                                                       e.phase = std::string(kPvcPhaseFailed);
                                                       e.lastError = "bound by another provisioner";
                                                     }))
              .isOk());
  REQUIRE(w.ossvpStatus().generic.empty());
  CHECK(w.reconcile().isDone());
  CHECK(w.api.eventsWithReason(reason::kForeignBinding).empty());

  // Once it is written, later passes go by the written entry: still once.
  w.status->flushDue(true);
  REQUIRE(w.ossvpStatus().generic.at("u1").phase == kPvcPhaseFailed);
  CHECK(w.reconcile().isDone());
  CHECK(w.api.eventsWithReason(reason::kForeignBinding).empty());
}

TEST_CASE("reconcile: an ossvp in use is kept until its PVCs finish", "[controller][reconciler]") {
  World w;
  w.seedSourceAndPvc();
  w.reconcile();
  REQUIRE(w.api.remove(res::ossvps(), "argo", "generic-demo", {}).isOk());
  CHECK(w.reconciler->reconcileOssvp("argo", "generic-demo").isDone());
  auto ossvp = w.api.find(res::ossvps(), "argo", "generic-demo");
  REQUIRE(ossvp);
  CHECK(kube::hasFinalizer(*ossvp, std::string(kOssvpFinalizer)));
  CHECK_THAT(eventMessage(w, reason::kSourceInUse), Catch::Contains("data"));
  // The reason the user guide lists for an ossvp deleted while in use.
  auto inUse = w.api.eventsWithReason("OSSVolumePopulatorInUse");
  REQUIRE(inUse.size() == 1);
  CHECK(inUse.front()["involvedObject"]["kind"] == "OSSVolumePopulator");
  CHECK(inUse.front().value("type", "") == "Warning");

  // The population goes on although the ossvp is being deleted.
  w.bindPrime();
  w.reconcile();
  w.setPod("Succeeded", nullptr, 0, "{}");
  w.reconcile();
  w.completeRebind();
  w.reconcile();
  CHECK_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));
  CHECK(w.reconciler->reconcileOssvp("argo", "generic-demo").isDone());
  CHECK_FALSE(w.api.find(res::ossvps(), "argo", "generic-demo"));
}

TEST_CASE("reconcile: a PVC re-created under the same name is a new population", "[controller][reconciler]") {
  World w;
  w.seedSourceAndPvc();
  w.reconcile();
  w.api.seed(res::pvcs(), makePvc("argo", "data", "u2", "generic-demo"));
  w.reconcile();
  CHECK(w.prime("u2"));
}

TEST_CASE("reconcile: a conflicting status write is retried on a fresh read", "[controller][reconciler]") {
  World w;
  w.seedSourceAndPvc();
  w.reconcile();
  w.api.failNext("status", "ossvolumepopulators",
                 kube::statusFromHttp(409, R"({"reason":"Conflict","message":"modified"})", "test"));
  w.reconcile();
  CHECK(w.ossvpStatus().generic.at("u1").phase == kPvcPhasePopulating);
}

}  // namespace ossvp::controller::testing

namespace ossvp::controller::testing {

TEST_CASE("reconcile: feature gate VolumePopulator off ignores every PVC", "[controller][reconciler]") {
  ControllerOptions o = World::defaults();
  o.volumePopulatorEnabled = false;
  World w(o);
  w.seedSourceAndPvc();
  CHECK(w.reconcile().isDone());
  CHECK(w.api.actions().empty());
}

TEST_CASE("reconcile: malformed and unknown work keys are dropped", "[controller][reconciler]") {
  World w;
  CHECK(w.reconciler->reconcile("garbage").isDone());
  CHECK(w.reconciler->reconcile("node/a/b").isDone());
  CHECK(w.api.actions().empty());
}

}  // namespace ossvp::controller::testing
