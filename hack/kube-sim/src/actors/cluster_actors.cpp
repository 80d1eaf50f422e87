#include "actors/cluster_actors.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "actors/bmcpfs_backend.h"
#include "actors/cluster_bootstrap.h"
#include "actors/deployment_controller.h"
#include "actors/ephemeral_controller.h"
#include "actors/external_provisioner.h"
#include "actors/hostpath_backend.h"
#include "actors/kubelet_fleet.h"
#include "actors/node_lifecycle_controller.h"
#include "actors/pod_gc.h"
#include "actors/pv_binder.h"
#include "actors/replica_set_controller.h"
#include "actors/scheduler.h"
#include "actors/statefulset_controller.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

namespace {

// The running actors and one watch thread per watched resource, which wakes
// every actor interested in it. A watch closed by the store (fault injection
// "drop watches"/"restart", or 410 after compaction) is re-opened from the
// current revision and all its actors are woken, so nothing is missed.
struct ActorHub {
  std::vector<std::unique_ptr<Actor>> actors;
  std::vector<std::thread> watchers;
  std::atomic<bool> stopping{false};

  void wakeFor(const GVR& g) {
    for (auto& a : actors) {
      for (const auto& w : a->watchedResources()) {
        if (w == g) {
          a->wake();
          break;
        }
      }
    }
  }

  void watchLoop(ObjectStore* store, GVR g) {
    std::shared_ptr<Watch> w;
    while (!stopping) {
      if (!w || w->closed()) {
        WatchOptions o;
        o.resourceVersion = store->currentResourceVersion();
        auto r = store->watch(g, "", o);
        if (!r) {
          logWarn("kube-sim actors: cannot watch {}: {}", g.groupResource(), r.error().message);
          std::this_thread::sleep_for(std::chrono::seconds(1));
          continue;
        }
        if (w) wakeFor(g);  // events may have been missed while the watch was down
        w = *r;
      }
      if (w->next(std::chrono::milliseconds(500))) wakeFor(g);
    }
    if (w) w->stop();
  }
};

std::mutex gMu;
std::unique_ptr<ActorHub> gHub;

}  // namespace

void startClusterActors(ClusterContext& ctx) {
  std::lock_guard<std::mutex> lock(gMu);
  if (gHub || ctx.store == nullptr) return;
  bootstrapCluster(ctx);
  auto hub = std::make_unique<ActorHub>();
  std::string actorDir = (ctx.stateDir.empty() ? std::string("/tmp/kube-sim") : ctx.stateDir) + "/actors";

  std::vector<std::unique_ptr<VolumeBackend>> backends;
  backends.push_back(std::make_unique<HostPathBackend>(actorDir + "/volumes"));
  backends.push_back(std::make_unique<BmcpfsBackend>(ctx.cpfsRoot));
  hub->actors.push_back(std::make_unique<PvBinder>(ctx));
  hub->actors.push_back(std::make_unique<ExternalProvisioner>(ctx, std::move(backends)));
  hub->actors.push_back(std::make_unique<EphemeralVolumeController>(ctx));
  hub->actors.push_back(std::make_unique<Scheduler>(ctx));
  hub->actors.push_back(std::make_unique<StatefulSetController>(ctx));
  hub->actors.push_back(std::make_unique<DeploymentController>(ctx));
  hub->actors.push_back(std::make_unique<ReplicaSetController>(ctx));
  hub->actors.push_back(std::make_unique<KubeletFleet>(ctx));
  hub->actors.push_back(std::make_unique<NodeLifecycleController>(ctx));
  hub->actors.push_back(std::make_unique<PodGarbageCollector>(ctx));

  std::vector<GVR> resources;
  for (auto& a : hub->actors) {
    for (const auto& g : a->watchedResources()) {
      bool seen = false;
      for (const auto& r : resources) seen = seen || r == g;
      if (!seen) resources.push_back(g);
    }
  }
  ActorHub* raw = hub.get();
  for (const auto& g : resources) {
    hub->watchers.emplace_back([raw, store = ctx.store, g] { raw->watchLoop(store, g); });
  }
  for (auto& a : hub->actors) a->start();
  logInfo("kube-sim: {} cluster actors started ({} nodes)", hub->actors.size(), ctx.nodes);
  gHub = std::move(hub);
}

void stopClusterActors() {
  std::unique_ptr<ActorHub> hub;
  {
    std::lock_guard<std::mutex> lock(gMu);
    hub = std::move(gHub);
  }
  if (!hub) return;
  hub->stopping = true;
  for (auto& t : hub->watchers) t.join();
  for (auto& a : hub->actors) a->stop();
}

}  // namespace ossvp::kubesim
