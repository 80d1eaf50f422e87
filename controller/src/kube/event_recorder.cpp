#include "ossvp/controller/kube/event_recorder.h"

#include <algorithm>
#include <cstdio>

#include "ossvp/common/log.h"
#include "ossvp/common/secret_redactor.h"
#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/object_util.h"

namespace ossvp::controller::kube {

EventRecorder::EventRecorder(ApiClient& api, std::string component, std::string instance, size_t cacheSize,
                             const Clock& clock)
    : api_(api),
      component_(std::move(component)),
      instance_(std::move(instance)),
      cacheSize_(cacheSize),
      clock_(clock) {}

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
  auto now = std::chrono::system_clock::now();
  std::string nowText = formatRfc3339(now);
  std::string ns = namespaceOf(involved).empty() ? "default" : namespaceOf(involved);
  std::string key = uidOf(involved) + "/" + type + "/" + reason + "/" + message;

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
  const bool admitted = admit(uidOf(involved));
  logInfo("event {} {} {}/{}: {}: {}{}", type, involved.value("kind", ""), namespaceOf(involved), nameOf(involved),
          reason, message, admitted ? "" : " (not sent: too many events about this object, see its status)");
  if (!admitted) return;

  if (repeat) {
    Object p = {{"count", entry.count}, {"lastTimestamp", nowText}, {"message", message}};
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
                    std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count()));
  Object involvedRef = {{"kind", involved.value("kind", "")},
                        {"apiVersion", involved.value("apiVersion", "")},
                        {"name", nameOf(involved)},
                        {"uid", uidOf(involved)},
                        {"resourceVersion", resourceVersionOf(involved)}};
  if (!namespaceOf(involved).empty()) involvedRef["namespace"] = namespaceOf(involved);
  Object ev = {{"apiVersion", "v1"},
               {"kind", "Event"},
               {"metadata", {{"name", nameOf(involved) + suffix}, {"namespace", ns}}},
               {"involvedObject", involvedRef},
               {"type", type},
               {"reason", reason},
               {"message", message},
               {"count", 1},
               {"firstTimestamp", nowText},
               {"lastTimestamp", nowText},
               {"source", {{"component", component_}}},
               {"reportingComponent", component_},
               {"reportingInstance", instance_}};
  auto created = api_.create(resources::events(), ns, ev);
  if (!created.isOk()) {
    logWarn("cannot record event {} on {}/{}: {}", reason, ns, nameOf(involved), created.status().message());
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
  cache_[key] = Entry{ns, nameOf(*created), 1, nowText};
}

}  // namespace ossvp::controller::kube
