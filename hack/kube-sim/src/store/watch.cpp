#include "store/watch.h"

#include "store/object_meta.h"

namespace ossvp::kubesim {

bool WatchFilter::matches(const json& obj) const {
  if (obj.is_null()) return false;
  if (!ns.empty() && objmeta::metaStr(obj, "namespace") != ns) return false;
  return labels.matchesObject(obj) && fields.matches(obj);
}

void Watch::push(WatchEvent ev) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    queue_.push_back(std::move(ev));
  }
  cv_.notify_all();
}

std::optional<WatchEvent> Watch::next(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !queue_.empty() || closed_; });
  if (queue_.empty()) return std::nullopt;
  WatchEvent ev = std::move(queue_.front());
  queue_.pop_front();
  if (ev.type == "ERROR") closed_ = true;
  return ev;
}

bool Watch::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_ && queue_.empty();
}

void Watch::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

Subscription& Subscription::operator=(Subscription&& o) noexcept {
  if (this != &o) {
    stop();
    watch_ = std::move(o.watch_);
    thread_ = std::move(o.thread_);
  }
  return *this;
}

Subscription::~Subscription() { stop(); }

void Subscription::stop() {
  if (watch_) watch_->stop();
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
}

}  // namespace ossvp::kubesim
