// EventSink: how actors emit Events. Wraps the store's recordEvent() (which
// aggregates repeats into count/lastTimestamp like client-go) with the spam
// filter real components effectively have: a level-triggered actor re-deciding
// the same thing on every pass re-emits an identical event (same object,
// type, reason, message) at most once per `repeatInterval` (the PV
// controller's 15 s resync), so `kubectl describe` shows `(xN over ...)`
// growing slowly instead of by the hundreds.
//
// Thread-safety: internally synchronized.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "store/cluster_context.h"

namespace ossvp::kubesim {

class EventSink {
 public:
  EventSink(ObjectStore& store, std::string component, std::chrono::seconds repeatInterval = std::chrono::seconds(15))
      : store_(store), component_(std::move(component)), repeatInterval_(repeatInterval) {}

  void normal(const json& involved, const std::string& reason, const std::string& message) {
    emit(involved, "Normal", reason, message);
  }
  void warning(const json& involved, const std::string& reason, const std::string& message) {
    emit(involved, "Warning", reason, message);
  }
  void emit(const json& involved, const std::string& type, const std::string& reason, const std::string& message) {
    emitFrom(component_, involved, type, reason, message);
  }
  // Same, with another source.component (e.g. "<driver>_<host>" for provisioners).
  void emitFrom(const std::string& component, const json& involved, const std::string& type, const std::string& reason,
                const std::string& message);

 private:
  ObjectStore& store_;
  std::string component_;
  std::chrono::seconds repeatInterval_;
  std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_;
};

}  // namespace ossvp::kubesim
