// Outcome: what one reconcile pass asks of the work queue — Done (forget
// the key's backoff; wait for the next watch event), RequeueAfter(d) (look
// again after d, e.g. a retry backoff), or Error(status) (log it and retry
// with the queue's per-key exponential backoff).
//
// Thread-safety: immutable value type.
#pragma once

#include <chrono>
#include <string>

#include "ossvp/common/status.h"

namespace ossvp::controller {

class Outcome {
 public:
  enum class Kind { Done, RequeueAfter, Error };

  static Outcome done() { return Outcome(Kind::Done, {}, Status::ok()); }
  static Outcome requeueAfter(std::chrono::milliseconds d) { return Outcome(Kind::RequeueAfter, d, Status::ok()); }
  static Outcome error(Status s) { return Outcome(Kind::Error, {}, std::move(s)); }

  Kind kind() const { return kind_; }
  bool isDone() const { return kind_ == Kind::Done; }
  bool isError() const { return kind_ == Kind::Error; }
  bool isRequeue() const { return kind_ == Kind::RequeueAfter; }
  std::chrono::milliseconds delay() const { return delay_; }
  const Status& status() const { return status_; }
  std::string toString() const;

 private:
  Outcome(Kind k, std::chrono::milliseconds d, Status s) : kind_(k), delay_(d), status_(std::move(s)) {}
  Kind kind_;
  std::chrono::milliseconds delay_;
  Status status_;
};

}  // namespace ossvp::controller
