// bmcpfs-dataflow mode through the shared PVC reconciler, against FakeKubeApi
// and a fake NAS OpenAPI: the published status shape is exactly the seed's
// (status.bmcpfsDataflow.<uid> with five fields, no generic entry), and each
// population deletes its data flow exactly once (success, failure, deletion).
#include <catch2/catch.hpp>

#include "ossvp/controller/bmcpfs_strategy.h"
#include "ossvp/controller/testing/fake_clock.h"
#include "phase_checks.h"
#include "reconciler_world.h"

namespace ossvp::controller::testing {
namespace {

// One file system with at most one data flow and one task, counting calls.
struct FakeNas : NasApi {
  int createFlows = 0, createTasks = 0, deletes = 0, cancels = 0;
  bool flowExists = false;
  std::string taskStatus = "Executing", errorMsg;

  Result<std::string> createDataFlow(const DataFlowSpec&) override {
    ++createFlows;
    flowExists = true;
    return std::string("df-1");
  }
  Result<std::string> dataFlowStatus(const std::string&, const std::string&) override {
    if (!flowExists) return notFound("no data flow");
    return std::string("Running");
  }
  Status deleteDataFlow(const std::string&, const std::string&) override {
    ++deletes;
    if (!flowExists) return notFound("InvalidDataFlow.NotFound");
    flowExists = false;
    return Status::ok();
  }
  Result<std::string> createDataFlowTask(const DataFlowTaskSpec&) override {
    ++createTasks;
    return std::string("task-1");
  }
  Result<DataFlowTaskInfo> describeDataFlowTask(const std::string&, const std::string&) override {
    DataFlowTaskInfo t;
    t.taskId = "task-1";
    t.dataFlowId = "df-1";
    t.status = taskStatus;
    t.errorMsg = errorMsg;
    t.bytesTotal = 100;
    t.bytesDone = taskStatus == "Completed" ? 100 : 40;
    return t;
  }
  Status cancelDataFlowTask(const std::string&, const std::string&, const std::string&) override {
    ++cancels;
    taskStatus = "Canceled";
    return Status::ok();
  }
};

struct BmcpfsWorld : World {
  explicit BmcpfsWorld(const Clock& clock = Clock::system()) : World(World::defaults(), clock), clock(clock) {
    reconciler->addStrategy(makeStrategy());
    kube::Object o = makeOssvpGeneric("argo", "cpfs");
    o["spec"].erase("generic");
    o["spec"]["mode"] = "bmcpfs-dataflow";
    o["spec"]["path"] = "/Qwen3-32B/";
    api.seed(res::ossvps(), o);
    api.seed(res::pvcs(), makePvc("argo", "data", "u1", "cpfs"));
  }
  std::unique_ptr<BmcpfsStrategy> makeStrategy() {
    return std::make_unique<BmcpfsStrategy>(
        api, *events, *status, metrics, [this](const std::string&) { return Result<std::shared_ptr<NasApi>>(nas); },
        std::chrono::milliseconds(10), 0, clock);
  }
  // The bmcpfs provisioner: the prime PVC's PV is a fileset.
  void bindFileset() {
    bindPrime();
    std::string pvName = kube::stringAt(*prime(), "/spec/volumeName");
    kube::Object pv = *api.find(res::pvs(), "", pvName);
    pv["spec"]["csi"] = {
        {"driver", "bmcpfsplugin.csi.alibabacloud.com"},
        {"volumeAttributes",
         {{"bmcpfsId", "bmcpfs-290xx"}, {"csi.alibabacloud.com/fileset-id", "fset-1"}, {"path", "/fset-1"}}}};
    api.seed(res::pvs(), pv);
  }
  // Up to the import task running at 40%.
  void startImport() {
    reconcile();
    bindFileset();
    reconcile();
  }
  kube::Object statusJson() { return api.find(res::ossvps(), "argo", "cpfs")->value("status", kube::Object()); }

  const Clock& clock;
  std::shared_ptr<FakeNas> nas = std::make_shared<FakeNas>();
};

}  // namespace

TEST_CASE("bmcpfs: the status is the seed's shape, one DeleteDataFlow per population", "[controller][bmcpfs]") {
  BmcpfsWorld w;
  w.startImport();
  REQUIRE(w.nas->createTasks == 1);
  auto st = w.statusJson();
  CHECK(st["bmcpfsDataflow"]["u1"]["progress"] == "40%");
  CHECK_FALSE(st.contains("generic"));
  CHECK(st["phase"] == "Populating");

  w.nas->taskStatus = "Completed";
  REQUIRE(w.reconcile().isDone());  // import done, PV handed over
  CHECK(w.nas->deletes == 1);
  w.completeRebind();
  const kube::Object stale = w.pvc();  // bound, still with our finalizer
  REQUIRE(w.reconcile().isDone());
  CHECK_FALSE(w.prime());
  CHECK_FALSE(kube::hasFinalizer(w.pvc(), std::string(kPvcFinalizer)));
  CHECK(w.reconcile().isDone());
  // A pass on a stale copy of the PVC does not announce the success again.
  w.api.seed(res::pvcs(), stale);
  w.reconcile();
  CHECK(w.api.eventsWithReason(reason::kFinished).size() == 2);  // once on the PVC, once on the ossvp

  st = w.statusJson();
  std::vector<std::string> keys;
  for (const auto& [k, v] : st["bmcpfsDataflow"]["u1"].items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"dataFlowId", "dataFlowTaskId", "fileSetId", "fileSystemId", "progress"});
  CHECK(st["bmcpfsDataflow"]["u1"]["progress"] == "100%");
  CHECK(st["bmcpfsDataflow"]["u1"]["dataFlowId"] == "df-1");
  CHECK_FALSE(st.contains("generic"));
  CHECK(st["message"] == std::string(kMessagePopulated));
  CHECK(st["phase"] == std::string(kPhaseSucceeded));
  CHECK(w.nas->deletes == 1);  // cleanup after the rebind did not delete again
  CHECK(w.nas->createFlows == 1);
}

TEST_CASE("bmcpfs: a failed task is reported once, survives a restart and is not deleted twice",
          "[controller][bmcpfs]") {
  BmcpfsWorld w;
  w.startImport();
  w.nas->taskStatus = "Failed";
  w.nas->errorMsg = "cannot create directory a";
  CHECK(w.reconcile().isDone());
  CHECK(w.nas->deletes == 1);
  auto st = w.statusJson();
  CHECK_FALSE(st.contains("generic"));
  CHECK_FALSE(st.contains("bmcpfsDataflow"));  // not counted in flight
  CHECK(st["phase"] == std::string(kPhaseFailed));
  CHECK(st["message"].get<std::string>().find("cannot create directory a") != std::string::npos);
  CHECK(kube::annotationOf(*w.prime(), std::string(kAnnFailed)).find("cannot create directory a") != std::string::npos);

  // A restarted controller (fresh strategy state) does not start the import again.
  PvcReconciler restarted(w.api, w.api, *w.events, *w.status, w.metrics, w.options);
  restarted.addStrategy(w.makeStrategy());
  CHECK(restarted.reconcilePvc("argo", "data").isDone());
  CHECK(w.nas->createFlows == 1);
  CHECK(w.nas->createTasks == 1);

  // The user deletes the PVC: its cleanup does not call DeleteDataFlow again.
  REQUIRE(w.api.remove(res::pvcs(), "argo", "data", {}).isOk());
  CHECK(w.reconcile().isDone());
  CHECK_FALSE(w.prime());
  CHECK(w.nas->deletes == 1);
}

TEST_CASE("bmcpfs: a PVC deleted mid-import cancels the task and deletes the data flow once", "[controller][bmcpfs]") {
  BmcpfsWorld w;
  w.startImport();
  REQUIRE(w.api.remove(res::pvcs(), "argo", "data", {}).isOk());
  for (int i = 0; i < 3; ++i) w.reconcile();  // requeued until the prime PVC is gone
  CHECK(w.nas->cancels == 1);
  CHECK(w.nas->deletes == 1);
  CHECK_FALSE(w.statusJson().contains("bmcpfsDataflow"));
}

TEST_CASE("bmcpfs: the import's phases are timed like a populator pod's, queued to cleanup",
          "[controller][bmcpfs][phases]") {
  using std::chrono::milliseconds;
  FakeClock clock;
  BmcpfsWorld w(clock);
  w.reconciler->noteQueued(w.pvc());
  clock.advance(milliseconds(10));
  w.reconcile();  // prime PVC created; its fileset not yet provisioned
  clock.advance(milliseconds(20));
  w.bindFileset();
  w.reconcile();  // data flow and task created, task seen Executing
  REQUIRE(w.nas->createTasks == 1);
  clock.advance(milliseconds(30));
  w.nas->taskStatus = "Completed";
  REQUIRE(w.reconcile().isDone());  // task seen Completed, PV handed over
  clock.advance(milliseconds(40));
  w.completeRebind();
  REQUIRE(w.reconcile().isDone());  // Bound seen, cleaned up

  CHECK(w.reconciler->phases().tracked() == 0);
  checkPhaseDurations(w.metrics, "bmcpfs-dataflow",
                      {{PopulationPhase::PrimeCreated, 0.010},
                       {PopulationPhase::PodCreated, 0.020},
                       {PopulationPhase::PodRunning, 0},
                       {PopulationPhase::PodFinished, 0.030},
                       {PopulationPhase::RebindStarted, 0},
                       {PopulationPhase::Bound, 0.040},
                       {PopulationPhase::CleanupDone, 0}});
}

TEST_CASE("status shape per mode: bmcpfs drops the lifecycle record, generic keeps it", "[controller][bmcpfs]") {
  OssvpStatus st;
  st.bmcpfsDataflow["a"].progress = "40%";
  st.bmcpfsDataflow["b"].progress = "10%";
  st.generic["a"].phase = std::string(kPvcPhaseSucceeded);
  st.generic["b"].phase = std::string(kPvcPhaseFailed);
  OssvpStatus generic = st;
  applyModeShape(&generic, PopulatorMode::Generic);
  CHECK(generic.toJson() == st.toJson());
  applyModeShape(&st, PopulatorMode::BmcpfsDataflow);
  CHECK(st.generic.empty());
  CHECK(st.bmcpfsDataflow.count("a") == 1);
  CHECK(st.bmcpfsDataflow.count("b") == 0);

  // In flight until 100% (or a finished lifecycle record while mutating).
  OssvpStatus f;
  f.bmcpfsDataflow["x"].progress = "99%";
  CHECK(f.bmcpfsInFlight("x"));
  f.bmcpfsDataflow["x"].progress = "100%";
  CHECK_FALSE(f.bmcpfsInFlight("x"));
  f.bmcpfsDataflow["x"].progress = "50%";
  f.generic["x"].phase = std::string(kPvcPhaseFailed);
  CHECK_FALSE(f.bmcpfsInFlight("x"));
}

}  // namespace ossvp::controller::testing
