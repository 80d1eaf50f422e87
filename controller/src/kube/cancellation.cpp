#include "ossvp/controller/kube/cancellation.h"

namespace ossvp::controller::kube {

void Cancellation::cancel() const {
  std::vector<std::pair<int, std::function<void()>>> callbacks;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->cancelled) return;
    state_->cancelled = true;
    callbacks.swap(state_->callbacks);
  }
  state_->cv.notify_all();
  for (auto& [id, fn] : callbacks) fn();
}

bool Cancellation::cancelled() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->cancelled;
}

bool Cancellation::sleepFor(std::chrono::milliseconds d) const {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait_for(lock, d, [this] { return state_->cancelled; });
  return !state_->cancelled;
}

int Cancellation::onCancel(std::function<void()> fn) const {
  std::unique_lock<std::mutex> lock(state_->mu);
  if (state_->cancelled) {
    lock.unlock();
    fn();
    return 0;
  }
  int id = state_->nextId++;
  state_->callbacks.emplace_back(id, std::move(fn));
  return id;
}

void Cancellation::unregister(int id) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto& cbs = state_->callbacks;
  for (auto it = cbs.begin(); it != cbs.end(); ++it) {
    if (it->first == id) {
      cbs.erase(it);
      return;
    }
  }
}

}  // namespace ossvp::controller::kube
