// ReadHistory: whether the latest readers of large files read them whole
// (a copy, a checksum pass, a loader walking its shards: at least the file's
// size in bytes, offset 0 among them). While they do, a new reader's first
// round of GETs covers up to kLearnedFirstRound of its file instead of the
// first few MiB: a file read one at a time then costs one round of GETs, not
// one per doubling of the read-ahead window. One reader that stops short (a
// header probe) or never reads offset 0 turns it off until `kStreak` whole
// reads in a row turn it on.
// Readers that read nothing (an open the kernel served from its page cache,
// close-to-open's early reader) leave it as it is.
//
// Thread-safety: lock-free (one atomic counter).
#pragma once

#include <atomic>
#include <cstdint>

namespace ossvp::fusecore {

class ReadHistory {
 public:
  static constexpr int kStreak = 2;
  static constexpr uint64_t kLearnedFirstRound = 64ull << 20;

  // A reader of a large file that read something is done: `whole` when it
  // read at least the object's size, offset 0 among it.
  void noteReader(bool whole) {
    if (!whole) {
      streak_.store(0, std::memory_order_relaxed);
      return;
    }
    int s = streak_.load(std::memory_order_relaxed);
    while (s < kStreak && !streak_.compare_exchange_weak(s, s + 1, std::memory_order_relaxed)) {
    }
  }

  // True while the last kStreak readers read their files whole.
  bool readersReadWhole() const { return streak_.load(std::memory_order_relaxed) >= kStreak; }

 private:
  std::atomic<int> streak_{0};
};

}  // namespace ossvp::fusecore
