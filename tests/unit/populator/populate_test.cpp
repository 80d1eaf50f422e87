#include <catch2/catch.hpp>

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "ossvp/populator/copier.h"
#include "ossvp/populator/populator.h"
#include "test_util.h"

using namespace ossvp;
using namespace ossvp::populator;
using namespace ossvp::populator::testutil;

namespace {

PopulatorConfig configFor(const std::string& target, const std::string& path = "/data/") {
  PopulatorConfig c;
  c.endpoint = "oss-cn-hangzhou.aliyuncs.com";
  c.region = "cn-hangzhou";
  c.bucket = "b";
  c.path = path;
  c.target = target;
  c.concurrency = 4;  // fixed, as --concurrency 4
  c.concurrencyFixed = true;
  return c;
}

std::string randomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& ch : s) ch = static_cast<char>(rng());
  return s;
}

void seedTree(MemorySource& src) {
  src.put("data/a.txt", "hello", 1600000001);
  src.put("data/empty", "", 1600000002);
  src.put("data/dir/", "", 1600000003);
  src.put("data/sub/deep/b.bin", randomBytes(300000, 1), 1600000004);
  src.put("data/中文/ключ.txt", "unicode", 1600000005);
  src.put("data/../escape", "bad", 1600000006);
  src.put("outside", "not copied", 1600000007);
}

// Copies every object of `src` into `target` (keys are relative paths) with
// a Copier of 4 workers and 64-128 KiB segments read in 16 KiB chunks, in
// listing order. The failure, if any.
std::optional<Failure> copyInSegments(MemorySource& src, const std::string& target, ProgressTracker* progress) {
  auto tree = TargetTree::open(target);
  REQUIRE(tree.isOk());
  auto journal = ResumeJournal::open(**tree);
  REQUIRE(journal.isOk());
  CopierOptions opts;
  opts.workers = 4;  // segment share 0.25: one worker on queued segments while files wait
  opts.chunkSize = 16 << 10;
  opts.minSegment = 64 << 10;
  opts.maxSegment = 128 << 10;
  Copier copier(CopierDeps{&src, tree->get(), journal->get(), progress}, opts);
  auto listed = src.list("");
  REQUIRE(listed.isOk());
  std::vector<MappedEntry> entries;
  for (const auto& o : *listed) {
    std::vector<std::string> components;
    for (size_t start = 0;;) {
      size_t slash = o.key.find('/', start);
      components.push_back(o.key.substr(start, slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    entries.push_back(MappedEntry{o, components, false});
  }
  std::vector<const MappedEntry*> files;
  for (const auto& e : entries) files.push_back(&e);
  return copier.run(files);
}

}  // namespace

TEST_CASE("a tree is copied byte-identically with mtimes, empty files and directories", "[unit]") {
  TempDir dir;
  MemorySource src;
  seedTree(src);
  ProgressTracker progress;
  RunSummary s = populate(configFor(dir.path()), src, progress, nullptr);
  INFO(s.toJson());
  REQUIRE_FALSE(s.failure);
  CHECK(readFile(dir.path() + "/a.txt") == "hello");
  CHECK(mtimeOf(dir.path() + "/a.txt") == 1600000001);
  CHECK(std::filesystem::file_size(dir.path() + "/empty") == 0);
  CHECK(mtimeOf(dir.path() + "/empty") == 1600000002);
  CHECK(std::filesystem::is_directory(dir.path() + "/dir"));
  CHECK(mtimeOf(dir.path() + "/dir") == 1600000003);
  CHECK(readFile(dir.path() + "/sub/deep/b.bin") == randomBytes(300000, 1));
  CHECK(readFile(dir.path() + "/中文/ключ.txt") == "unicode");
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/../escape"));
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/outside"));
  REQUIRE(s.rejected.size() == 1);
  CHECK(s.rejected[0].key == "data/../escape");
  CHECK(s.objectsCopied == 4);
  CHECK(s.objectsTotal == 5);
  CHECK(s.bytesTotal == 5 + 300000 + 7);
  auto snap = progress.snapshot(1);
  CHECK(snap.phase == "done");
  CHECK(snap.bytesDone == snap.bytesTotal);
  CHECK(snap.objectsDone == snap.objectsTotal);
  // The volume holds the bucket's tree and the completion marker, nothing else.
  const std::set<std::string> populated = {"a.txt",
                                           "empty",
                                           "dir",
                                           "sub",
                                           "sub/deep",
                                           "sub/deep/b.bin",
                                           "中文",
                                           "中文/ключ.txt",
                                           ".ossvp-populator",
                                           ".ossvp-populator/complete"};
  CHECK(entriesUnder(dir.path()) == populated);
  // So does it after a re-run (the no-op), which locks the target again and
  // deletes a journal left by a run stopped right after writing the marker.
  writeFile(dir.path() + "/.ossvp-populator/journal", "{}\n");
  ProgressTracker again;
  REQUIRE(populate(configFor(dir.path()), src, again, nullptr).alreadyComplete);
  CHECK(entriesUnder(dir.path()) == populated);
}

TEST_CASE("a finished volume makes a re-run a no-op, another source is refused", "[unit]") {
  TempDir dir;
  MemorySource src;
  seedTree(src);
  ProgressTracker p1;
  REQUIRE_FALSE(populate(configFor(dir.path()), src, p1, nullptr).failure);
  int readsBefore = src.reads.load();
  src.listError = Status(StatusCode::Unavailable, "must not list");
  ProgressTracker p2;
  RunSummary again = populate(configFor(dir.path()), src, p2, nullptr);
  CHECK_FALSE(again.failure);
  CHECK(again.alreadyComplete);
  CHECK(src.reads.load() == readsBefore);
  CHECK(p2.snapshot(1).bytesDone == again.bytesTotal);

  ProgressTracker p3;
  RunSummary other = populate(configFor(dir.path(), "/elsewhere/"), src, p3, nullptr);
  REQUIRE(other.failure);
  CHECK(other.failure->code == ExitCode::BadConfig);
}

TEST_CASE("a second populator on a locked target fails at once and changes nothing", "[unit]") {
  // The first run's first read waits until the second run has returned (or
  // 10 s): if the second waited for the lock, or emptied the first one's
  // temp files, the first would time out or fail to rename its file.
  TempDir dir;
  MemorySource first, second;
  for (auto* src : {&first, &second}) {
    for (int i = 0; i < 8; ++i) src->put("data/f" + std::to_string(i), randomBytes(2000 + i, i), 1600000000 + i);
  }
  std::mutex mu;
  std::condition_variable cv;
  bool firstReading = false, secondDone = false, gateTimedOut = false;
  first.onRead = [&](const std::string&) {
    std::unique_lock<std::mutex> lock(mu);
    firstReading = true;
    cv.notify_all();
    if (!secondDone && !cv.wait_for(lock, std::chrono::seconds(10), [&] { return secondDone; })) gateTimedOut = true;
  };
  RunSummary one;
  std::thread runner([&] {
    ProgressTracker p;
    one = populate(configFor(dir.path()), first, p, nullptr);
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return firstReading; }));
  }
  ProgressTracker p2;
  RunSummary two = populate(configFor(dir.path()), second, p2, nullptr);
  {
    std::lock_guard<std::mutex> lock(mu);
    secondDone = true;
    cv.notify_all();
  }
  runner.join();

  REQUIRE(two.failure);
  CHECK(two.failure->code == ExitCode::TargetBusy);
  CHECK(two.failure->reason == "TargetBusy");
  CHECK(isRetryable(two.failure->code));
  const std::string& m = two.failure->message;
  CHECK(m.find("target '" + dir.path() + "' is being populated by another ossvp-populator") != std::string::npos);
  CHECK(m.find("pid " + std::to_string(::getpid())) != std::string::npos);
  CHECK(m.find(dir.path() + "/.ossvp-populator/lock") != std::string::npos);
  CHECK(m.find("wait for the other one to finish") != std::string::npos);
  CHECK(second.reads.load() == 0);
  CHECK(p2.snapshot(1).phase == "failed");

  CHECK_FALSE(gateTimedOut);
  INFO(one.toJson());
  REQUIRE_FALSE(one.failure);
  CHECK(one.objectsCopied == 8);
  for (int i = 0; i < 8; ++i) CHECK(readFile(dir.path() + "/f" + std::to_string(i)) == randomBytes(2000 + i, i));
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/.ossvp-populator/lock"));
}

// Sets a cancel flag when the (n+1)th object is opened: a run killed mid-way.
class CancelAfter : public ObjectSource {
 public:
  CancelAfter(ObjectSource* inner, int n, std::atomic<bool>* flag) : inner_(inner), n_(n), flag_(flag) {}
  Result<std::vector<SourceObject>> list(const std::string& p) override { return inner_->list(p); }
  Result<std::unique_ptr<SourceFile>> open(const SourceObject& o, bool fresh) override {
    if (opens_++ >= n_) flag_->store(true);
    return inner_->open(o, fresh);
  }

 private:
  ObjectSource* inner_;
  int n_;
  std::atomic<bool>* flag_;
  int opens_ = 0;
};

TEST_CASE("an interrupted run resumes, skipping verified files and redoing touched ones", "[unit]") {
  TempDir dir;
  MemorySource src;
  for (int i = 0; i < 20; ++i) src.put("data/f" + std::to_string(i), randomBytes(1000 + i, i), 1600000000 + i);
  PopulatorConfig c = configFor(dir.path());
  c.concurrency = 1;
  std::atomic<bool> cancel{false};
  CancelAfter killer(&src, 5, &cancel);
  ProgressTracker p1;
  RunSummary first = populate(c, killer, p1, &cancel);
  REQUIRE(first.failure);
  CHECK(first.failure->code == ExitCode::Cancelled);
  CHECK(first.objectsCopied == 5);
  // What resume needs stays; the lock and temp files do not.
  CHECK(entriesUnder(dir.path() + "/.ossvp-populator") == std::set<std::string>{"journal"});
  // Largest first: f19..f15 are in. Damage one of them on the volume.
  writeFile(dir.path() + "/f18", std::string(1018, 'z'));

  ProgressTracker p2;
  RunSummary s = populate(c, src, p2, nullptr);
  INFO(s.toJson());
  REQUIRE_FALSE(s.failure);
  CHECK(s.objectsSkipped == 4);
  CHECK(s.objectsCopied == 16);
  for (int i = 0; i < 20; ++i) {
    CHECK(readFile(dir.path() + "/f" + std::to_string(i)) == randomBytes(1000 + i, i));
  }
  CHECK(p2.snapshot(1).objectsDone == 20);
}

TEST_CASE("a CRC64 mismatch is retried, then fails naming the key", "[unit]") {
  TempDir dir;
  MemorySource src;
  src.put("data/x", randomBytes(5000, 9), 1600000000);
  src.corruptReads = 1;
  ProgressTracker p;
  RunSummary ok = populate(configFor(dir.path()), src, p, nullptr);
  REQUIRE_FALSE(ok.failure);
  CHECK(src.freshOpens.load() == 1);
  CHECK(readFile(dir.path() + "/x") == randomBytes(5000, 9));

  TempDir dir2;
  src.corruptReads = 100;
  PopulatorConfig c = configFor(dir2.path());
  c.integrityAttempts = 2;
  ProgressTracker p2;
  RunSummary bad = populate(c, src, p2, nullptr);
  REQUIRE(bad.failure);
  CHECK(bad.failure->code == ExitCode::Integrity);
  CHECK(bad.failure->message.find("'data/x'") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir2.path() + "/x"));  // never renamed into place
}

TEST_CASE("transient read errors are retried", "[unit]") {
  TempDir dir;
  MemorySource src;
  src.put("data/y", randomBytes(4000, 3), 1600000000);
  src.failReads = 2;
  ProgressTracker p;
  PopulatorConfig c = configFor(dir.path());
  RunSummary s = populate(c, src, p, nullptr);
  REQUIRE_FALSE(s.failure);
  CHECK(readFile(dir.path() + "/y") == randomBytes(4000, 3));
}

TEST_CASE("persistent transient errors exhaust into their own exit code", "[unit]") {
  TempDir dir;
  MemorySource src;
  src.put("data/y", "abc", 1600000000);
  src.failReads = 1000;
  ProgressTracker p;
  RunSummary s = populate(configFor(dir.path()), src, p, nullptr);
  REQUIRE(s.failure);
  CHECK(s.failure->code == ExitCode::TransientExhausted);
  CHECK(s.failure->message.find("data/y") != std::string::npos);
}

TEST_CASE("source errors map to their exit codes", "[unit]") {
  TempDir dir;
  MemorySource src;
  src.listError = Status(StatusCode::PermissionDenied, "InvalidAccessKeyId (HTTP 403)");
  ProgressTracker p;
  CHECK(populate(configFor(dir.path()), src, p, nullptr).failure->code == ExitCode::AuthFailed);
  src.listError = Status(StatusCode::NotFound, "NoSuchBucket (HTTP 404)");
  CHECK(populate(configFor(dir.path()), src, p, nullptr).failure->code == ExitCode::NotFound);
  src.listError = Status::ok();
  auto empty = populate(configFor(dir.path()), src, p, nullptr);
  REQUIRE(empty.failure);
  CHECK(empty.failure->code == ExitCode::NotFound);
  CHECK(empty.failure->message.find("no objects under oss://b/data/") != std::string::npos);
  PopulatorConfig c = configFor(dir.path());
  c.allowEmpty = true;
  CHECK_FALSE(populate(c, src, p, nullptr).failure);
}

TEST_CASE("strict keys (--strict-keys) turn unmappable keys into a failure", "[unit]") {
  TempDir dir;
  MemorySource src;
  src.put("data/ok", "1");
  src.put("data/a//b", "2");
  PopulatorConfig c = configFor(dir.path());
  c.strictKeys = true;
  ProgressTracker p;
  RunSummary s = populate(c, src, p, nullptr);
  REQUIRE(s.failure);
  CHECK(s.failure->code == ExitCode::InvalidKeys);
  CHECK(s.failure->message.find("data/a//b") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/ok"));
}

TEST_CASE("a large file is copied in parallel segments and verified as a whole", "[unit]") {
  TempDir dir;
  MemorySource src;
  std::string big = randomBytes(1 << 20, 77);
  src.put("big", big, 1600000000);
  ProgressTracker progress;
  REQUIRE_FALSE(copyInSegments(src, dir.path(), &progress));
  CHECK(readFile(dir.path() + "/big") == big);
  CHECK(progress.bytesDone() == big.size());
  auto tree = TargetTree::open(dir.path());
  REQUIRE(tree.isOk());
  auto reopened = ResumeJournal::open(**tree);
  REQUIRE((*reopened)->find("big"));
  CHECK((*reopened)->find("big")->crc64 == ossclient::crc64(big));
}

TEST_CASE("small files are copied while a large file's segments are in flight", "[unit]") {
  // Reads of small files wait until the large file's first read (so its
  // segments are queued); every read of the large file then waits (up to
  // 5 s) until all small files have been read. If every free worker took the
  // large file's queued segments first, as before the segment share, all of
  // them would sit in the large file's reads and time out.
  TempDir dir;
  MemorySource src;
  std::string big = randomBytes(1 << 20, 5);
  src.put("big", big);
  constexpr int kSmall = 20;
  for (int i = 0; i < kSmall; ++i) src.put("small/" + std::to_string(i), randomBytes(1000, i));
  std::mutex mu;
  std::condition_variable cv;
  bool bigStarted = false;
  std::set<std::string> smallRead;
  int gateTimeouts = 0;
  src.onRead = [&](const std::string& key) {
    std::unique_lock<std::mutex> lock(mu);
    if (key != "big") {
      if (!cv.wait_for(lock, std::chrono::seconds(5), [&] { return bigStarted; })) ++gateTimeouts;
      smallRead.insert(key);
      cv.notify_all();
      return;
    }
    bigStarted = true;
    cv.notify_all();
    if (gateTimeouts > 0) return;  // failed already: do not wait again
    if (!cv.wait_for(lock, std::chrono::seconds(5), [&] { return smallRead.size() == kSmall; })) ++gateTimeouts;
  };
  std::filesystem::create_directories(dir.path() + "/small");
  ProgressTracker progress;
  REQUIRE_FALSE(copyInSegments(src, dir.path(), &progress));  // "big" is listed first, as populate() orders by size
  CHECK(gateTimeouts == 0);
  CHECK(readFile(dir.path() + "/big") == big);
  CHECK(readFile(dir.path() + "/small/7") == randomBytes(1000, 7));
}

TEST_CASE("cancellation stops the copy with the Cancelled code", "[unit]") {
  TempDir dir;
  MemorySource src;
  for (int i = 0; i < 50; ++i) src.put("data/f" + std::to_string(i), randomBytes(100, i));
  std::atomic<bool> cancel{true};
  ProgressTracker p;
  RunSummary s = populate(configFor(dir.path()), src, p, &cancel);
  REQUIRE(s.failure);
  CHECK(s.failure->code == ExitCode::Cancelled);
  CHECK(static_cast<int>(s.exitCode()) == 143);
}

TEST_CASE("the summary and the log report the copy's concurrency", "[unit]") {
  TempDir dir;
  MemorySource src;
  seedTree(src);
  PopulatorConfig c = configFor(dir.path());
  ProgressTracker p;
  RunSummary s = populate(c, src, p, nullptr);
  REQUIRE(s.concurrency);
  CHECK_FALSE(s.concurrency->adaptive);
  CHECK(s.concurrency->settled == 4);
  CHECK(s.concurrency->peak == 4);

  TempDir other;
  PopulatorConfig a = configFor(other.path());
  a.concurrencyFixed = false;
  a.minConcurrency = 2;
  a.maxConcurrency = 8;
  ProgressTracker pa;
  s = populate(a, src, pa, nullptr);
  REQUIRE_FALSE(s.failure);
  REQUIRE(s.concurrency);
  CHECK(s.concurrency->adaptive);
  CHECK(s.concurrency->settled >= 2);
  CHECK(s.concurrency->peak <= 8);

  CopyStats stats;
  stats.concurrencySettled = 4;
  CHECK(describeConcurrency(stats, copierOptionsFor(c)) == "concurrency fixed at 4");
  c.concurrencyFixed = false;
  c.minConcurrency = 2;
  c.maxConcurrency = 64;
  stats.adaptive = true;
  stats.concurrencySettled = 16;
  stats.concurrencyPeak = 32;
  stats.concurrencyBackoffs = 1;
  CHECK(describeConcurrency(stats, copierOptionsFor(c)) ==
        "concurrency settled at 16 (peak 32, adaptive 2..64 from 4; 1 cuts after read errors)");
}
