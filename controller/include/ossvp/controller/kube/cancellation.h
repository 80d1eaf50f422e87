// Cancellation: a one-shot stop signal shared between an owner (who calls
// cancel()) and long-running work (watch streams, backoff sleeps) that checks
// it, sleeps on it, or registers a callback to abort a blocking read.
//
// Thread-safety: internally synchronized.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace ossvp::controller::kube {

class Cancellation {
 public:
  Cancellation() : state_(std::make_shared<State>()) {}

  void cancel() const;
  bool cancelled() const;
  // Sleeps up to `d`; returns false when cancelled meanwhile.
  bool sleepFor(std::chrono::milliseconds d) const;
  // Runs `fn` on cancel (at once if already cancelled). Returns an id for unregister().
  int onCancel(std::function<void()> fn) const;
  void unregister(int id) const;

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool cancelled = false;
    int nextId = 1;
    std::vector<std::pair<int, std::function<void()>>> callbacks;
  };
  std::shared_ptr<State> state_;
};

}  // namespace ossvp::controller::kube
