// WorkQueue: the controller's queue of string keys ("pvc/<ns>/<name>").
// A key is held at most once; a key added while a worker processes it is
// queued again when that worker calls done(), so one key is never handled by
// two workers at once. addAfter() delays a key; addRateLimited() delays it by
// a per-key exponential backoff (base * 2^failures, capped) until forget().
// Delays are measured and waited for on the Clock it is given (clock.h), so
// tests move them with a FakeClock.
//
// Thread-safety: internally synchronized; N workers call get()/done().
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "ossvp/controller/clock.h"

namespace ossvp::controller::kube {

class WorkQueue {
 public:
  struct Options {
    std::chrono::milliseconds baseDelay{500};
    std::chrono::milliseconds maxDelay{std::chrono::minutes(5)};
  };
  WorkQueue() : WorkQueue(Options{}) {}
  // `clock` must outlive the queue.
  explicit WorkQueue(Options options, const Clock& clock = Clock::system()) : options_(options), clock_(clock) {}

  void add(const std::string& key);
  void addAfter(const std::string& key, std::chrono::milliseconds delay);
  // Returns the delay chosen.
  std::chrono::milliseconds addRateLimited(const std::string& key);
  void forget(const std::string& key);
  int failures(const std::string& key) const;

  // Blocks for the next key; false once shut down.
  bool get(std::string* key);
  void done(const std::string& key);
  void shutdown();

  size_t length() const;         // ready keys
  size_t delayedLength() const;  // keys waiting for their time

 private:
  void addLocked(const std::string& key);
  void promoteDueLocked(Clock::Instant now);

  const Options options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;     // guarded by mu_
  std::set<std::string> dirty_;       // keys wanted (queued or re-queue after done)
  std::set<std::string> processing_;  // keys held by a worker
  std::map<std::string, Clock::Instant> delayed_;
  std::map<std::string, int> failures_;
  bool shutdown_ = false;
};

}  // namespace ossvp::controller::kube
