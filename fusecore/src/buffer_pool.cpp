#include "buffer_pool.h"

namespace ossvp::fusecore {

BufferPool::Buffer BufferPool::take(uint64_t size) {
  if (size != bufferSize_) return {};
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.empty()) return {};
  Buffer b = std::move(idle_.back());
  idle_.pop_back();
  ++reused_;
  return b;
}

void BufferPool::give(std::unique_ptr<char[]> data, Reservation mem, uint64_t size) {
  if (!data || size != bufferSize_ || mem.bytes() != size) return;  // freed here, outside mu_
  Buffer b{std::move(data), std::move(mem)};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() >= maxIdle_) return;  // b is destroyed after the lock is released
    idle_.push_back(std::move(b));
  }
}

uint64_t BufferPool::reused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reused_;
}

size_t BufferPool::idle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return idle_.size();
}

uint64_t BufferPool::reclaim(uint64_t bytes, bool /*evenUnread*/) {
  std::vector<Buffer> victims;
  {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t freed = 0;
    while (!idle_.empty() && freed < bytes) {
      victims.push_back(std::move(idle_.back()));
      idle_.pop_back();
      freed += bufferSize_;
    }
  }
  return victims.size() * bufferSize_;  // released when `victims` goes
}

}  // namespace ossvp::fusecore
