// EventRecorder: writes core/v1 Events about an object (what `kubectl
// describe` shows). Repeats of the same (object, type, reason, message) are
// aggregated into one Event whose count and lastTimestamp are patched, as
// client-go's recorder does, so a retry loop cannot flood the API. Like
// client-go's spam filter, each object has a token bucket (burst 25, one
// more token every 5 minutes): an object about which hundreds of things
// happen at once (an ossvp shared by 1,000 PVCs) gets its first 25 events,
// then one per 5 minutes; the rest are logged only. Messages pass through
// the secret redactor. Failures are logged, never returned: an event is
// best effort and must not fail a reconcile. The bucket refills on the
// Clock it is given (clock.h).
//
// Thread-safety: internally synchronized.
#pragma once

#include <chrono>
#include <list>
#include <map>
#include <mutex>
#include <string>

#include "ossvp/controller/clock.h"
#include "ossvp/controller/kube/api_client.h"

namespace ossvp::controller::kube {

class EventRecorder {
 public:
  // client-go's defaults (EventSourceObjectSpamFilter).
  static constexpr double kBurst = 25;
  static constexpr std::chrono::seconds kRefillEvery{300};

  // `clock` must outlive the recorder.
  EventRecorder(ApiClient& api, std::string component, std::string instance, size_t cacheSize = 4096,
                const Clock& clock = Clock::system());

  void normal(const Object& involved, const std::string& reason, const std::string& message) {
    record(involved, "Normal", reason, message);
  }
  void warning(const Object& involved, const std::string& reason, const std::string& message) {
    record(involved, "Warning", reason, message);
  }
  void record(const Object& involved, const std::string& type, const std::string& reason, const std::string& message);

 private:
  // Takes a token from the object's bucket; false when it is empty.
  bool admit(const std::string& uid);

  struct Bucket {
    double tokens = kBurst;
    Clock::Instant refilled;
  };
  struct Entry {
    std::string ns, name;
    int count = 0;
    std::string firstTimestamp;
  };
  ApiClient& api_;
  const std::string component_;
  const std::string instance_;
  const size_t cacheSize_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Bucket> buckets_;  // guarded by mu_; by object uid
  std::list<std::string> bucketOrder_;     // guarded by mu_; insertion order, for eviction
  std::map<std::string, Entry> cache_;     // guarded by mu_; key: uid/type/reason/message
  std::list<std::string> order_;           // insertion order, for eviction
};

}  // namespace ossvp::controller::kube
