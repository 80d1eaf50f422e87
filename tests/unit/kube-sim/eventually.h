// eventually(): polls a predicate until it holds or a time limit passes, for
// kube-sim unit tests that drive actors running on their own threads.
//
// Thread-safety: the predicate runs on the calling thread only.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace ossvp::kubesim::testing {

inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace ossvp::kubesim::testing
