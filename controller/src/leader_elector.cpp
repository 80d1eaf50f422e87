#include "ossvp/controller/leader_elector.h"

#include "ossvp/common/log.h"
#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/object_util.h"

namespace ossvp::controller {

using kube::Object;

bool LeaderElector::tryAcquireOrRenew() {
  const auto& res = kube::resources::leases();
  auto now = std::chrono::system_clock::now();
  const std::string stamp = formatRfc3339(now, Rfc3339Fraction::kMicros);
  const int64_t durationSeconds =
      std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(o_.leaseDuration).count());
  auto current = api_.get(res, o_.ns, o_.name);
  if (!current.isOk()) {
    if (!kube::isNotFound(current.status())) {
      logWarn("leader election: cannot read Lease {}/{}: {}", o_.ns, o_.name, current.status().message());
      return false;
    }
    Object lease = {{"apiVersion", "coordination.k8s.io/v1"},
                    {"kind", "Lease"},
                    {"metadata", {{"name", o_.name}, {"namespace", o_.ns}}},
                    {"spec",
                     {{"holderIdentity", o_.identity},
                      {"leaseDurationSeconds", durationSeconds},
                      {"acquireTime", stamp},
                      {"renewTime", stamp},
                      {"leaseTransitions", 0}}}};
    auto created = api_.create(res, o_.ns, lease);
    return created.isOk();
  }
  Object lease = std::move(current).value();
  std::string holder = kube::stringAt(lease, "/spec/holderIdentity");
  std::string renew = kube::stringAt(lease, "/spec/renewTime");
  auto steadyNow = std::chrono::steady_clock::now();
  if (holder != observedHolder_ || renew != observedRenew_) {
    observedHolder_ = holder;
    observedRenew_ = renew;
    observedAt_ = steadyNow;
  }
  bool mine = holder == o_.identity;
  bool expired = holder.empty() || steadyNow - observedAt_ >= o_.leaseDuration;
  if (!mine && !expired) return false;
  if (!mine) {
    lease["spec"]["acquireTime"] = stamp;
    lease["spec"]["leaseTransitions"] = lease["spec"].value("leaseTransitions", int64_t{0}) + 1;
    logInfo("leader election: Lease {}/{} held by '{}' expired; taking over", o_.ns, o_.name, holder);
  }
  lease["spec"]["holderIdentity"] = o_.identity;
  lease["spec"]["renewTime"] = stamp;
  lease["spec"]["leaseDurationSeconds"] = durationSeconds;
  auto updated = api_.update(res, lease);
  if (!updated.isOk()) {
    if (!kube::isConflict(updated.status())) {
      logWarn("leader election: cannot update Lease {}/{}: {}", o_.ns, o_.name, updated.status().message());
    }
    return false;
  }
  observedHolder_ = o_.identity;
  observedRenew_ = stamp;
  observedAt_ = steadyNow;
  return true;
}

bool LeaderElector::acquire(const kube::Cancellation& stop) {
  logInfo("leader election: waiting to lead (Lease {}/{}, identity {})", o_.ns, o_.name, o_.identity);
  while (!stop.cancelled()) {
    if (tryAcquireOrRenew()) {
      leader_ = true;
      logInfo("leader election: this replica ({}) is the leader", o_.identity);
      return true;
    }
    if (!stop.sleepFor(o_.renewInterval)) break;
  }
  return false;
}

bool LeaderElector::keepLeading(const kube::Cancellation& stop) {
  auto lastRenew = std::chrono::steady_clock::now();
  while (stop.sleepFor(o_.renewInterval)) {
    if (tryAcquireOrRenew()) {
      lastRenew = std::chrono::steady_clock::now();
      continue;
    }
    if (observedHolder_ != o_.identity && !observedHolder_.empty()) {
      logError("leader election: Lease {}/{} now held by '{}': stopping", o_.ns, o_.name, observedHolder_);
      leader_ = false;
      return false;
    }
    if (std::chrono::steady_clock::now() - lastRenew >= o_.leaseDuration) {
      logError("leader election: could not renew Lease {}/{} for {} ms: stopping", o_.ns, o_.name,
               o_.leaseDuration.count());
      leader_ = false;
      return false;
    }
  }
  return true;
}

}  // namespace ossvp::controller
