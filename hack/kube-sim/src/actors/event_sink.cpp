#include "actors/event_sink.h"

#include "actors/object_util.h"

namespace ossvp::kubesim {

void EventSink::emitFrom(const std::string& component, const json& involved, const std::string& type,
                         const std::string& reason, const std::string& message) {
  std::string key = uidOf(involved) + "\x1f" + type + "\x1f" + reason + "\x1f" + message;
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = last_.find(key);
    if (it != last_.end() && now - it->second < repeatInterval_) return;
    last_[key] = now;
    if (last_.size() > 20000) last_.clear();
  }
  recordEvent(store_, involved, type, reason, message, component);
}

}  // namespace ossvp::kubesim
