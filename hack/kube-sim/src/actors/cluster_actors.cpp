#include "actors/cluster_actors.h"

#include <memory>
#include <mutex>
#include <vector>

#include "actors/bmcpfs_backend.h"
#include "actors/cluster_bootstrap.h"
#include "actors/ephemeral_controller.h"
#include "actors/external_provisioner.h"
#include "actors/hostpath_backend.h"
#include "actors/kubelet.h"
#include "actors/pv_binder.h"
#include "actors/scheduler.h"
#include "actors/statefulset_controller.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

namespace {

// The running actors and one store subscription per watched resource, which
// wakes every actor interested in it.
struct ActorHub {
  std::vector<std::unique_ptr<Actor>> actors;
  std::vector<Subscription> subscriptions;
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
  hub->actors.push_back(std::make_unique<Kubelet>(ctx));

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
    WatchOptions o;
    o.resourceVersion = ctx.store->currentResourceVersion();
    auto sub = ctx.store->subscribe(g, "", o, [raw, g](const WatchEvent&) {
      for (auto& a : raw->actors) {
        for (const auto& w : a->watchedResources()) {
          if (w == g) {
            a->wake();
            break;
          }
        }
      }
      return true;
    });
    if (sub) {
      hub->subscriptions.push_back(std::move(*sub));
    } else {
      logWarn("kube-sim actors: cannot watch {}: {}", g.groupResource(), sub.error().message);
    }
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
  for (auto& s : hub->subscriptions) s.stop();
  for (auto& a : hub->actors) a->stop();
}

}  // namespace ossvp::kubesim
