// ContainerProcess: one container of a kube-sim pod, run as a local process.
// The process gets its own process group (so a kill reaches its children)
// and, when it has volume mounts, its own mount namespace in which every
// volume's host directory (or file) is bind-mounted at exactly the pod spec's
// mountPath (read-only when asked). Programs therefore see the same paths
// they would see in a real container; nothing is rewritten. The mount points
// are created on the host filesystem when missing (empty directories/files),
// the mounts themselves are private to the container and vanish with it.
// Needs CAP_SYS_ADMIN (kube-sim runs as root); without it a pod with mounts
// fails to start with reason StartError and an explicit message.
// stdout and stderr are appended to the log file (served on pods/log).
//
// Thread-safety: all methods are thread-safe; onExit runs on a waiter thread.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ossvp/common/result.h"

namespace ossvp::kubesim {

struct MountSpec {
  std::string source;  // host path
  std::string target;  // path inside the container (the pod spec's mountPath)
  bool readOnly = false;
  bool file = false;  // bind a file (termination log, subPath file) instead of a directory
};

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is an absolute host path
  std::vector<std::string> env;   // "K=V"
  std::string workingDir;
  std::string logFile;
  std::vector<MountSpec> mounts;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::vector<gid_t> groups;
};

class ContainerProcess {
 public:
  // Starts the process; onExit is called once when it has exited.
  static Result<std::shared_ptr<ContainerProcess>> start(const ProcessSpec& spec, std::function<void()> onExit);
  ~ContainerProcess();

  pid_t pid() const { return pid_; }
  bool exited() const;
  // Exit code as a container runtime reports it: the code, or 128+signal.
  int exitCode() const;
  // Sends `sig` to the whole process group.
  void signal(int sig) const;

 private:
  ContainerProcess() = default;
  pid_t pid_ = -1;
  mutable std::mutex mu_;
  bool exited_ = false;
  int exitCode_ = 0;
  std::thread waiter_;
};

}  // namespace ossvp::kubesim
