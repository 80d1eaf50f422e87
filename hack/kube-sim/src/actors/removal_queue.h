// RemovalQueue: runs container teardowns (podman_runtime.cpp: `podman rm` of
// a finished container, then joining its attach client) on a thread of its
// own, so that a slow removal (seconds on a busy host; up to runCommand's
// deadline when podman hangs) never stalls the kubelet that dropped the
// container, and with it every other pod of its node. Teardowns run one at a
// time, in the order queued. A container name stays pending from enqueue()
// until its teardown has returned; a runtime about to create a container of
// that name again (the same pod and restart count after a node or kube-sim
// restart) waits for it with waitRemoved(). The destructor runs what is still
// queued, then joins the thread.
//
// Thread-safety: all methods are thread-safe; a teardown must not call back
// into its queue.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace ossvp::kubesim {

class RemovalQueue {
 public:
  RemovalQueue();
  ~RemovalQueue();
  RemovalQueue(const RemovalQueue&) = delete;
  RemovalQueue& operator=(const RemovalQueue&) = delete;

  // Queues `teardown` of the container `name`; returns at once.
  void enqueue(std::string name, std::function<void()> teardown);
  // Returns once no teardown of `name` is queued or running.
  void waitRemoved(const std::string& name);
  // Returns once every teardown queued so far has run.
  void drain();

 private:
  struct Job {
    std::string name;
    std::function<void()> teardown;
  };
  void run();

  std::mutex mu_;
  std::condition_variable cv_;        // work queued, or stopping
  std::condition_variable finished_;  // a teardown returned
  std::deque<Job> queue_;
  std::map<std::string, int> pending_;  // name -> teardowns queued or running
  bool stopping_ = false;
  std::thread worker_;  // last: started once the members above exist
};

}  // namespace ossvp::kubesim
