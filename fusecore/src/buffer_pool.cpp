#include "buffer_pool.h"

#include <bit>

namespace ossvp::fusecore {

bool BufferPool::pooled(uint64_t size) const {
  return size >= minSize_ && size <= maxSize_ && std::has_single_bit(size);
}

BufferPool::Buffer BufferPool::take(uint64_t size) {
  if (!pooled(size)) return {};
  std::lock_guard<std::mutex> lock(mu_);
  auto it = idle_.find(size);
  if (it == idle_.end() || it->second.empty()) return {};
  Buffer b = std::move(it->second.back());
  it->second.pop_back();
  idleBytes_ -= size;
  ++reused_;
  return b;
}

void BufferPool::give(PartBuffer data, Reservation mem, uint64_t size) {
  if (!data || !pooled(size) || mem.bytes() != size) return;  // freed here, outside mu_
  Buffer b{std::move(data), std::move(mem)};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (idleBytes_ + size > maxIdleBytes_) return;  // b is destroyed after the lock is released
    idle_[size].push_back(std::move(b));
    idleBytes_ += size;
  }
}

uint64_t BufferPool::reused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reused_;
}

uint64_t BufferPool::idleBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return idleBytes_;
}

uint64_t BufferPool::reclaim(uint64_t bytes, bool /*evenUnread*/) {
  std::vector<Buffer> victims;
  uint64_t freed = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = idle_.rbegin(); it != idle_.rend() && freed < bytes; ++it) {
      while (!it->second.empty() && freed < bytes) {
        victims.push_back(std::move(it->second.back()));
        it->second.pop_back();
        freed += it->first;
      }
    }
    idleBytes_ -= freed;
  }
  return freed;  // the memory is released when `victims` goes
}

}  // namespace ossvp::fusecore
