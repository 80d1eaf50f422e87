#include "ossvp/controller/kube/event_recorder.h"

#include <algorithm>
#include <cstdio>

#include "ossvp/common/log.h"
#include "ossvp/common/secret_redactor.h"
#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/object_util.h"

namespace ossvp::controller::kube {

EventRecorder::EventRecorder(ApiClient& api, std::string component, std::string instance, size_t cacheSize,
                             const Clock& clock, Delivery delivery)
    : api_(api),
      component_(std::move(component)),
      instance_(std::move(instance)),
      cacheSize_(cacheSize),
      clock_(clock) {
  if (delivery == Delivery::Background) sender_ = std::thread([this] { sendLoop(); });
}

EventRecorder::~EventRecorder() {
  if (!sender_.joinable()) return;
  {
    std::unique_lock<std::mutex> lock(queueMu_);
    stopping_ = true;
    queueCv_.notify_all();
    drainUntil_ = clock_.steadyNow() + kDrainLimit;
    while (!queue_.empty() && clock_.steadyNow() < drainUntil_) clock_.waitUntil(lock, queueCv_, drainUntil_);
    if (!queue_.empty()) {
      logWarn("{} event(s) not sent: the API server did not take them within {} s of shutdown", queue_.size(),
              kDrainLimit.count());
      queue_.clear();
    }
  }
  queueCv_.notify_all();
  sender_.join();
}

void EventRecorder::sendLoop() {
  std::unique_lock<std::mutex> lock(queueMu_);
  while (true) {
    queueCv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;                                  // stopping, and everything was sent
    if (stopping_ && clock_.steadyNow() >= drainUntil_) return;  // the destructor drops the rest
    Outgoing e = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    deliver(e);
    lock.lock();
    queueCv_.notify_all();  // a stopping destructor waits for the queue to empty
  }
}

bool EventRecorder::admit(const std::string& uid) {
  const Clock::Instant now = clock_.steadyNow();
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, fresh] = buckets_.try_emplace(uid);
  Bucket& b = it->second;
  if (fresh) {
    b.refilled = now;
    bucketOrder_.push_back(uid);
    if (bucketOrder_.size() > cacheSize_) {
      buckets_.erase(bucketOrder_.front());
      bucketOrder_.pop_front();
    }
  } else {
    const double earned = std::chrono::duration<double>(now - b.refilled) / kRefillEvery;
    b.tokens = std::min(kBurst, b.tokens + earned);
    b.refilled = now;
  }
  if (b.tokens < 1 - 1e-9) return false;  // earned in steps: allow rounding
  b.tokens -= 1;
  return true;
}

void EventRecorder::record(const Object& involved, const std::string& type, const std::string& reason,
                           const std::string& messageIn) {
  std::string message = redactSecrets(messageIn);
  if (message.size() > 1024) message = message.substr(0, 1021) + "...";
  const bool admitted = admit(uidOf(involved));
  logInfo("event {} {} {}/{}: {}: {}{}", type, involved.value("kind", ""), namespaceOf(involved), nameOf(involved),
          reason, message, admitted ? "" : " (not sent: too many events about this object, see its status)");
  if (!admitted) return;
  Outgoing e{{{"kind", involved.value("kind", "")},
              {"apiVersion", involved.value("apiVersion", "")},
              {"name", nameOf(involved)},
              {"uid", uidOf(involved)},
              {"resourceVersion", resourceVersionOf(involved)}},
             namespaceOf(involved).empty() ? "default" : namespaceOf(involved),
             type,
             reason,
             std::move(message),
             std::chrono::system_clock::now()};
  if (!namespaceOf(involved).empty()) e.involvedRef["namespace"] = namespaceOf(involved);
  if (!sender_.joinable()) {
    deliver(e);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(queueMu_);
    if (queue_.size() >= kQueueLimit) {
      logWarn("event {} on {}/{} dropped: {} events are waiting to be sent", reason, e.ns, nameOf(involved),
              queue_.size());
      return;
    }
    queue_.push_back(std::move(e));
  }
  queueCv_.notify_one();
}

void EventRecorder::deliver(const Outgoing& e) {
  const std::string name = e.involvedRef.value("name", "");
  const std::string key = e.involvedRef.value("uid", "") + "/" + e.type + "/" + e.reason + "/" + e.message;
  const std::string nowText = formatRfc3339(e.at);
  Entry entry;
  bool repeat = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      it->second.count++;
      entry = it->second;
      repeat = true;
    }
  }
  if (repeat) {
    Object p = {{"count", entry.count}, {"lastTimestamp", nowText}, {"message", e.message}};
    auto r = api_.patch(resources::events(), entry.ns, entry.name, PatchType::Merge, p);
    if (r.isOk()) return;
    if (!isNotFound(r.status())) {
      logWarn("cannot update event {}/{}: {}", entry.ns, entry.name, r.status().message());
      return;
    }
    // The event expired or was deleted: create a fresh one below.
  }

  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), ".%llx",
                static_cast<unsigned long long>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(e.at.time_since_epoch()).count()));
  Object ev = {{"apiVersion", "v1"},
               {"kind", "Event"},
               {"metadata", {{"name", name + suffix}, {"namespace", e.ns}}},
               {"involvedObject", e.involvedRef},
               {"type", e.type},
               {"reason", e.reason},
               {"message", e.message},
               {"count", 1},
               {"firstTimestamp", nowText},
               {"lastTimestamp", nowText},
               {"source", {{"component", component_}}},
               {"reportingComponent", component_},
               {"reportingInstance", instance_}};
  auto created = api_.create(resources::events(), e.ns, ev);
  if (!created.isOk()) {
    logWarn("cannot record event {} on {}/{}: {}", e.reason, e.ns, name, created.status().message());
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!cache_.count(key)) {
    order_.push_back(key);
    if (order_.size() > cacheSize_) {
      cache_.erase(order_.front());
      order_.pop_front();
    }
  }
  cache_[key] = Entry{e.ns, nameOf(*created), 1, nowText};
}

}  // namespace ossvp::controller::kube
