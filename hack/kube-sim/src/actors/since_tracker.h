// SinceTracker: for a level-triggered actor, how long each key (a node name)
// has been continuously in some state (powered off, missing) across passes,
// like the probe timestamps the node lifecycle controller and the pod GC
// quarantine keep. Each pass calls seen() for the keys in the state, then
// endPass(), which forgets the keys not seen (the state ended).
//
// Thread-safety: none; one actor thread uses it.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace ossvp::kubesim {

class SinceTracker {
 public:
  using Clock = std::chrono::steady_clock;

  // `key` is in the state in this pass: for how long it has been (0 the first time).
  Clock::duration seen(const std::string& key) {
    auto now = Clock::now();
    auto it = previous_.find(key);
    auto since = it == previous_.end() ? now : it->second;
    current_.emplace(key, since);
    return now - since;
  }
  void endPass() {
    previous_ = std::move(current_);
    current_.clear();
  }

 private:
  std::map<std::string, Clock::time_point> previous_, current_;
};

}  // namespace ossvp::kubesim
