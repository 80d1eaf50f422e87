// Actor: the skeleton every kube-sim cluster actor (PV binder, provisioner,
// scheduler, kubelet, ...) shares. An actor is level-triggered like a real
// controller with a resync: a worker thread runs syncAll() whenever a watched
// resource changes (wake()) and at least every resyncPeriod(). syncAll()
// reads the current state from the store and drives it one step towards the
// desired state; a write that loses a race (409) is simply retried on the
// next pass.
//
// Thread-safety: wake() may be called from any thread; syncAll() only runs on
// the actor's own worker thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/cluster_context.h"

namespace ossvp::kubesim {

class Actor {
 public:
  Actor(ClusterContext& ctx, std::string name) : ctx_(ctx), name_(std::move(name)) {}
  virtual ~Actor();
  Actor(const Actor&) = delete;
  Actor& operator=(const Actor&) = delete;

  const std::string& name() const { return name_; }
  // Resources whose changes wake this actor.
  virtual std::vector<GVR> watchedResources() const = 0;

  void start();
  // Stops the worker (after the current pass) and then calls shutdown().
  void stop();
  void wake();
  // wake() that also cuts short the pause after the current pass (which
  // otherwise coalesces bursts of events): for what must be reported at once.
  void wakeNow();

 protected:
  virtual void syncAll() = 0;
  virtual void shutdown() {}
  virtual std::chrono::milliseconds resyncPeriod() const { return std::chrono::milliseconds(2000); }

  ObjectStore& store() { return *ctx_.store; }
  ClusterContext& ctx_;

 private:
  void run();

  std::string name_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool dirty_ = true;
  bool urgent_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace ossvp::kubesim
