// The copier's concurrency against a simulated network, in virtual time.
// Every read's end is set by the network model when it starts, and the
// virtual clock moves to the earliest end only when every read that can be
// in flight is waiting (as many as the copier's current limit, or as many
// files as are left): what the copier decides depends on the model, not on
// how the threads happen to be scheduled, and nothing sleeps.
#include <catch2/catch.hpp>

#include <algorithm>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "ossvp/populator/copier.h"
#include "test_util.h"

using namespace ossvp;
using namespace ossvp::populator;
using namespace ossvp::populator::testutil;

namespace {

// How long a read of n bytes takes. perStream: every read is its own
// connection (first-byte latency, then a per-connection bandwidth cap), so n
// reads in flight deliver n times as much. shared: one link serves the
// reads in turn, so more in flight deliver nothing more.
struct NetworkModel {
  int64_t latencyNanos = 0;
  double streamBytesPerSec = 0;  // 0: no per-stream model
  double sharedBytesPerSec = 0;  // 0: no shared link
};

// `files` objects "f/<i>" of `fileSize` bytes (each one read), served through
// the model in virtual time; the Clock the copier is handed.
class SimulatedNetwork : public ObjectSource, public Clock {
 public:
  SimulatedNetwork(NetworkModel model, int files, size_t fileSize)
      : model_(model), files_(files), data_(fileSize, 's'), crc_(ossclient::crc64(data_)) {}

  // The copier's current limit (set before the copy starts).
  std::function<size_t()> limit;
  // Reads that start after `afterReads` successful ones fail (transiently), `count` of them.
  void failReads(int afterReads, int count) {
    failAfter_ = afterReads;
    failLeft_ = count;
  }

  Result<std::vector<SourceObject>> list(const std::string&) override {
    std::vector<SourceObject> out;
    for (int i = 0; i < files_; ++i) out.push_back(SourceObject{"f/" + std::to_string(i), data_.size(), 1, "\"e\""});
    return out;
  }
  Result<std::unique_ptr<SourceFile>> open(const SourceObject&, bool) override {
    return std::unique_ptr<SourceFile>(new File(this));
  }
  int64_t nowNanos() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void sleepNanos(int64_t) override {}

  // What the reads saw, once the copy is done: the most waiting at once, and
  // the lowest and highest limit when reads started after `from` and before
  // `to` successful ones.
  size_t mostInFlight() const { return mostInFlight_; }
  size_t lowestLimit(int from = 0, int to = INT_MAX) const {
    size_t low = SIZE_MAX;
    for (const auto& [done, limit] : seen_)
      if (done >= from && done < to) low = std::min(low, limit);
    return low;
  }
  size_t highestLimit(int from = 0, int to = INT_MAX) const {
    size_t high = 0;
    for (const auto& [done, limit] : seen_)
      if (done >= from && done < to) high = std::max(high, limit);
    return high;
  }

 private:
  class File : public SourceFile {
   public:
    explicit File(SimulatedNetwork* net) : net_(net) {}
    Result<size_t> read(uint64_t offset, char* buf, size_t len) override { return net_->read(offset, buf, len); }
    std::optional<uint64_t> serverCrc64() const override { return net_->crc_; }
    std::unique_ptr<SourceFile> clone() const override { return std::make_unique<File>(net_); }

   private:
    SimulatedNetwork* net_;
  };

  int64_t durationNanos(size_t n) const {
    return model_.latencyNanos + static_cast<int64_t>(1e9 * static_cast<double>(n) / model_.streamBytesPerSec);
  }

  // Requires mu_: every read that can be in flight now is waiting.
  bool allWaiting() {
    size_t left = static_cast<size_t>(files_ - succeeded_);
    return pending_.size() >= std::min(limit(), left);
  }

  Result<size_t> read(uint64_t offset, char* buf, size_t len) {
    size_t n = offset >= data_.size() ? 0 : std::min(len, data_.size() - static_cast<size_t>(offset));
    std::unique_lock<std::mutex> lock(mu_);
    seen_.emplace_back(succeeded_, limit());
    bool fail = failLeft_ > 0 && succeeded_ >= failAfter_;
    if (fail) --failLeft_;
    int64_t end;
    if (model_.sharedBytesPerSec > 0) {
      end = std::max(now_, linkFree_) + static_cast<int64_t>(1e9 * static_cast<double>(n) / model_.sharedBytesPerSec);
      linkFree_ = end;
    } else {
      end = now_ + durationNanos(n);
    }
    auto key = std::make_pair(end, nextId_++);
    pending_.insert(key);
    mostInFlight_ = std::max(mostInFlight_, pending_.size());
    cv_.notify_all();
    // A limit that falls wakes nobody here: look again now and then.
    while (!(*pending_.begin() == key && allWaiting())) cv_.wait_for(lock, std::chrono::milliseconds(1));
    pending_.erase(pending_.begin());
    now_ = end;
    if (fail) return Status(StatusCode::Unavailable, "simulated: SlowDown");
    ++succeeded_;
    std::memcpy(buf, data_.data() + offset, n);
    return n;
  }

  const NetworkModel model_;
  const int files_;
  const std::string data_;
  const uint64_t crc_;
  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  int64_t now_ = 1'000'000'000;  // the controller reads time zero as "not started"
  int64_t linkFree_ = 0;
  uint64_t nextId_ = 0;
  std::set<std::pair<int64_t, uint64_t>> pending_;  // (virtual end, id) of the reads waiting
  int succeeded_ = 0;
  int failAfter_ = 0;
  int failLeft_ = 0;
  size_t mostInFlight_ = 0;
  std::vector<std::pair<int, size_t>> seen_;  // (successful reads, limit) when each read started
};

CopierOptions adaptive(int initial, int min, int max) {
  CopierOptions o;
  o.adaptive = true;
  o.initialWorkers = initial;
  o.minWorkers = min;
  o.workers = max;
  o.chunkSize = 64 << 10;
  o.retryBackoffMillis = 0;
  o.journalFlushSeconds = 1e9;
  return o;
}

// Copies every file of `net` into `target` with `options`; the copy's stats.
CopyStats copyThrough(SimulatedNetwork& net, const std::string& target, CopierOptions options) {
  auto tree = TargetTree::open(target);
  REQUIRE(tree.isOk());
  auto journal = ResumeJournal::open(**tree);
  REQUIRE(journal.isOk());
  ProgressTracker progress;
  std::filesystem::create_directories(target + "/f");
  auto listed = net.list("");
  REQUIRE(listed.isOk());
  std::vector<MappedEntry> entries;
  for (const auto& o : *listed) entries.push_back(MappedEntry{o, {"f", o.key.substr(2)}, false});
  std::vector<const MappedEntry*> files;
  for (const auto& e : entries) files.push_back(&e);
  CopierDeps deps{&net, tree->get(), journal->get(), &progress};
  deps.clock = &net;
  Copier copier(deps, options);
  net.limit = [&copier] { return copier.concurrencyLimit(); };
  auto failure = copier.run(files);
  INFO((failure ? failure->message : std::string()));
  REQUIRE_FALSE(failure);
  CHECK(copier.stats().filesCopied == files.size());
  return copier.stats();
}

// 10 ms first byte, 25 MB/s per connection: the cloud shape, where more
// reads in flight deliver proportionally more.
constexpr NetworkModel kLatencyBound{10'000'000, 25e6, 0};
// One 100 MB/s link served in turn: loopback or a saturated host.
constexpr NetworkModel kSaturated{0, 0, 100e6};

}  // namespace

TEST_CASE("a latency-bound source makes the copy's concurrency grow to the ceiling", "[unit][concurrency]") {
  TempDir dir;
  SimulatedNetwork net(kLatencyBound, 300, 4096);
  CopyStats s = copyThrough(net, dir.path(), adaptive(4, 2, 32));
  CHECK(s.adaptive);
  CHECK(s.concurrencySettled == 32);
  CHECK(s.concurrencyPeak == 32);
  CHECK(net.mostInFlight() == 32);
  CHECK(net.lowestLimit() == 4);  // it started where it was told to
}

TEST_CASE("a source whose throughput does not grow with concurrency keeps it at the start", "[unit][concurrency]") {
  TempDir dir;
  SimulatedNetwork net(kSaturated, 300, 4096);
  CopyStats s = copyThrough(net, dir.path(), adaptive(4, 2, 32));
  CHECK(s.concurrencySettled <= 4);
  CHECK(s.concurrencyPeak <= 8);  // one probe at twice the start, which did not pay
  // 32 workers exist; the limit let at most the peak of them read at once.
  CHECK(net.mostInFlight() <= s.concurrencyPeak);
}

TEST_CASE("transient read errors cut the copy's concurrency", "[unit][concurrency]") {
  TempDir dir;
  SimulatedNetwork net(kLatencyBound, 300, 4096);
  net.failReads(100, 3);  // by then the limit is at the ceiling
  CopyStats s = copyThrough(net, dir.path(), adaptive(16, 2, 32));
  CHECK(net.highestLimit(0, 100) == 32);
  CHECK(s.concurrencyBackoffs == 3);
  CHECK(s.readRetries == 3);
  // 32 x 0.7 x 0.7 x 0.7: each error cuts by 30%.
  CHECK(net.lowestLimit(100) == 10);
}

TEST_CASE("a fixed concurrency does not adapt", "[unit][concurrency]") {
  TempDir dir;
  SimulatedNetwork net(kLatencyBound, 200, 4096);
  net.failReads(50, 2);
  CopierOptions o = adaptive(4, 2, 6);
  o.adaptive = false;
  CopyStats s = copyThrough(net, dir.path(), o);
  CHECK_FALSE(s.adaptive);
  CHECK(s.concurrencySettled == 6);
  CHECK(s.concurrencyPeak == 6);
  CHECK(s.concurrencyBackoffs == 0);
  CHECK(net.lowestLimit() == 6);
  CHECK(net.mostInFlight() == 6);
}
