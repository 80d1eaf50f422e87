// LeaderElector: leader election on a coordination.k8s.io/v1 Lease (like
// client-go's leaderelection): the holder renews spec.renewTime every
// `renewInterval`; a candidate takes the Lease over once it has seen the same
// holder/renewTime unchanged for `leaseDuration` (measured on its own clock,
// so clock skew between replicas does not matter). Writes use the Lease's
// resourceVersion, so two candidates cannot both win.
//
// Thread-safety: acquire() and keepLeading() run on one thread; isLeader()
// from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/kube/cancellation.h"

namespace ossvp::controller {

struct LeaderElectionOptions {
  std::string ns = "ack-volume-populator";
  std::string name = "ossvp-controller";
  std::string identity;  // this replica (pod name + random suffix)
  std::chrono::milliseconds leaseDuration{std::chrono::seconds(15)};
  std::chrono::milliseconds renewInterval{std::chrono::seconds(2)};
};

class LeaderElector {
 public:
  LeaderElector(kube::ApiClient& api, LeaderElectionOptions options) : api_(api), o_(std::move(options)) {}

  // Blocks until this replica holds the Lease (true) or `stop` fires (false).
  bool acquire(const kube::Cancellation& stop);
  // Renews until `stop` fires (returns true) or the Lease could not be
  // renewed for leaseDuration / was taken by another holder (returns false:
  // the caller must stop acting at once).
  bool keepLeading(const kube::Cancellation& stop);
  bool isLeader() const { return leader_; }

  // One attempt to take or renew the Lease (tests drive it step by step).
  bool tryAcquireOrRenew();

 private:
  kube::ApiClient& api_;
  const LeaderElectionOptions o_;
  std::atomic<bool> leader_{false};
  std::string observedHolder_, observedRenew_;
  std::chrono::steady_clock::time_point observedAt_{};
};

}  // namespace ossvp::controller
