#include "actors/removal_queue.h"

namespace ossvp::kubesim {

RemovalQueue::RemovalQueue() : worker_([this] { run(); }) {}

RemovalQueue::~RemovalQueue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void RemovalQueue::enqueue(std::string name, std::function<void()> teardown) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_[name]++;
    queue_.push_back({std::move(name), std::move(teardown)});
  }
  cv_.notify_all();
}

void RemovalQueue::waitRemoved(const std::string& name) {
  std::unique_lock<std::mutex> lock(mu_);
  finished_.wait(lock, [&] { return pending_.count(name) == 0; });
}

void RemovalQueue::drain() {
  std::unique_lock<std::mutex> lock(mu_);
  finished_.wait(lock, [&] { return pending_.empty(); });
}

void RemovalQueue::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to run
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job.teardown();
    job.teardown = nullptr;  // what it captured goes before the name is released
    lock.lock();
    if (--pending_[job.name] == 0) pending_.erase(job.name);
    finished_.notify_all();
  }
}

}  // namespace ossvp::kubesim
