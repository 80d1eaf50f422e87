#include "actors/container_process.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ossvp::kubesim {

namespace {

// Async-signal-safe error report from the (vforked) child, then exit 128
// (StartError). strerrordesc_np: a static string, no locale, no allocation.
[[noreturn]] void childFail(const char* what, const char* arg) {
  const char* err = ::strerrordesc_np(errno);
  if (err == nullptr) err = "unknown error";
  const char* parts[] = {"kube-sim: ", what, " ", arg, ": ", err, "\n"};
  for (const char* p : parts) {
    ssize_t ignored = ::write(2, p, std::strlen(p));
    (void)ignored;
  }
  _exit(128);
}

// Ancestors of `path` (excluding "/"), outermost first.
std::vector<std::string> ancestors(const std::string& path) {
  std::vector<std::string> out;
  for (size_t pos = 1; (pos = path.find('/', pos)) != std::string::npos; ++pos) out.push_back(path.substr(0, pos));
  return out;
}

struct PreparedMount {
  std::vector<std::string> dirs;
  const MountSpec* spec;
};

}  // namespace

Result<std::shared_ptr<ContainerProcess>> ContainerProcess::start(const ProcessSpec& spec,
                                                                  std::function<void()> onExit) {
  if (spec.argv.empty()) return invalidArgument("container has no command");
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(spec.logFile).parent_path(), ec);
  int logFd = ::open(spec.logFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (logFd < 0) return internalError("cannot open container log " + spec.logFile + ": " + std::strerror(errno));
  int nullFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  // Everything the child needs is built before fork (no allocation after it).
  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  std::vector<MountSpec> mounts = spec.mounts;
  std::stable_sort(mounts.begin(), mounts.end(),
                   [](const MountSpec& a, const MountSpec& b) { return a.target.size() < b.target.size(); });
  std::vector<PreparedMount> prepared;
  for (const auto& m : mounts) {
    std::vector<std::string> dirs = ancestors(m.target);
    if (!m.file) dirs.push_back(m.target);
    prepared.push_back({std::move(dirs), &m});
  }
  std::vector<gid_t> groups = spec.groups;

  // vfork: the child borrows this process's memory until execve, so starting
  // a container does not copy the page tables of a large, multi-threaded
  // kube-sim (a fork cost ~10 ms and TLB shootdowns on every thread). The
  // child therefore only makes raw system calls on data prepared above:
  // setgroups/setgid/setuid go through syscall(), since glibc's wrappers
  // would signal the parent's threads to change their credentials too.
  pid_t pid = ::vfork();
  if (pid < 0) {
    ::close(logFd);
    if (nullFd >= 0) ::close(nullFd);
    return internalError(std::string("vfork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(logFd, 1);
    ::dup2(logFd, 2);
    if (nullFd >= 0) ::dup2(nullFd, 0);
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!prepared.empty()) {
      if (::unshare(CLONE_NEWNS) != 0) childFail("unshare(CLONE_NEWNS) for volume mounts (kube-sim needs root)", "");
      if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) childFail("make / private", "");
      for (const auto& p : prepared) {
        for (const auto& d : p.dirs) {
          if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) childFail("mkdir mount point", d.c_str());
        }
        const MountSpec& m = *p.spec;
        if (m.file) {
          int fd = ::open(m.target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
          if (fd < 0) childFail("create file mount point", m.target.c_str());
          ::close(fd);
        }
        if (::mount(m.source.c_str(), m.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
          childFail("bind mount onto", m.target.c_str());
        }
        if (m.readOnly &&
            ::mount(nullptr, m.target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, nullptr) != 0) {
          childFail("remount read-only", m.target.c_str());
        }
      }
    }
    // As root, before dropping privileges: the sandbox's ancestors need not be
    // searchable by the container user.
    if (!spec.workingDir.empty() && ::chdir(spec.workingDir.c_str()) != 0) {
      childFail("chdir to workingDir", spec.workingDir.c_str());
    }
    if (spec.gid || spec.uid) {
      if (::syscall(SYS_setgroups, groups.size(), groups.data()) != 0) childFail("setgroups", "");
      if (spec.gid && ::syscall(SYS_setgid, *spec.gid) != 0) childFail("setgid", "");
      if (spec.uid && ::syscall(SYS_setuid, *spec.uid) != 0) childFail("setuid", "");
    }
    ::execve(argv[0], argv.data(), envp.data());
    childFail("exec", argv[0]);
  }
  ::close(logFd);
  if (nullFd >= 0) ::close(nullFd);
  auto proc = std::shared_ptr<ContainerProcess>(new ContainerProcess());
  proc->pid_ = pid;
  ContainerProcess* raw = proc.get();
  proc->waiter_ = std::thread([raw, pid, onExit = std::move(onExit)] {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    {
      std::lock_guard<std::mutex> lock(raw->mu_);
      raw->exited_ = true;
      raw->exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    // Reap anything left in the group (orphans of the container).
    ::kill(-pid, SIGKILL);
    if (onExit) onExit();
  });
  return proc;
}

ContainerProcess::~ContainerProcess() {
  if (!exited()) signal(SIGKILL);
  if (waiter_.joinable()) {
    if (waiter_.get_id() == std::this_thread::get_id()) {
      waiter_.detach();
    } else {
      waiter_.join();
    }
  }
}

bool ContainerProcess::exited() const {
  std::lock_guard<std::mutex> lock(mu_);
  return exited_;
}

int ContainerProcess::exitCode() const {
  std::lock_guard<std::mutex> lock(mu_);
  return exitCode_;
}

void ContainerProcess::signal(int sig) const {
  if (pid_ > 0 && !exited()) ::kill(-pid_, sig);
}

}  // namespace ossvp::kubesim
