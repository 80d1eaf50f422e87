// EventRecorder: writes core/v1 Events about an object (what `kubectl
// describe` shows). Repeats of the same (object, type, reason, message) are
// aggregated into one Event whose count and lastTimestamp are patched, as
// client-go's recorder does, so a retry loop cannot flood the API. Like
// client-go's spam filter, each object has a token bucket (burst 25, one
// more token every 5 minutes): an object about which hundreds of things
// happen at once (an ossvp shared by 1,000 PVCs) gets its first 25 events,
// then one per 5 minutes; the rest are logged only. As in client-go's
// EventCorrelator, every occurrence is counted before the spam filter
// decides, so the next write of that Event carries the occurrences the
// filter held back (count and lastTimestamp), and an Event whose first
// occurrence was held back is created with its count when it may be. Messages
// pass through the secret redactor. Failures are logged, never returned: an
// event is best effort and must not fail a reconcile. The bucket refills on,
// and the timestamps are read from, the Clock it is given (clock.h).
//
// Delivery: Inline writes the event in record()'s caller (tests read it
// right after); Background hands it to one sender thread, as client-go's
// broadcaster does, so a reconcile does not wait for its events (a third of
// the controller's requests). The sender keeps order; at most kQueueLimit
// events wait, more are logged and dropped; the destructor sends what waits
// for up to kDrainLimit (a shutdown must not wait on an unreachable API
// server once per queued event), then logs and drops the rest.
//
// Thread-safety: internally synchronized.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "ossvp/controller/clock.h"
#include "ossvp/controller/kube/api_client.h"

namespace ossvp::controller::kube {

class EventRecorder {
 public:
  // client-go's defaults (EventSourceObjectSpamFilter).
  static constexpr double kBurst = 25;
  static constexpr std::chrono::seconds kRefillEvery{300};

  static constexpr size_t kQueueLimit = 4096;
  static constexpr std::chrono::seconds kDrainLimit{5};
  enum class Delivery { Inline, Background };

  // `clock` must outlive the recorder.
  EventRecorder(ApiClient& api, std::string component, std::string instance, size_t cacheSize = 4096,
                const Clock& clock = Clock::system(), Delivery delivery = Delivery::Inline);
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void normal(const Object& involved, const std::string& reason, const std::string& message) {
    record(involved, "Normal", reason, message);
  }
  void warning(const Object& involved, const std::string& reason, const std::string& message) {
    record(involved, "Warning", reason, message);
  }
  void record(const Object& involved, const std::string& type, const std::string& reason, const std::string& message);

 private:
  // What is known of one (object, type, reason, message): the Event that
  // holds its occurrences.
  struct Entry {
    std::string name;  // the Event's, chosen at the first occurrence
    int count = 0;     // occurrences so far, the ones the spam filter held back included
    std::string firstTimestamp;
    bool sent = false;  // a write of the Event was handed to delivery
  };
  // One write of an Event on its way to the API server.
  struct Outgoing {
    Object involvedRef;  // kind, apiVersion, name, uid, resourceVersion, namespace
    std::string ns;      // where the Event lives
    std::string type, reason, message;
    Entry event;                // as of this occurrence; `sent`: written before, so patch its count
    std::string lastTimestamp;  // this occurrence's
  };
  // Counts one occurrence of `key` at `now` (a new entry's Event is named
  // after `involvedName`) and returns the entry as of this occurrence, `sent`
  // as it was before; then marks it sent when `sending`.
  Entry observe(const std::string& key, const std::string& involvedName, const std::string& now, bool sending);
  // Takes a token from the object's bucket; false when it is empty.
  bool admit(const std::string& uid);
  // Patches the count of the Event written before, or creates it (also when
  // the patch finds it gone: expired or deleted).
  void deliver(const Outgoing& e);
  void sendLoop();

  struct Bucket {
    double tokens = kBurst;
    Clock::Instant refilled;
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

  // Background delivery.
  std::mutex queueMu_;
  std::condition_variable queueCv_;
  std::deque<Outgoing> queue_;  // guarded by queueMu_
  bool stopping_ = false;       // guarded by queueMu_
  Clock::Instant drainUntil_;   // guarded by queueMu_; set with stopping_
  std::thread sender_;          // running with Delivery::Background
};

}  // namespace ossvp::controller::kube
