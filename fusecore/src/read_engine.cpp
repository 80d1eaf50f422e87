#include "ossvp/fusecore/read_engine.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "ossvp/common/log.h"

#include "engine_core.h"
#include "object_cache.h"
#include "ossvp/fusecore/access_pattern.h"

namespace ossvp::fusecore {
namespace {

// A stream's window is cut into parts small enough that twice the requests
// the engine may keep in flight (`limit`) fit in it: against a per-connection
// bandwidth cap, throughput is the number of GETs in flight times one
// connection's rate, and a window of few large parts caps it however many
// requests are allowed (512 MiB in 8 MiB parts is 64 GETs). Twice, so that
// the concurrency controller, which measures one generation of `limit`
// completions per step, sees a step within half a window's transfer. The
// part is the largest power of two not above window / (2 * limit), between
// kMinPrefetchPart and the engine's part size; where one connection carries
// the whole link (loopback), the limit stays low and the parts large.
uint64_t prefetchPartSize(const EngineOptions& o, uint64_t window, size_t limit) {
  uint64_t fit = window / (2 * std::max<size_t>(limit, 1));
  uint64_t part = kMinPrefetchPart;
  while (part * 2 <= fit && part * 2 <= o.partSize) part *= 2;
  return std::min(part, o.partSize);
}

}  // namespace

std::shared_ptr<ObjectCache> EngineCore::cacheFor(const std::string& bucket, const ossclient::ObjectMeta& meta) {
  std::string id = bucket;
  id.push_back('\0');
  id += meta.key;
  id.push_back('\0');
  id += meta.etag;
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = caches_[id];
  if (auto live = slot.lock()) return live;
  auto cache = std::make_shared<ObjectCache>(shared_from_this(), bucket, meta);
  budget.addReclaimer(cache);
  slot = cache;
  if (caches_.size() > 4096) {
    std::erase_if(caches_, [](const auto& kv) { return kv.second.expired(); });
  }
  return cache;
}

BufferPool::Buffer EngineCore::takeServedBuffer(uint64_t len, const ObjectCache* except) {
  if (!pool->pooled(len)) return {};  // only pooled sizes are worth the walk
  std::vector<std::shared_ptr<ObjectCache>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    live.reserve(caches_.size());
    for (auto& [id, weak] : caches_) {
      auto c = weak.lock();
      if (c && c.get() != except) live.push_back(std::move(c));
    }
  }
  for (auto& c : live) {
    BufferPool::Buffer b = c->takeServedBuffer(len);
    if (b.data) return b;
  }
  return {};
}

namespace {

// The largest read-ahead window of one stream: the option, within half the budget.
uint64_t streamMaxWindow(const EngineOptions& o) {
  return std::max(o.initialWindow, std::min(o.maxWindow, o.memoryBudget / 2));
}

// The bytes of a sequential read from 0 that its first round of GETs asks
// for: with default windows, the first reads wait, and a waiting stream
// doubles its window at once (AccessPatternDetector), so the kernel's first
// two 1 MiB reads ask for about 4 initial windows before any byte has
// arrived; while the engine's readers read their files whole
// (ReadHistory), up to kLearnedFirstRound.
uint64_t firstRoundBytes(const EngineOptions& o, uint64_t size, bool learned) {
  uint64_t bytes = learned ? std::min(ReadHistory::kLearnedFirstRound, streamMaxWindow(o))
                           : 4 * std::max(kMinPrefetchPart, o.initialWindow);
  return std::min(size, bytes);
}

}  // namespace

struct FileReader::State {
  State(const EngineOptions& o, uint64_t size, bool learned)
      : options(o),
        firstRound(firstRoundBytes(o, size, learned)),
        detector(PatternOptions{.initialWindow = learned ? std::max(o.initialWindow, firstRound) : o.initialWindow,
                                .maxWindow = streamMaxWindow(o),
                                .forwardTolerance = std::max<uint64_t>(2ull << 20, o.partSize / 4),
                                .backwardTolerance = 1ull << 20,
                                .randomAlign = o.randomAlign,
                                .maxStreams = o.streamsPerReader,
                                .maxStrideSlices = 64},
                 size) {}
  const EngineOptions options;
  const uint64_t firstRound;
  std::mutex mu;
  AccessPatternDetector detector;  // guarded by mu
  // For ReadHistory: bytes returned so far, and whether one read began at 0
  // (the kernel's concurrent readahead completes reads in any order).
  std::atomic<uint64_t> bytesRead{0};
  std::atomic<bool> readAtZero{false};
};

FileReader::FileReader(std::shared_ptr<ObjectCache> cache, ossclient::ObjectMeta meta, const EngineOptions& options)
    : cache_(std::move(cache)),
      meta_(std::move(meta)),
      state_(std::make_unique<State>(options, meta_.size, cache_->readHistory().readersReadWhole())) {
  cache_->addReader();
}

FileReader::~FileReader() {
  const uint64_t read = state_->bytesRead.load();
  if (meta_.size > state_->options.smallObjectThreshold && read > 0) {
    cache_->readHistory().noteReader(state_->readAtZero.load() && read >= meta_.size);
  }
  cache_->removeReader();
}

void FileReader::noteRead(uint64_t offset, uint64_t n) {
  if (offset == 0) state_->readAtZero.store(true);
  state_->bytesRead += n;
}

void FileReader::startFetches(uint64_t offset, uint64_t n) {
  const EngineOptions& o = state_->options;
  if (meta_.size <= o.smallObjectThreshold) {
    cache_->fetchDemand(ByteRange{0, meta_.size});  // whole object, once
    return;
  }
  bool missed = !cache_->covered(ByteRange{offset, n});
  bool starved = !missed && !cache_->ready(ByteRange{offset, n});
  ReadPlan plan;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    plan = state_->detector.onRead(offset, n, missed, starved);
  }
  if (missed) cache_->fetchDemand(plan.demand);
  // This stream's share of the read-ahead: its window, or less while other
  // large files are open (the detector's window may be ahead of it).
  const uint64_t share = cache_->streamWindowShare();
  const uint64_t window = std::min(plan.window, share);
  const uint64_t end = offset + n + share;
  uint64_t part = prefetchPartSize(o, window, cache_->prefetchLimit());
  for (ByteRange r : plan.prefetch) {
    uint64_t reached = r.offset;
    if (r.offset < end) reached = cache_->prefetch(ByteRange{r.offset, std::min(r.end(), end) - r.offset}, part);
    if (reached < r.end()) {
      std::lock_guard<std::mutex> lock(state_->mu);
      state_->detector.notePrefetched(plan.stream, reached);
      break;
    }
  }
}

void FileReader::prefetchStart() {
  const EngineOptions& o = state_->options;
  if (meta_.size <= o.smallObjectThreshold) return;
  // Within this stream's share of the read-ahead, as any prefetch: many
  // files opened at once must not fill the budget with their first rounds.
  const uint64_t round = std::min(state_->firstRound, cache_->streamWindowShare());
  (void)cache_->prefetch(ByteRange{0, round}, prefetchPartSize(o, round, cache_->prefetchLimit()));
}

Result<size_t> FileReader::read(uint64_t offset, char* buf, size_t len) {
  const uint64_t size = meta_.size;
  if (offset >= size || len == 0) return size_t{0};
  const uint64_t n = std::min<uint64_t>(len, size - offset);
  startFetches(offset, n);
  Result<size_t> r = cache_->copyOut(offset, buf, n, state_->options.randomAlign);
  if (r.isOk()) noteRead(offset, *r);
  return r;
}

Status FileReader::readPinned(uint64_t offset, size_t len, PinnedBytes* out) {
  *out = PinnedBytes{};
  const uint64_t size = meta_.size;
  if (offset >= size || len == 0) return Status::ok();
  const uint64_t n = std::min<uint64_t>(len, size - offset);
  startFetches(offset, n);
  auto r = cache_->pinOut(offset, n, state_->options.randomAlign, out);
  if (!r.isOk()) {
    *out = PinnedBytes{};
    return r.status();
  }
  out->size = *r;
  noteRead(offset, *r);
  return Status::ok();
}

ReadEngine::ReadEngine(std::shared_ptr<ossclient::ObjectClient> client, EngineOptions options)
    : core_(std::make_shared<EngineCore>(std::move(client), options)) {}

ReadEngine::~ReadEngine() {
  // Readers are gone (the contract), so their GETs were cancelled; wait until
  // every callback object is destroyed so this thread drops the client last.
  for (int i = 0; core_->pendingCallbacks.load() > 0; ++i) {
    if (i == 30000) logWarn("fusecore: still waiting for {} GET callbacks at shutdown", core_->pendingCallbacks.load());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::unique_ptr<FileReader> ReadEngine::open(const std::string& bucket, const ossclient::ObjectMeta& meta) {
  return std::unique_ptr<FileReader>(new FileReader(core_->cacheFor(bucket, meta), meta, core_->options));
}

MemoryBudget& ReadEngine::budget() { return core_->budget; }
BufferPool& ReadEngine::bufferPool() { return *core_->pool; }
const EngineOptions& ReadEngine::options() const { return core_->options; }

EngineStats ReadEngine::stats() const {
  EngineStats s;
  s.getRequests = core_->getRequests.load();
  s.bytesFetched = core_->bytesFetched.load();
  s.bytesServed = core_->bytesServed.load();
  s.prefetchRequests = core_->prefetchRequests.load();
  s.retries = core_->retries.load();
  s.memoryPeak = core_->budget.peakUsed();
  s.pooledBytes = core_->pool->idleBytes();
  s.buffersReused = core_->pool->reused() + core_->buffersTakenOver.load();
  s.inflightLimit = core_->concurrency.limit();
  s.concurrencyGrowths = core_->concurrency.growths();
  s.concurrencyBackoffs = core_->concurrency.backoffs();
  return s;
}

}  // namespace ossvp::fusecore
