#include "ossvp/fusecore/part_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <new>
#include <unordered_set>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define OSSVP_PART_BUFFER_HEAP_ONLY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OSSVP_PART_BUFFER_HEAP_ONLY 1
#endif
#endif

namespace ossvp::fusecore {
namespace {

constexpr size_t kHuge = size_t{2} << 20;  // a transparent huge page on x86-64 and arm64 (4 KiB base pages)
constexpr size_t kHalf = kHuge / 2;

enum class Source { kHeap, kMapping, kHalf };

std::atomic<bool> hugePagesAdvised{true};

Source sourceFor(size_t len) {
#if defined(OSSVP_PART_BUFFER_HEAP_ONLY)
  (void)len;
  return Source::kHeap;
#else
  if (len == kHalf) return Source::kHalf;
  if (len > 0 && len % kHuge == 0) return Source::kMapping;
  return Source::kHeap;
#endif
}

// Maps the whole pages inside [p, p+len) for writing.
void populate(char* p, size_t len) {
  static const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t at = reinterpret_cast<uintptr_t>(p);
  const uintptr_t first = (at + page - 1) & ~(page - 1);
  const uintptr_t end = (at + len) & ~(page - 1);
  if (end > first) (void)::madvise(reinterpret_cast<void*>(first), end - first, MADV_POPULATE_WRITE);
}

// A private anonymous mapping of `len` (a multiple of kHuge) bytes starting on
// a kHuge boundary, advised for huge pages and populated.
char* mapHugeAligned(size_t len) {
  const size_t span = len + kHuge;
  void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  char* base = static_cast<char*>(raw);
  char* start = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(base) + kHuge - 1) & ~(kHuge - 1));
  if (start > base) ::munmap(base, static_cast<size_t>(start - base));
  char* end = start + len;
  if (end < base + span) ::munmap(end, static_cast<size_t>(base + span - end));
  if (hugePagesAdvised.load(std::memory_order_relaxed)) (void)::madvise(start, len, MADV_HUGEPAGE);
  populate(start, len);
  return start;
}

// The free 1 MiB halves of huge-page mappings whose other half is in use.
class HalfPages {
 public:
  char* take() {
    char* reused = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!resident_.empty()) {
        char* p = resident_.back();
        resident_.pop_back();
        return p;
      }
      if (!dropped_.empty()) {
        reused = *dropped_.begin();
        dropped_.erase(dropped_.begin());
      }
    }
    if (reused != nullptr) {
      populate(reused, kHalf);  // its pages were given back
      return reused;
    }
    char* chunk = mapHugeAligned(kHuge);
    give(chunk + kHalf);  // the other half waits for the next request
    return chunk;
  }

  void give(char* p) {
    char* chunk = reinterpret_cast<char*>(reinterpret_cast<uintptr_t>(p) & ~(kHuge - 1));
    char* sibling = p == chunk ? chunk + kHalf : chunk;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!removeFree(sibling)) {
        if (resident_.size() < kMaxIdleHalves) {
          resident_.push_back(p);
        } else {
          // Under the lock, so nobody can take it before its pages are gone.
          (void)::madvise(p, kHalf, MADV_DONTNEED);
          dropped_.insert(p);
        }
        return;
      }
    }
    ::munmap(chunk, kHuge);  // both halves free
  }

 private:
  bool removeFree(char* p) {
    auto it = std::find(resident_.begin(), resident_.end(), p);
    if (it != resident_.end()) {
      resident_.erase(it);
      return true;
    }
    return dropped_.erase(p) > 0;
  }

  std::mutex mu_;
  std::vector<char*> resident_;        // at most kMaxIdleHalves
  std::unordered_set<char*> dropped_;  // free, pages given back
};

HalfPages& halfPages() {
  static auto* pages = new HalfPages();  // never destroyed: buffers may be freed during exit
  return *pages;
}

}  // namespace

void PartBufferDeleter::operator()(char* p) const noexcept {
  switch (sourceFor(len_)) {
    case Source::kHalf: halfPages().give(p); break;
    case Source::kMapping: ::munmap(p, len_); break;
    case Source::kHeap: delete[] p; break;
  }
}

void setPartBufferHugePages(bool on) { hugePagesAdvised.store(on, std::memory_order_relaxed); }

PartBuffer allocatePartBuffer(size_t len) {
  switch (sourceFor(len)) {
    case Source::kHalf: return PartBuffer(halfPages().take(), PartBufferDeleter(len));
    case Source::kMapping: return PartBuffer(mapHugeAligned(len), PartBufferDeleter(len));
    case Source::kHeap: break;
  }
  PartBuffer buf(new char[len], PartBufferDeleter(len));
  populate(buf.get(), len);
  return buf;
}

}  // namespace ossvp::fusecore
