#include "ossvp/populator/target_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include <spdlog/fmt/fmt.h>

#include "ossvp/populator/key_mapper.h"

namespace ossvp::populator {

namespace {

// A releaser unlinks the file between our open and our flock at most a few
// times in a row; more means something keeps deleting it.
constexpr int kAttempts = 16;

// The holder writes its identity just after it locked the file; when two
// populators start together the refused one may look in between, so it
// waits a little for the text.
constexpr int kHolderTextPolls = 50;
constexpr useconds_t kHolderTextPollMicros = 10000;

std::string holderText(int fd) {
  char buf[320];
  ssize_t n = 0;
  for (int i = 0; i < kHolderTextPolls; ++i) {
    n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n != 0) break;
    ::usleep(kHolderTextPollMicros);
  }
  if (n <= 0) return "pid unknown";
  buf[n] = '\0';
  std::string text(buf, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  size_t space = text.find(' ');
  if (space == std::string::npos) return "pid " + text;
  return fmt::format("pid {} on host {}", text.substr(0, space), text.substr(space + 1));
}

std::string thisHolder() {
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("{} {}\n", ::getpid(), host[0] ? host : "unknown");
}

}  // namespace

TargetLock& TargetLock::operator=(TargetLock&& o) noexcept {
  if (this != &o) {
    release();
    dir_ = std::move(o.dir_);
    file_ = std::move(o.file_);
    ino_ = o.ino_;
    dev_ = o.dev_;
  }
  return *this;
}

Result<TargetLock> TargetLock::acquire(int stateDirFd, const std::string& target) {
  const std::string shown = fmt::format("{}/{}/{}", target, kStateDirName, kLockFileName);
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    int fd = ::openat(stateDirFd, kLockFileName, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return errnoStatus(errno, fmt::format("cannot open the lock file '{}'", shown));
    UniqueFd file(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) return errnoStatus(errno, fmt::format("cannot lock '{}'", shown));
      return Status(StatusCode::Unavailable,
                    fmt::format("target '{}' is being populated by another ossvp-populator ({}, lock '{}'): this "
                                "run stopped without changing the volume; wait for the other one to finish (a "
                                "re-run is then a no-op) or stop it (its lock is released when it exits)",
                                target, holderText(fd), shown));
    }
    struct stat locked {
    }, named{};
    if (::fstat(fd, &locked) != 0) return errnoStatus(errno, fmt::format("cannot stat '{}'", shown));
    if (::fstatat(stateDirFd, kLockFileName, &named, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // its holder released it after our open: lock the new one
      return errnoStatus(errno, fmt::format("cannot stat '{}'", shown));
    }
    if (named.st_ino != locked.st_ino || named.st_dev != locked.st_dev) continue;
    std::string me = thisHolder();
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
      return errnoStatus(errno, fmt::format("cannot write '{}'", shown));
    }
    TargetLock lock;
    lock.dir_ = UniqueFd(::dup(stateDirFd));
    if (!lock.dir_.valid()) return errnoStatus(errno, "dup");
    lock.file_ = std::move(file);
    lock.ino_ = locked.st_ino;
    lock.dev_ = locked.st_dev;
    return lock;
  }
  return Status(StatusCode::Internal,
                fmt::format("cannot lock '{}': the file was deleted {} times while locking it (is something "
                            "deleting files in the volume?)",
                            shown, kAttempts));
}

void TargetLock::release() {
  if (!file_.valid()) return;
  // Unlink while still holding it, so nobody locks the old file once we let go.
  struct stat named {};
  if (dir_.valid() && ::fstatat(dir_.get(), kLockFileName, &named, AT_SYMLINK_NOFOLLOW) == 0 && named.st_ino == ino_ &&
      named.st_dev == dev_) {
    ::unlinkat(dir_.get(), kLockFileName, 0);
  }
  file_ = UniqueFd();  // closing the only descriptor unlocks
  dir_ = UniqueFd();
}

}  // namespace ossvp::populator
