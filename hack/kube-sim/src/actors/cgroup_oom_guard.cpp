#include "actors/cgroup_oom_guard.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ossvp::kubesim {

namespace {

constexpr const char* kMemoryRoot = "/sys/fs/cgroup/memory";

bool writeText(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// "under_oom 1" in memory.oom_control.
bool underOom(const std::string& dir) {
  std::ifstream in(dir + "/memory.oom_control");
  std::string key;
  long long value = 0;
  while (in >> key >> value) {
    if (key == "under_oom") return value != 0;
  }
  return false;
}

}  // namespace

std::string CgroupOomGuard::memoryCgroupV1Of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    // "4:memory:/libpod_parent/libpod-<id>" (v2 has only "0::/path").
    std::istringstream fields(line);
    std::string id, controllers, path;
    if (!std::getline(fields, id, ':') || !std::getline(fields, controllers, ':') || !std::getline(fields, path))
      continue;
    bool memory = false;
    std::istringstream names(controllers);
    for (std::string name; std::getline(names, name, ',');) memory = memory || name == "memory";
    if (!memory) continue;
    std::string dir = kMemoryRoot;
    dir += path;
    if (::access((dir + "/memory.oom_control").c_str(), R_OK) == 0) return dir;
  }
  return "";
}

Result<std::unique_ptr<CgroupOomGuard>> CgroupOomGuard::attach(const std::string& cgroupDir) {
  std::unique_ptr<CgroupOomGuard> g(new CgroupOomGuard());
  g->dir_ = cgroupDir;
  g->controlFd_ = ::open((cgroupDir + "/memory.oom_control").c_str(), O_RDONLY | O_CLOEXEC);
  g->eventFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (g->controlFd_ < 0 || g->eventFd_ < 0) {
    return unavailable("cannot watch the memory cgroup " + cgroupDir + ": " + std::strerror(errno));
  }
  std::string registration = std::to_string(g->eventFd_) + " " + std::to_string(g->controlFd_);
  if (!writeText(cgroupDir + "/cgroup.event_control", registration) ||
      !writeText(cgroupDir + "/memory.oom_control", "1")) {
    return unavailable("cannot take over OOM handling of the memory cgroup " + cgroupDir + ": " + std::strerror(errno));
  }
  CgroupOomGuard* raw = g.get();
  g->watcher_ = std::thread([raw] { raw->watch(); });
  return g;
}

CgroupOomGuard::~CgroupOomGuard() {
  stop_ = true;
  // Wake the watcher now rather than at its next 200 ms poll timeout.
  if (eventFd_ >= 0) {
    uint64_t one = 1;
    (void)!::write(eventFd_, &one, sizeof one);
  }
  if (watcher_.joinable()) watcher_.join();
  if (eventFd_ >= 0) ::close(eventFd_);
  if (controlFd_ >= 0) ::close(controlFd_);
}

void CgroupOomGuard::watch() {
  pollfd p{eventFd_, POLLIN, 0};
  while (!stop_) {
    if (::poll(&p, 1, 200) <= 0) continue;
    uint64_t count = 0;
    if (::read(eventFd_, &count, sizeof count) != static_cast<ssize_t>(sizeof count)) continue;
    // The notification also fires when the cgroup is removed: only a cgroup
    // that is out of memory right now (its tasks stalled) counts.
    if (!underOom(dir_)) continue;
    oomKilled_ = true;
    killAll();
  }
}

void CgroupOomGuard::killAll() const {
  std::ifstream in(dir_ + "/cgroup.procs");
  pid_t pid = 0;
  while (in >> pid) ::kill(pid, SIGKILL);
}

}  // namespace ossvp::kubesim
