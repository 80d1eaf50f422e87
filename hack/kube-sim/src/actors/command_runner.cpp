#include "actors/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace ossvp::kubesim {

namespace {

using Clock = std::chrono::steady_clock;

std::string describeTimeout(std::chrono::milliseconds t) {
  if (t.count() % 1000 == 0) return std::to_string(t.count() / 1000) + "s";
  return std::to_string(t.count()) + "ms";
}

// Milliseconds to pass to poll() until `deadline` (-1: none), at least 0.
int pollTimeout(const std::optional<Clock::time_point>& deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, 60'000));
}

pid_t reap(pid_t pid, int& status) {
  pid_t waited;
  while ((waited = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  return waited;
}

}  // namespace

Result<CommandResult> runCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                 std::chrono::milliseconds timeout) {
  if (argv.empty()) return invalidArgument("runCommand: empty argv");
  int outPipe[2], errPipe[2];
  if (::pipe2(outPipe, O_CLOEXEC) != 0) return internalError(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(errPipe, O_CLOEXEC) != 0) {
    ::close(outPipe[0]);
    ::close(outPipe[1]);
    return internalError(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);
  // Its own process group, so that a timeout kills whatever it started too.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  auto started = Clock::now();
  int rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(outPipe[1]);
  ::close(errPipe[1]);
  if (rc != 0) {
    ::close(outPipe[0]);
    ::close(errPipe[0]);
    return unavailable("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  std::optional<Clock::time_point> deadline;
  if (timeout != kNoCommandTimeout) deadline = started + timeout;
  // The pid fd turns readable when the program exits, even while something it
  // started still holds the output pipes.
  int pidFd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  CommandResult result;
  pollfd fds[3] = {{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}, {pidFd, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open = 2;
  bool exited = pidFd < 0;  // without a pid fd: done at EOF, as before
  bool timedOut = false;
  char buf[8192];
  while (open > 0 || !exited) {
    if (deadline && Clock::now() >= *deadline) {
      timedOut = true;
      break;
    }
    if (::poll(fds, 3, pollTimeout(deadline)) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
    if (fds[2].fd >= 0 && fds[2].revents != 0) {
      exited = true;
      fds[2].fd = -1;  // stays open (closed below) but is no longer polled
    }
  }
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd >= 0) ::close(fds[i].fd);
  }
  if (pidFd >= 0) ::close(pidFd);
  if (timedOut) ::kill(-pid, SIGKILL);
  int status = 0;
  pid_t waited = reap(pid, status);
  if (timedOut) {
    return Status(StatusCode::Timeout,
                  argv[0] + " did not finish within " + describeTimeout(timeout) + ": killed it and its process group");
  }
  if (waited < 0) return internalError("waitpid for " + argv[0] + ": " + std::strerror(errno));
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace ossvp::kubesim
