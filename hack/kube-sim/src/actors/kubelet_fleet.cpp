#include "actors/kubelet_fleet.h"

#include "actors/object_util.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

std::vector<GVR> KubeletFleet::watchedResources() const {
  return {gvr::kPods, gvr::kPersistentVolumeClaims, gvr::kSecrets, gvr::kConfigMaps, gvr::kNodes};
}

void KubeletFleet::syncAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& node : store().listShared(gvr::kNodes)) {
    std::string name = nameOf(*node);
    if (name.empty() || kubelets_.count(name)) continue;
    auto k = std::make_unique<Kubelet>(ctx_, name);
    k->start();
    logInfo("kube-sim kubelet {}: running (node joined)", name);
    kubelets_.emplace(name, std::move(k));
  }
  for (auto& [name, k] : kubelets_) k->wake();
}

void KubeletFleet::shutdown() {
  std::map<std::string, std::unique_ptr<Kubelet>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(kubelets_);
  }
  for (auto& [name, k] : all) k->stop();
}

}  // namespace ossvp::kubesim
