// MemoryBudget: the one global cap on every data buffer the engine holds
// (prefetched parts, cached blocks, upload parts). acquire() blocks the caller
// until the bytes fit, asking registered Reclaimers (the per-object caches) to
// drop their least useful blocks first; the process never grows past the cap.
// A Reservation is the RAII receipt: it gives the bytes back when destroyed.
//
// Thread-safety: internally synchronized. Lock order: a Reclaimer's own lock
// may be held while releasing bytes (the budget lock is a leaf), but acquire()
// must be called with no Reclaimer lock held.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace ossvp::fusecore {

class MemoryBudget;

// Something that holds budgeted memory it can give back on demand.
class Reclaimer {
 public:
  virtual ~Reclaimer() = default;
  // Frees up to about `bytes` of memory nobody is using right now, oldest
  // first; returns the bytes freed. Without `evenUnread` only data that was
  // already read once may go (prefetched, still unread data stays). Must not
  // call MemoryBudget::acquire.
  virtual uint64_t reclaim(uint64_t bytes, bool evenUnread) = 0;
};

// Bytes held against a MemoryBudget; released on destruction. Movable.
class Reservation {
 public:
  Reservation() = default;
  Reservation(MemoryBudget* budget, uint64_t bytes) : budget_(budget), bytes_(bytes) {}
  Reservation(Reservation&& o) noexcept : budget_(o.budget_), bytes_(o.bytes_) { o.bytes_ = 0; }
  Reservation& operator=(Reservation&& o) noexcept;
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  ~Reservation() { reset(); }

  uint64_t bytes() const { return bytes_; }
  void reset();

 private:
  MemoryBudget* budget_ = nullptr;
  uint64_t bytes_ = 0;
};

class MemoryBudget {
 public:
  explicit MemoryBudget(uint64_t limitBytes) : limit_(limitBytes) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Blocks until `bytes` fit under the limit (reclaiming from caches first).
  // A request larger than the whole limit is clamped to wait for an empty
  // budget, then granted, so one huge request cannot deadlock.
  Reservation acquire(uint64_t bytes);

  // Like acquire, but gives up after `timeout`; an empty Reservation
  // (bytes()==0) means it did not fit.
  Reservation acquireFor(uint64_t bytes, std::chrono::milliseconds timeout);

  // Takes the bytes only if they fit now, after (when `mayReclaim`) dropping
  // cached data that was already read; never waits for other users.
  Reservation tryAcquire(uint64_t bytes, bool mayReclaim);

  void addReclaimer(std::weak_ptr<Reclaimer> r);

  uint64_t limit() const { return limit_; }
  uint64_t used() const;
  uint64_t peakUsed() const;

 private:
  friend class Reservation;
  void release(uint64_t bytes);
  bool takeLocked(uint64_t bytes);
  uint64_t reclaimFromOthers(uint64_t want, bool evenUnread);

  const uint64_t limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  uint64_t used_ = 0;
  uint64_t peak_ = 0;
  std::vector<std::weak_ptr<Reclaimer>> reclaimers_;
  size_t nextReclaimer_ = 0;
};

}  // namespace ossvp::fusecore
