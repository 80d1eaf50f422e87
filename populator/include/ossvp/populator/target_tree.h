// TargetTree: every file-system operation on the volume, done relative to
// directory file descriptors with O_NOFOLLOW, so a path made of plain names
// (KeyMapper's output) can never leave the target, even if a symlink was
// planted inside it. Also owns the state directory (.ossvp-populator/) with
// its tmp/ area, where files are written before being renamed into place
// (same file system, so rename is atomic), and holds the target's lock
// (target_lock.h) from open() until it is destroyed: one TargetTree per
// volume at a time, across processes and nodes.
//
// Errors are Status values: ENOSPC/EDQUOT -> ResourceExhausted, others ->
// Internal, with the path and strerror in the message.
//
// Thread-safety: all methods may be called concurrently (fds are immutable
// after open(); the temp-name counter is atomic).
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ossvp/common/result.h"

namespace ossvp::populator {

// An owned file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  ~UniqueFd();
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Status for a failed syscall: ResourceExhausted for ENOSPC/EDQUOT.
Status errnoStatus(int err, const std::string& what);

class TargetLock;

class TargetTree {
 public:
  // Opens `root` (must be an existing, writable directory), creates the
  // state directory and locks the target (Unavailable at once when another
  // populator holds it); then empties its tmp/ area (leftovers of a killed
  // run).
  static Result<std::unique_ptr<TargetTree>> open(const std::string& root);
  // Releases the lock and removes its file.
  ~TargetTree();

  const std::string& root() const { return root_; }
  int stateFd() const { return state_fd_.get(); }

  // Opens the directory made of components[0..count), creating missing ones
  // when `create`. Refuses symlinks and non-directories on the way.
  Result<UniqueFd> openDir(const std::vector<std::string>& components, size_t count, bool create) const;

  // A new empty temp file in the state's tmp/ area; `name` receives its name.
  Result<UniqueFd> createTemp(std::string* name);
  void removeTemp(const std::string& name) const;

  // Renames tmp/<tmpName> to the path `components` (parents created).
  Status install(const std::string& tmpName, const std::vector<std::string>& components) const;

  // lstat of the path; NotFound when it does not exist.
  Result<struct stat> stat(const std::vector<std::string>& components) const;

  // Sets a directory's mtime (seconds since the epoch).
  Status setDirMtime(const std::vector<std::string>& components, int64_t mtimeUnix) const;

  // syncfs(2) on the volume: everything written so far is durable.
  Status syncAll() const;

  // Removes the tmp/ area with anything left in it, when a run ends: temp
  // files never serve a later run. Call only when no temp file is in use.
  void removeTmpArea() const;

 private:
  TargetTree();
  std::string root_;
  UniqueFd root_fd_, state_fd_, tmp_fd_;
  std::unique_ptr<TargetLock> lock_;
  std::atomic<uint64_t> temp_seq_{0};
};

}  // namespace ossvp::populator
