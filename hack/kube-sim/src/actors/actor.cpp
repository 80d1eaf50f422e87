#include "actors/actor.h"

#include <exception>

#include "ossvp/common/log.h"

namespace ossvp::kubesim {

Actor::~Actor() { stop(); }

void Actor::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (worker_.joinable()) return;
  stopping_ = false;
  worker_ = std::thread([this] { run(); });
}

void Actor::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!worker_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
  shutdown();
}

void Actor::wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_ = true;
  }
  cv_.notify_all();
}

void Actor::wakeNow() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_ = true;
    urgent_ = true;
  }
  cv_.notify_all();
}

void Actor::run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, resyncPeriod(), [this] { return dirty_ || stopping_; });
      if (stopping_) return;
      dirty_ = false;
      urgent_ = false;
    }
    try {
      syncAll();
    } catch (const std::exception& e) {
      logError("kube-sim {}: sync pass failed: {}", name_, e.what());
    }
    // Coalesce bursts of events into one pass (unless woken urgently).
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(20), [this] { return urgent_ || stopping_; });
  }
}

}  // namespace ossvp::kubesim
