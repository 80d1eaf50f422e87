// CgroupOomGuard: reports an out-of-memory kill of a container whose memory
// cgroup is a cgroup v1 one, where podman's own detection (conmon) does not
// see it on hosts with hybrid cgroup hierarchies. The guard takes over the
// cgroup's OOM handling: it disables the kernel OOM killer there
// (memory.oom_control = 1), registers an eventfd for the cgroup's OOM
// notification (cgroup.event_control), and when the cgroup runs out of memory
// (under_oom 1: its tasks are stalled, the cgroup cannot vanish meanwhile) it
// records the OOM and SIGKILLs every task of the cgroup, as the OOM killer of
// a container runtime with oom-group semantics would. The container then
// exits with 137 and oomKilled() is already true when its exit is seen.
// Attach it after the container is created and before it starts (podman
// init), so no allocation escapes it.
//
// Thread-safety: oomKilled() may be called from any thread; the guard watches
// on its own thread, stopped and joined by the destructor.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "ossvp/common/result.h"

namespace ossvp::kubesim {

class CgroupOomGuard {
 public:
  // The memory cgroup directory of `pid` when it is a cgroup v1 one
  // (/sys/fs/cgroup/memory/...), else "" (cgroup v2: the runtime reports OOM
  // kills itself).
  static std::string memoryCgroupV1Of(pid_t pid);
  // Guards the memory cgroup directory `cgroupDir`.
  static Result<std::unique_ptr<CgroupOomGuard>> attach(const std::string& cgroupDir);
  ~CgroupOomGuard();
  CgroupOomGuard(const CgroupOomGuard&) = delete;
  CgroupOomGuard& operator=(const CgroupOomGuard&) = delete;

  bool oomKilled() const { return oomKilled_; }

 private:
  CgroupOomGuard() = default;
  void watch();
  void killAll() const;

  std::string dir_;
  int eventFd_ = -1;
  int controlFd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<bool> oomKilled_{false};
  std::thread watcher_;
};

}  // namespace ossvp::kubesim
