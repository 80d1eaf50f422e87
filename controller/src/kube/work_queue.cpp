#include "ossvp/controller/kube/work_queue.h"

#include <algorithm>

namespace ossvp::controller::kube {

void WorkQueue::addLocked(const std::string& key) {
  if (shutdown_ || dirty_.count(key)) return;
  dirty_.insert(key);
  if (processing_.count(key)) return;  // re-queued by done()
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  delayed_.erase(key);
  addLocked(key);
}

void WorkQueue::addAfter(const std::string& key, std::chrono::milliseconds delay) {
  if (delay.count() <= 0) {
    add(key);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (shutdown_) return;
  auto when = clock_.steadyNow() + delay;
  auto it = delayed_.find(key);
  if (it == delayed_.end() || when < it->second) delayed_[key] = when;
  cv_.notify_all();
}

std::chrono::milliseconds WorkQueue::addRateLimited(const std::string& key) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    int n = failures_[key]++;
    auto d = options_.baseDelay * (int64_t{1} << std::min(n, 30));
    delay = std::min<std::chrono::milliseconds>(d, options_.maxDelay);
  }
  addAfter(key, delay);
  return delay;
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

int WorkQueue::failures(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::promoteDueLocked(Clock::Instant now) {
  for (auto it = delayed_.begin(); it != delayed_.end();) {
    if (it->second <= now) {
      std::string key = it->first;
      it = delayed_.erase(it);
      addLocked(key);
    } else {
      ++it;
    }
  }
}

bool WorkQueue::get(std::string* key) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (shutdown_) return false;
    promoteDueLocked(clock_.steadyNow());
    if (!queue_.empty()) break;
    if (delayed_.empty()) {
      cv_.wait(lock);
    } else {
      auto next = std::min_element(delayed_.begin(), delayed_.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
      // A copy: wait_until reads its deadline again after waking, when
      // another thread may have erased this entry (ASan heap-use-after-free).
      const Clock::Instant deadline = next->second;
      clock_.waitUntil(lock, cv_, deadline);
    }
  }
  *key = queue_.front();
  queue_.pop_front();
  processing_.insert(*key);
  dirty_.erase(*key);
  return true;
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key) && !shutdown_) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  cv_.notify_all();
}

size_t WorkQueue::length() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

size_t WorkQueue::delayedLength() const {
  std::lock_guard<std::mutex> lock(mu_);
  return delayed_.size();
}

}  // namespace ossvp::controller::kube
