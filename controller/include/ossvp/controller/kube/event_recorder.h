// EventRecorder: writes core/v1 Events about an object (what `kubectl
// describe` shows). Repeats of the same (object, type, reason, message) are
// aggregated into one Event whose count and lastTimestamp are patched, as
// client-go's recorder does, so a retry loop cannot flood the API. Messages
// pass through the secret redactor. Failures are logged, never returned:
// an event is best effort and must not fail a reconcile.
//
// Thread-safety: internally synchronized.
#pragma once

#include <chrono>
#include <list>
#include <map>
#include <mutex>
#include <string>

#include "ossvp/controller/kube/api_client.h"

namespace ossvp::controller::kube {

class EventRecorder {
 public:
  EventRecorder(ApiClient& api, std::string component, std::string instance, size_t cacheSize = 4096);

  void normal(const Object& involved, const std::string& reason, const std::string& message) {
    record(involved, "Normal", reason, message);
  }
  void warning(const Object& involved, const std::string& reason, const std::string& message) {
    record(involved, "Warning", reason, message);
  }
  void record(const Object& involved, const std::string& type, const std::string& reason, const std::string& message);

 private:
  struct Entry {
    std::string ns, name;
    int count = 0;
    std::string firstTimestamp;
  };
  ApiClient& api_;
  const std::string component_;
  const std::string instance_;
  const size_t cacheSize_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> cache_;  // guarded by mu_; key: uid/type/reason/message
  std::list<std::string> order_;        // insertion order, for eviction
};

}  // namespace ossvp::controller::kube
