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

EventRecorder::Entry EventRecorder::observe(const std::string& key, const std::string& involvedName,
                                            const std::string& now, bool sending) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, fresh] = cache_.try_emplace(key);
  Entry& entry = it->second;
  if (fresh) {
    // A name unique per occurrence, as client-go's (<object>.<unix nanoseconds>);
    // the real clock, so that events of a test's fake clock do not share it.
    char suffix[32];
    std::snprintf(suffix, sizeof(suffix), ".%llx",
                  static_cast<unsigned long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                      std::chrono::system_clock::now().time_since_epoch())
                                                      .count()));
    entry.name = involvedName + suffix;
    entry.firstTimestamp = now;
    order_.push_back(key);
    if (order_.size() > cacheSize_) {
      cache_.erase(order_.front());
      order_.pop_front();
    }
  }
  entry.count++;
  Entry seen = entry;
  entry.sent = entry.sent || sending;
  return seen;
}

void EventRecorder::record(const Object& involved, const std::string& type, const std::string& reason,
                           const std::string& messageIn) {
  std::string message = redactSecrets(messageIn);
  if (message.size() > 1024) message = message.substr(0, 1021) + "...";
  const bool admitted = admit(uidOf(involved));
  // Counted whether or not it is sent now: the Event's next write carries it.
  const std::string now = formatRfc3339(clock_.now());
  Entry event = observe(uidOf(involved) + "/" + type + "/" + reason + "/" + message, nameOf(involved), now, admitted);
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
             std::move(event),
             now};
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
  if (e.event.sent) {
    Object p = {{"count", e.event.count}, {"lastTimestamp", e.lastTimestamp}, {"message", e.message}};
    auto r = api_.patch(resources::events(), e.ns, e.event.name, PatchType::Merge, p);
    if (r.isOk()) return;
    if (!isNotFound(r.status())) {
      logWarn("cannot update event {}/{}: {}", e.ns, e.event.name, r.status().message());
      return;
    }
    // The event expired or was deleted: create it again below.
  }
  Object ev = {{"apiVersion", "v1"},
               {"kind", "Event"},
               {"metadata", {{"name", e.event.name}, {"namespace", e.ns}}},
               {"involvedObject", e.involvedRef},
               {"type", e.type},
               {"reason", e.reason},
               {"message", e.message},
               {"count", e.event.count},
               {"firstTimestamp", e.event.firstTimestamp},
               {"lastTimestamp", e.lastTimestamp},
               {"source", {{"component", component_}}},
               {"reportingComponent", component_},
               {"reportingInstance", instance_}};
  auto created = api_.create(resources::events(), e.ns, ev);
  if (!created.isOk()) {
    logWarn("cannot record event {} on {}/{}: {}", e.reason, e.ns, e.involvedRef.value("name", ""),
            created.status().message());
  }
}

}  // namespace ossvp::controller::kube
