// EngineCore: the state every ObjectCache of one ReadEngine shares: the
// client, the memory budget, options, counters and the registry that maps an
// object version to its (single) live cache.
//
// Thread-safety: internally synchronized; counters are atomics.
#pragma once

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "buffer_pool.h"
#include "ossvp/fusecore/concurrency_controller.h"
#include "ossvp/fusecore/engine_options.h"
#include "ossvp/fusecore/memory_budget.h"
#include "ossvp/ossclient/object_client.h"
#include "read_history.h"

namespace ossvp::fusecore {

class ObjectCache;

// The smallest prefetch part: below it, a GET's fixed costs dominate.
inline constexpr uint64_t kMinPrefetchPart = 1ull << 20;

class EngineCore : public std::enable_shared_from_this<EngineCore> {
 public:
  EngineCore(std::shared_ptr<ossclient::ObjectClient> client, EngineOptions options)
      : client(std::move(client)),
        options(options),
        budget(options.memoryBudget),
        pool(std::make_shared<BufferPool>(
            std::min<uint64_t>(kMinPrefetchPart, options.partSize), options.partSize,
            std::min<uint64_t>(options.maxInflight * options.partSize, options.memoryBudget / 4))),
        concurrency(ConcurrencyOptions{.initial = std::min(options.initialInflight, options.maxInflight),
                                       .min = std::min<size_t>(4, options.maxInflight),
                                       .max = options.maxInflight,
                                       .skipFirst = std::min(options.initialInflight, options.maxInflight)}) {
    budget.addReclaimer(pool);
  }

  // The most one stream may hold ahead of its reader now: half the budget
  // split over the open large-file readers (at least the initial window).
  // Several streams together hold no more than one alone, so they never
  // fill the budget with read-ahead and wait on each other's memory; one
  // stream alone gets up to maxWindow.
  uint64_t streamWindowShare() const {
    uint64_t readers = std::max<uint64_t>(1, largeReaders.load(std::memory_order_relaxed));
    return std::max(options.initialWindow, budget.limit() / (2 * readers));
  }

  // The cache for (bucket, key, etag), created on first use.
  std::shared_ptr<ObjectCache> cacheFor(const std::string& bucket, const ossclient::ObjectMeta& meta);

  // A fully-read part buffer of `len` bytes taken over from any live cache
  // but `except` (see ObjectCache::takeServedBuffer); empty when none has one.
  BufferPool::Buffer takeServedBuffer(uint64_t len, const ObjectCache* except);

  const std::shared_ptr<ossclient::ObjectClient> client;
  const EngineOptions options;
  MemoryBudget budget;
  // Idle part buffers (declared after budget: they hold Reservations on it).
  const std::shared_ptr<BufferPool> pool;
  // Prefetch GETs allowed in flight, adapted to the network.
  ConcurrencyController concurrency;
  // Whether recent readers read their files whole (sizes a first round).
  ReadHistory history;

  std::atomic<uint64_t> getRequests{0};
  std::atomic<uint64_t> bytesFetched{0};
  std::atomic<uint64_t> bytesServed{0};
  std::atomic<uint64_t> prefetchRequests{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> buffersTakenOver{0};  // fully-read parts' buffers reused directly
  std::atomic<uint64_t> inflight{0};
  // Open readers of objects above the small-object threshold: the streams
  // that share the budget's read-ahead (see streamWindowShare()).
  std::atomic<uint64_t> largeReaders{0};
  // Client callbacks not yet destroyed. ~ReadEngine waits for zero, so the
  // last reference to the client is never dropped on the client's own thread.
  std::atomic<uint64_t> pendingCallbacks{0};
  std::atomic<uint64_t> tick{0};  // logical clock for LRU

 private:
  std::mutex mu_;
  std::map<std::string, std::weak_ptr<ObjectCache>> caches_;  // guarded by mu_
};

}  // namespace ossvp::fusecore
