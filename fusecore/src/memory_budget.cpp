#include "ossvp/fusecore/memory_budget.h"

#include <algorithm>

namespace ossvp::fusecore {

Reservation& Reservation::operator=(Reservation&& o) noexcept {
  if (this != &o) {
    reset();
    budget_ = o.budget_;
    bytes_ = o.bytes_;
    o.bytes_ = 0;
  }
  return *this;
}

void Reservation::reset() {
  if (budget_ != nullptr && bytes_ > 0) budget_->release(bytes_);
  bytes_ = 0;
}

bool MemoryBudget::takeLocked(uint64_t bytes) {
  // A request bigger than the whole budget is granted only when nothing else is held.
  bool fits = used_ + bytes <= limit_ || (used_ == 0 && bytes > limit_);
  if (!fits) return false;
  used_ += bytes;
  peak_ = std::max(peak_, used_);
  return true;
}

void MemoryBudget::release(uint64_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    used_ -= std::min(used_, bytes);
  }
  cv_.notify_all();
}

uint64_t MemoryBudget::reclaimFromOthers(uint64_t want, bool evenUnread) {
  std::vector<std::shared_ptr<Reclaimer>> live;
  size_t start = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& rs = reclaimers_;
    rs.erase(std::remove_if(rs.begin(), rs.end(), [](auto& w) { return w.expired(); }), rs.end());
    for (auto& w : rs) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
    if (!live.empty()) start = nextReclaimer_++ % live.size();
  }
  uint64_t freed = 0;
  // Round-robin so one object's cache is not always the victim.
  for (size_t i = 0; i < live.size() && freed < want; ++i) {
    freed += live[(start + i) % live.size()]->reclaim(want - freed, evenUnread);
  }
  return freed;
}

Reservation MemoryBudget::acquireFor(uint64_t bytes, std::chrono::milliseconds timeout) {
  if (bytes == 0) return {};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (takeLocked(bytes)) return Reservation(this, bytes);
    // How much must go before this request fits (all of it for an oversized one).
    uint64_t missing = bytes > limit_ ? used_ : used_ + bytes - limit_;
    lock.unlock();
    // Already-read data goes first; unread prefetch only when that is not enough.
    uint64_t freed = reclaimFromOthers(missing, false);
    if (freed < missing) freed += reclaimFromOthers(missing - freed, true);
    lock.lock();
    if (takeLocked(bytes)) return Reservation(this, bytes);
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return {};
    // Nothing reclaimable: wait for a release, bounded so that data which
    // became reclaimable without a release (a reader moved on) is noticed.
    if (freed == 0) cv_.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(20)));
  }
}

Reservation MemoryBudget::acquire(uint64_t bytes) {
  for (;;) {
    Reservation r = acquireFor(bytes, std::chrono::hours(24));
    if (r.bytes() > 0 || bytes == 0) return r;
  }
}

Reservation MemoryBudget::tryAcquire(uint64_t bytes, bool mayReclaim) {
  if (bytes == 0) return {};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (used_ + bytes <= limit_ && takeLocked(bytes)) return Reservation(this, bytes);
  }
  if (!mayReclaim) return {};
  uint64_t missing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    missing = used_ + bytes > limit_ ? used_ + bytes - limit_ : 0;
  }
  reclaimFromOthers(missing, false);
  std::lock_guard<std::mutex> lock(mu_);
  if (used_ + bytes <= limit_ && takeLocked(bytes)) return Reservation(this, bytes);
  return {};
}

void MemoryBudget::addReclaimer(std::weak_ptr<Reclaimer> r) {
  std::lock_guard<std::mutex> lock(mu_);
  reclaimers_.push_back(std::move(r));
}

uint64_t MemoryBudget::used() const {
  std::lock_guard<std::mutex> lock(mu_);
  return used_;
}

uint64_t MemoryBudget::peakUsed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peak_;
}

}  // namespace ossvp::fusecore
