// TargetLock: one populator's exclusive claim on a target volume, so that
// two populators started on the same volume (a pod re-created while the old
// one still runs, a run started by hand) never interleave: the second stops
// at once, before it touches anything, instead of deleting the first one's
// temp files.
//
// The lock is flock(2) on `.ossvp-populator/lock` (on NFS the kernel turns it
// into a lock the server arbitrates across nodes). The kernel drops it when
// its holder exits, even on kill -9, so a crashed holder never blocks the
// next run. The holder writes "<pid> <host>" into the file right after
// locking it, for the message the refused one shows (which waits up to half
// a second for that text when both started together). Releasing unlinks the
// file and then unlocks, so a finished run leaves no lock file behind;
// acquire() therefore checks that the file it locked is still the one at
// that name (a holder may have unlinked it in between) and otherwise starts
// over.
//
// Errors: another holder -> Unavailable with a message naming the target,
// the holder's pid and host, and what to do; a failed syscall ->
// errnoStatus().
//
// Thread-safety: acquire() may run concurrently in threads and processes (it
// is what it is for); one TargetLock is used by one thread.
#pragma once

#include <sys/types.h>

#include <string>

#include "ossvp/common/result.h"
#include "ossvp/populator/target_tree.h"

namespace ossvp::populator {

inline constexpr const char* kLockFileName = "lock";

class TargetLock {
 public:
  TargetLock() = default;
  TargetLock(TargetLock&&) noexcept = default;
  TargetLock& operator=(TargetLock&& o) noexcept;
  ~TargetLock() { release(); }

  // Locks `stateDirFd`/lock without waiting. `target` is the volume's path,
  // for messages.
  static Result<TargetLock> acquire(int stateDirFd, const std::string& target);

  bool held() const { return file_.valid(); }

  // Unlinks the lock file and unlocks (idempotent).
  void release();

 private:
  UniqueFd dir_;   // a dup of the state directory
  UniqueFd file_;  // the locked file
  ino_t ino_ = 0;
  dev_t dev_ = 0;
};

}  // namespace ossvp::populator
