#include "ossvp/controller/controller.h"

#include <map>
#include <mutex>
#include <thread>

#include "ossvp/common/log.h"
#include "ossvp/controller/bmcpfs_strategy.h"
#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/metrics.h"
#include "ossvp/controller/names.h"
#include "ossvp/controller/pod_strategy.h"

namespace ossvp::controller {

using kube::ChangeType;
using kube::Object;
namespace res = kube::resources;

const kube::Informer* InformerReader::find(const kube::Resource& r) const {
  for (const auto* inf : informers_) {
    if (inf->resource().qualifiedName() == r.qualifiedName()) return inf;
  }
  return nullptr;
}

kube::ObjectPtr InformerReader::getCached(const kube::Resource& r, const std::string& ns,
                                          const std::string& name) const {
  const auto* inf = find(r);
  return inf ? inf->cache().get(r.namespaced ? ns : "", name) : nullptr;
}

std::vector<kube::ObjectPtr> InformerReader::listCached(const kube::Resource& r, const std::string& ns,
                                                        const kube::LabelPairs& labels) const {
  const auto* inf = find(r);
  return inf ? inf->cache().list(ns, labels) : std::vector<kube::ObjectPtr>{};
}

// NAS clients per region. The credentials (AccessKey or RRSA) are read from
// the environment and checked (RRSA: a first STS exchange) before the first
// client is made; until that works the factory's error, which says what to
// fix, blocks bmcpfs-dataflow PVCs with an event, and is retried.
static NasClientFactory nasClientFactory(const ControllerOptions& o) {
  struct Cache {
    std::mutex mu;
    std::shared_ptr<OpenApiCredentials> creds;
    std::map<std::string, std::shared_ptr<NasApi>> clients;
  };
  auto cache = std::make_shared<Cache>();
  return [cache, o](const std::string& ossvpRegion) -> Result<std::shared_ptr<NasApi>> {
    std::string region = o.cpfsRegion.empty() ? ossvpRegion : o.cpfsRegion;
    std::lock_guard<std::mutex> lock(cache->mu);
    if (auto it = cache->clients.find(region); it != cache->clients.end()) return it->second;
    if (!cache->creds) {
      auto creds = openApiCredentialsFromEnvironment(o.endpointOverrides);
      if (!creds.isOk()) return creds.status();
      auto first = (*creds)->get();
      if (!first.isOk()) {
        return Status(first.status().code(),
                      "cannot obtain the controller's OpenAPI credentials for the NAS "
                      "data-flow API from " +
                          (*creds)->describe() + ": " + first.status().message());
      }
      cache->creds = *creds;
      logInfo("NAS OpenAPI credentials: {} (AccessKeyId {})", cache->creds->describe(), first->accessKeyId);
    }
    std::string url = resolveNasEndpoint(o.cpfsEndpoint, region, o.endpointOverrides);
    logInfo("NAS OpenAPI for region {}: {}", region, url);
    auto client = std::make_shared<NasHttpClient>(url, region, cache->creds);
    cache->clients[region] = client;
    return std::shared_ptr<NasApi>(client);
  };
}

Controller::Controller(kube::ApiClient& api, ControllerOptions options, int workers, std::string instance,
                       Metrics& metrics, const Clock& clock)
    : api_(api),
      options_(std::move(options)),
      workers_(std::max(1, workers)),
      metrics_(metrics),
      clock_(clock),
      mutations_(api, reader_, {res::pvcs(), res::pvs(), res::pods(), res::ossvps()}, clock),
      queue_(kube::WorkQueue::Options{}, clock),
      events_(api, std::string(kComponent), std::move(instance), 4096, clock,
              kube::EventRecorder::Delivery::Background),
      status_(mutations_, mutations_, clock) {
  auto make = [&](const kube::Resource& r, kube::InformerOptions o) {
    informers_.push_back(std::make_unique<kube::Informer>(api_, r, o));
    reader_.add(informers_.back().get());
    return informers_.back().get();
  };
  status_.setCoalesceWindow(options_.statusCoalesceWindow);
  pvcs_ = make(res::pvcs(), {});
  pvs_ = make(res::pvs(), {});
  kube::InformerOptions podOpts;
  podOpts.ns = options_.populatorNamespace;
  podOpts.labelSelector = std::string(kLabelManagedBy) + "=" + std::string(kManagedByValue);
  pods_ = make(res::pods(), podOpts);
  auto* scs = make(res::storageClasses(), {});
  ossvps_ = make(res::ossvps(), {});

  reconciler_ = std::make_unique<PvcReconciler>(mutations_, mutations_, events_, status_, metrics_, options_, clock_);
  reconciler_->addStrategy(std::make_unique<PodStrategy>(mutations_, mutations_, events_, status_, options_, clock_));
  reconciler_->addStrategy(std::make_unique<BmcpfsStrategy>(mutations_, events_, status_, metrics_,
                                                            nasClientFactory(options_), options_.cpfsPollInterval,
                                                            options_.cpfsThroughputMBps, clock_));

  pvcs_->addHandler([this](ChangeType t, const Object& o) { onPvc(t, o); });
  pods_->addHandler([this](ChangeType, const Object& o) { onTemporary(o); });
  pvs_->addHandler([this](ChangeType, const Object& o) { onPv(o); });
  ossvps_->addHandler([this](ChangeType t, const Object& o) { onOssvp(t, o); });
  scs->addHandler([this](ChangeType, const Object&) { enqueueOurPvcs("", "", true); });
}

Controller::~Controller() {
  queue_.shutdown();
  for (auto& inf : informers_) inf->stop();
}

void Controller::onPvc(ChangeType change, const Object& pvc) {
  const std::string ns = kube::namespaceOf(pvc);
  if (ns == options_.populatorNamespace) {
    onTemporary(pvc);
    return;
  }
  if (!PvcReconciler::refersToOssvp(pvc)) return;
  if (change != ChangeType::Deleted) reconciler_->noteQueued(pvc);  // its timeline starts when first seen
  queue_.add(PvcReconciler::pvcKey(ns, kube::nameOf(pvc)));
  queue_.add(PvcReconciler::ossvpKey(ns, PvcReconciler::sourceName(pvc)));
}

void Controller::onTemporary(const Object& obj) {
  std::string target = kube::annotationOf(obj, std::string(kAnnTarget));
  if (target.find('/') != std::string::npos) queue_.add("pvc/" + target);
}

void Controller::onPv(const Object& pv) {
  std::string ns = kube::stringAt(pv, "/spec/claimRef/namespace");
  std::string name = kube::stringAt(pv, "/spec/claimRef/name");
  if (ns.empty() || name.empty()) return;
  if (ns == options_.populatorNamespace) {
    if (auto prime = pvcs_->cache().get(ns, name)) onTemporary(*prime);
    return;
  }
  if (auto pvc = pvcs_->cache().get(ns, name); pvc && PvcReconciler::refersToOssvp(*pvc)) {
    queue_.add(PvcReconciler::pvcKey(ns, name));
  }
}

void Controller::onOssvp(ChangeType change, const Object& ossvp) {
  queue_.add(PvcReconciler::ossvpKey(kube::namespaceOf(ossvp), kube::nameOf(ossvp)));
  if (ossvpChanges_.concernsPvcs(change, ossvp)) enqueueOurPvcs(kube::namespaceOf(ossvp), kube::nameOf(ossvp), false);
}

void Controller::enqueueOurPvcs(const std::string& ns, const std::string& ossvpName, bool unboundOnly) {
  for (const auto& pvc : pvcs_->cache().list(ns)) {
    if (!PvcReconciler::refersToOssvp(*pvc)) continue;
    if (!ossvpName.empty() && PvcReconciler::sourceName(*pvc) != ossvpName) continue;
    bool inFlight = kube::hasFinalizer(*pvc, std::string(kPvcFinalizer));
    if (unboundOnly && !inFlight && !kube::stringAt(*pvc, "/spec/volumeName").empty()) continue;
    queue_.add(PvcReconciler::pvcKey(kube::namespaceOf(*pvc), kube::nameOf(*pvc)));
  }
}

void Controller::worker() {
  std::string key;
  while (queue_.get(&key)) {
    Outcome o = reconciler_->reconcile(key);
    metrics_.inc("ossvp_reconciles_total", metricLabels({{"result", o.isDone()    ? "Done"
                                                                    : o.isError() ? "Error"
                                                                                  : "RequeueAfter"}}));
    if (o.isError())
      metrics_.inc("ossvp_reconcile_errors_total",
                   metricLabels({{"reason", std::string(statusCodeName(o.status().code()))}}));
    switch (o.kind()) {
      case Outcome::Kind::Done: queue_.forget(key); break;
      case Outcome::Kind::RequeueAfter:
        queue_.forget(key);
        queue_.addAfter(key, o.delay());
        break;
      case Outcome::Kind::Error: {
        auto delay = queue_.addRateLimited(key);
        logWarn("reconcile {} failed (retry in {} ms): {}", key, delay.count(), o.status().message());
        break;
      }
    }
    logDebug("reconciled {}: {}", key, o.toString());
    queue_.done(key);
  }
}

size_t Controller::populationsInFlight() const {
  size_t n = 0;
  for (const auto& pvc : pvcs_->cache().list("")) {
    n += kube::hasFinalizer(*pvc, std::string(kPvcFinalizer)) && kube::stringAt(*pvc, "/spec/volumeName").empty();
  }
  return n;
}

int Controller::sweepOrphans() {
  int deleted = 0;
  const kube::LabelPairs managed = {{std::string(kLabelManagedBy), std::string(kManagedByValue)}};
  auto orphaned = [&](const Object& obj) {
    std::string target = kube::annotationOf(obj, std::string(kAnnTarget));
    auto slash = target.find('/');
    if (slash == std::string::npos) return false;
    auto pvc = pvcs_->cache().get(target.substr(0, slash), target.substr(slash + 1));
    return !pvc || kube::uidOf(*pvc) != kube::labelOf(obj, std::string(kLabelTargetUid));
  };
  for (const auto& pod : pods_->cache().list(options_.populatorNamespace, managed)) {
    if (!orphaned(*pod) || kube::isDeleting(*pod)) continue;
    logInfo("sweep: deleting orphaned populator pod {}/{}", options_.populatorNamespace, kube::nameOf(*pod));
    Status s = mutations_.remove(res::pods(), options_.populatorNamespace, kube::nameOf(*pod));
    deleted += s.isOk();
  }
  for (const auto& prime : pvcs_->cache().list(options_.populatorNamespace, managed)) {
    if (!orphaned(*prime) || kube::isDeleting(*prime)) continue;
    logInfo("sweep: deleting orphaned prime PVC {}/{}", options_.populatorNamespace, kube::nameOf(*prime));
    Status s = mutations_.remove(res::pvcs(), options_.populatorNamespace, kube::nameOf(*prime));
    deleted += s.isOk();
  }
  // Status entries of PVCs that are gone.
  for (const auto& ossvp : ossvps_->cache().list("")) {
    auto parsed = OssvpStatus::fromJson(ossvp->value("status", Object()));
    if (!parsed.isOk()) continue;
    std::vector<std::string> stale;
    for (const auto& [uid, e] : parsed->generic) {
      auto pvc = pvcs_->cache().get(e.ns, e.name);
      if (!pvc || kube::uidOf(*pvc) != uid) stale.push_back(uid);
    }
    if (stale.empty()) continue;
    Status s = status_.update(kube::namespaceOf(*ossvp), kube::nameOf(*ossvp), [&](OssvpStatus& st, const Object&) {
      bool changed = false;
      for (const auto& uid : stale) changed |= st.generic.erase(uid) > 0;
      return changed;
    });
    if (!s.isOk()) logWarn("sweep: cannot prune status of ossvp {}: {}", kube::nameOf(*ossvp), s.message());
  }
  return deleted;
}

Status Controller::run(const kube::Cancellation& stop) {
  for (auto& inf : informers_) inf->start();
  for (auto& inf : informers_) {
    while (!inf->waitForSync(std::chrono::seconds(5))) {
      if (stop.cancelled()) return Status::ok();
      logWarn("waiting for the {} cache to fill (is the API server reachable, is RBAC in place?)",
              inf->resource().plural);
    }
  }
  logInfo("caches synced: {} PVCs, {} PVs, {} populator pods, {} ossvps", pvcs_->cache().size(), pvs_->cache().size(),
          pods_->cache().size(), ossvps_->cache().size());
  synced_ = true;
  metrics_.setGauge("ossvp_workqueue_depth", [this] { return static_cast<double>(queueDepth()); });
  metrics_.setGauge("ossvp_populations_in_flight", [this] { return static_cast<double>(populationsInFlight()); });
  int swept = sweepOrphans();
  if (swept) logInfo("sweep: removed {} orphaned objects", swept);
  enqueueOurPvcs("", "", false);

  std::vector<std::thread> threads;
  for (int i = 0; i < workers_; ++i) threads.emplace_back([this] { worker(); });
  auto lastResync = clock_.steadyNow();
  auto lastSweep = lastResync;
  while (stop.sleepFor(std::chrono::milliseconds(250))) {
    status_.flushDue();
    auto now = clock_.steadyNow();
    if (now - lastResync >= options_.resyncPeriod) {
      enqueueOurPvcs("", "", true);
      lastResync = now;
    }
    if (now - lastSweep >= options_.sweepPeriod) {
      sweepOrphans();
      lastSweep = now;
    }
  }
  logInfo("stopping: draining workers");
  queue_.shutdown();
  for (auto& t : threads) t.join();
  status_.flushDue(true);
  for (auto& inf : informers_) inf->stop();
  return Status::ok();
}

}  // namespace ossvp::controller
