// ReadEngine against FakeObjectClient: every read returns exactly the
// object's bytes, whatever the pattern, faults or memory budget.
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "ossvp/fusecore/read_engine.h"
#include "ossvp/ossclient/testing/fake_object_client.h"

using namespace ossvp;
using namespace ossvp::fusecore;
using ossclient::testing::FakeObjectClient;
using ossclient::testing::FakeOp;
using ossclient::testing::Fault;

namespace {

constexpr uint64_t KiB = 1024, MiB = 1024 * 1024;

std::string pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (size_t i = 0; i < n; i += 4) {
    uint32_t v = rng();
    std::memcpy(&s[i], &v, std::min<size_t>(4, n - i));
  }
  return s;
}

struct Fixture {
  explicit Fixture(EngineOptions o = small()) : fake(std::make_shared<FakeObjectClient>()) {
    fake->createBucket("b");
    engine = std::make_unique<ReadEngine>(fake, o);
  }
  static EngineOptions small() {
    EngineOptions o;
    o.memoryBudget = 64 * MiB;
    o.partSize = 1 * MiB;
    o.initialWindow = 256 * KiB;
    o.maxWindow = 8 * MiB;
    o.smallObjectThreshold = 64 * KiB;
    return o;
  }
  ossclient::ObjectMeta put(const std::string& key, const std::string& data) { return fake->putObject("b", key, data); }
  std::shared_ptr<FakeObjectClient> fake;
  std::unique_ptr<ReadEngine> engine;
};

// Reads to the end. No Catch assertion in here: worker threads call it and
// Catch2 v2 is not thread-safe (TSan found the race in its assertion state);
// an error returns a marker that never equals the expected data.
std::string readAll(FileReader& r, size_t bs) {
  std::string out;
  std::vector<char> buf(bs);
  uint64_t off = 0;
  for (;;) {
    auto n = r.read(off, buf.data(), bs);
    if (!n.isOk()) return "<read error at " + std::to_string(off) + ": " + n.status().message() + ">";
    if (*n == 0) break;
    out.append(buf.data(), *n);
    off += *n;
  }
  return out;
}

}  // namespace

TEST_CASE("sequential read returns the exact bytes and prefetches in parallel", "[fusecore][engine]") {
  Fixture f;
  std::string data = pattern(20 * MiB + 12345, 1);
  auto meta = f.put("big", data);
  auto r = f.engine->open("b", meta);
  CHECK(readAll(*r, 128 * KiB) == data);
  auto st = f.engine->stats();
  CHECK(st.prefetchRequests > 0);
  // Each byte fetched about once.
  CHECK(st.bytesFetched <= data.size() + 2 * MiB);
  CHECK(st.memoryPeak <= 64 * MiB);
}

TEST_CASE("reads across part boundaries and at EOF", "[fusecore][engine]") {
  Fixture f;
  std::string data = pattern(3 * MiB + 7, 2);
  auto meta = f.put("o", data);
  auto r = f.engine->open("b", meta);
  std::vector<char> buf(2 * MiB);
  for (uint64_t off : {MiB - 3, 2 * MiB - 1, 3 * MiB, 3 * MiB + 6}) {
    auto n = r->read(off, buf.data(), 100);
    REQUIRE(n.isOk());
    uint64_t expect = std::min<uint64_t>(100, data.size() - off);
    REQUIRE(*n == expect);
    CHECK(std::string(buf.data(), *n) == data.substr(off, expect));
  }
  auto n = r->read(data.size(), buf.data(), 10);
  REQUIRE(n.isOk());
  CHECK(*n == 0);
  n = r->read(data.size() + 100, buf.data(), 10);
  REQUIRE(n.isOk());
  CHECK(*n == 0);
}

TEST_CASE("random reads fetch only small aligned ranges", "[fusecore][engine]") {
  Fixture f;
  std::string data = pattern(32 * MiB, 3);
  auto meta = f.put("r", data);
  auto r = f.engine->open("b", meta);
  std::mt19937_64 rng(9);
  std::vector<char> buf(4096);
  for (int i = 0; i < 50; ++i) {
    uint64_t off = rng() % (data.size() - 4096);
    auto n = r->read(off, buf.data(), 4096);
    REQUIRE(n.isOk());
    REQUIRE(std::string(buf.data(), 4096) == data.substr(off, 4096));
  }
  // 50 random 4 KiB reads: far less than the object.
  CHECK(f.engine->stats().bytesFetched < 50 * 256 * KiB);
}

TEST_CASE("small objects are fetched whole with one GET", "[fusecore][engine]") {
  Fixture f;
  std::string data = pattern(40 * KiB, 4);
  auto meta = f.put("s", data);
  auto r = f.engine->open("b", meta);
  std::vector<char> buf(40 * KiB);
  auto n = r->read(10 * KiB, buf.data(), 1000);
  REQUIRE(n.isOk());
  CHECK(std::string(buf.data(), 1000) == data.substr(10 * KiB, 1000));
  n = r->read(0, buf.data(), buf.size());
  REQUIRE(n.isOk());
  CHECK(std::string(buf.data(), *n) == data);
  CHECK(f.fake->requestCount(FakeOp::Get) == 1);
}

TEST_CASE("empty objects read as empty without requests", "[fusecore][engine]") {
  Fixture f;
  auto meta = f.put("e", "");
  auto r = f.engine->open("b", meta);
  char c;
  auto n = r->read(0, &c, 1);
  REQUIRE(n.isOk());
  CHECK(*n == 0);
  CHECK(f.fake->requestCount(FakeOp::Get) == 0);
}

TEST_CASE("many concurrent readers of one object share one cache", "[fusecore][engine]") {
  Fixture f;
  std::string data = pattern(16 * MiB, 5);
  auto meta = f.put("shared", data);
  std::vector<std::thread> ts;
  std::atomic<int> bad{0};
  for (int i = 0; i < 8; ++i) {
    ts.emplace_back([&] {
      auto r = f.engine->open("b", meta);
      if (readAll(*r, 256 * KiB) != data) ++bad;
    });
  }
  for (auto& t : ts) t.join();
  CHECK(bad == 0);
  // Readers overlap in time; the shared cache keeps total fetches well under 8x.
  CHECK(f.engine->stats().bytesFetched < 4 * data.size());
}

TEST_CASE("concurrent reads on one reader are safe", "[fusecore][engine]") {
  Fixture f;
  std::string data = pattern(8 * MiB, 6);
  auto meta = f.put("c", data);
  auto r = f.engine->open("b", meta);
  std::vector<std::thread> ts;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      std::vector<char> buf(64 * KiB);
      for (uint64_t off = t * 64 * KiB; off < data.size(); off += 4 * 64 * KiB) {
        auto n = r->read(off, buf.data(), buf.size());
        if (!n.isOk() || std::string(buf.data(), *n) != data.substr(off, *n)) ++bad;
      }
    });
  }
  for (auto& t : ts) t.join();
  CHECK(bad == 0);
}

TEST_CASE("a tiny budget makes readers wait, never overflow", "[fusecore][engine]") {
  EngineOptions o = Fixture::small();
  o.memoryBudget = 4 * MiB;
  Fixture f(o);
  std::string d1 = pattern(24 * MiB, 7), d2 = pattern(24 * MiB, 8);
  auto m1 = f.put("x1", d1);
  auto m2 = f.put("x2", d2);
  std::string got1, got2;
  std::thread t1([&] { got1 = readAll(*f.engine->open("b", m1), MiB); });
  std::thread t2([&] { got2 = readAll(*f.engine->open("b", m2), 300 * KiB); });
  t1.join();
  t2.join();
  CHECK(got1 == d1);
  CHECK(got2 == d2);
  CHECK(f.engine->budget().peakUsed() <= 4 * MiB);
  // Readers closed: everything returned, except idle part buffers kept for
  // reuse (counted in the budget, at most a quarter of it).
  CHECK(f.engine->budget().used() == f.engine->stats().pooledBytes);
  CHECK(f.engine->stats().pooledBytes <= MiB);
}

TEST_CASE("truncated bodies and transient errors are retried, never served", "[fusecore][engine][faults]") {
  Fixture f;
  std::string data = pattern(6 * MiB, 10);
  auto meta = f.put("flaky", data);
  // The first GET of every range fails: alternately a body cut short but
  // reported as success, and a 503.
  std::mutex mu;
  std::map<uint64_t, int> attempts;
  f.fake->setFaultHook([&](const ossclient::testing::FakeRequestInfo& info) {
    Fault fault;
    if (info.op != FakeOp::Get) return fault;
    std::lock_guard<std::mutex> lock(mu);
    if (attempts[info.offset]++ > 0) return fault;
    if (attempts.size() % 2 == 0) {
      fault.truncateTo = 1000;
    } else {
      fault.status = unavailable("503 SlowDown (injected)");
    }
    return fault;
  });
  auto r = f.engine->open("b", meta);
  CHECK(readAll(*r, 512 * KiB) == data);
  // Every first attempt failed, so the bytes came from repeated requests.
  size_t repeated = 0;
  for (auto& [off, k] : attempts) repeated += k > 1;
  CHECK(repeated > 0);
}

TEST_CASE("persistent failure surfaces as an error, not bytes", "[fusecore][engine][faults]") {
  Fixture f;
  auto meta = f.put("dead", pattern(3 * MiB, 11));
  f.fake->setFaultHook([](const ossclient::testing::FakeRequestInfo&) {
    Fault fault;
    fault.status = unavailable("connection reset (injected)");
    return fault;
  });
  auto r = f.engine->open("b", meta);
  std::vector<char> buf(4096);
  auto res = r->read(MiB, buf.data(), buf.size());
  REQUIRE(!res.isOk());
  CHECK(res.status().toErrno() == EIO);
}

TEST_CASE("an object changed on the server never yields mixed bytes", "[fusecore][engine]") {
  Fixture f;
  std::string v1 = pattern(8 * MiB, 12), v2 = pattern(8 * MiB, 13);
  auto meta = f.put("chg", v1);
  auto r = f.engine->open("b", meta);
  std::vector<char> buf(MiB);
  auto n = r->read(0, buf.data(), buf.size());
  REQUIRE(n.isOk());
  CHECK(std::string(buf.data(), *n) == v1.substr(0, MiB));
  f.put("chg", v2);  // new ETag on the server
  // Keep reading: every successful read must be v1 bytes; at some point the
  // engine must report the change (ESTALE) once it needs bytes from the server.
  bool stale = false;
  for (uint64_t off = MiB; off < v1.size(); off += MiB) {
    auto m = r->read(off, buf.data(), buf.size());
    if (!m.isOk()) {
      CHECK(m.status().code() == StatusCode::PreconditionFailed);
      stale = true;
      break;
    }
    CHECK(std::string(buf.data(), *m) == v1.substr(off, *m));
  }
  CHECK(stale);
  // A reader opened on the new version reads it.
  auto meta2 = f.fake->head("b", "chg");
  REQUIRE(meta2.isOk());
  CHECK(readAll(*f.engine->open("b", *meta2), MiB) == v2);
}

namespace {

// An ObjectClient serving one huge synthetic object whose byte at offset i
// is a function of i, so offsets beyond 4 GiB are tested without the memory.
class SyntheticClient : public ossclient::ObjectClient {
 public:
  static char byteAt(uint64_t i) { return static_cast<char>((i * 2654435761u) >> 13); }
  explicit SyntheticClient(uint64_t size) : size_(size) {}
  ~SyntheticClient() override {
    for (auto& t : threads_) t.join();  // the engine drops the client on the test thread
  }
  Result<ossclient::ListPage> list(const ossclient::ListRequest&) override { return unimpl(); }
  Result<ossclient::ObjectMeta> head(const std::string&, const std::string&) override { return unimpl(); }
  ossclient::AsyncHandle getAsync(ossclient::GetRequest req, ossclient::GetCallback cb) override {
    std::lock_guard<std::mutex> lock(mu_);
    offsets_.push_back(req.offset);
    threads_.emplace_back([this, req, cb] {
      uint64_t n = std::min<uint64_t>(*req.length, size_ - req.offset);
      for (uint64_t i = 0; i < n; ++i) req.dest[i] = byteAt(req.offset + i);
      ossclient::GetResult r;
      r.bytesWritten = n;
      cb(r);
    });
    return {};
  }
  Result<ossclient::PutResult> put(const ossclient::PutRequest&) override { return unimpl(); }
  Result<std::string> initiateMultipart(const std::string&, const std::string&) override { return unimpl(); }
  ossclient::AsyncHandle uploadPartAsync(ossclient::UploadPartRequest, ossclient::PartCallback) override { return {}; }
  Result<ossclient::PutResult> completeMultipart(const ossclient::CompleteMultipartRequest&) override {
    return unimpl();
  }
  Status abortMultipart(const std::string&, const std::string&, const std::string&) override { return unimpl(); }
  Status deleteObject(const std::string&, const std::string&) override { return unimpl(); }
  std::vector<uint64_t> offsets() {
    std::lock_guard<std::mutex> lock(mu_);
    return offsets_;
  }

 private:
  static Status unimpl() { return Status(StatusCode::Unimplemented, "synthetic"); }
  const uint64_t size_;
  std::mutex mu_;
  std::vector<std::thread> threads_;
  std::vector<uint64_t> offsets_;
};

}  // namespace

TEST_CASE("offsets beyond 4 GiB read the right bytes", "[fusecore][engine]") {
  const uint64_t size = (5ull << 30) + 12345;
  auto client = std::make_shared<SyntheticClient>(size);
  ReadEngine engine(client, Fixture::small());
  ossclient::ObjectMeta meta;
  meta.key = "huge";
  meta.size = size;
  meta.etag = "\"e\"";
  auto r = engine.open("b", meta);
  std::vector<char> buf(MiB);
  for (uint64_t off : std::vector<uint64_t>{(4ull << 30) - 7, (4ull << 30) + MiB + 3, size - 100, size - MiB + 1}) {
    auto n = r->read(off, buf.data(), buf.size());
    REQUIRE(n.isOk());
    REQUIRE(*n == std::min<uint64_t>(MiB, size - off));
    for (uint64_t i = 0; i < *n; ++i) {
      if (buf[i] != SyntheticClient::byteAt(off + i)) FAIL("byte mismatch at " << off + i);
    }
  }
  for (uint64_t o : client->offsets()) CHECK(o < size);
}

TEST_CASE("part buffers are recycled within the budget and given back under pressure", "[fusecore][engine][pool]") {
  EngineOptions o = Fixture::small();
  o.memoryBudget = 16 * MiB;  // pool keeps at most 16/1/4 = 4 idle parts
  Fixture f(o);
  std::string d1 = pattern(12 * MiB, 21), d2 = pattern(12 * MiB, 22);
  auto m1 = f.put("p1", d1);
  auto m2 = f.put("p2", d2);
  CHECK(readAll(*f.engine->open("b", m1), MiB) == d1);
  auto s1 = f.engine->stats();
  CHECK(s1.pooledBytes > 0);
  CHECK(s1.pooledBytes <= 4 * MiB);
  CHECK(f.engine->budget().used() == s1.pooledBytes);   // idle buffers stay in the budget
  CHECK(readAll(*f.engine->open("b", m2), MiB) == d2);  // recycled buffers carry the right bytes
  CHECK(f.engine->stats().buffersReused > s1.buffersReused);
  // A budget user outside the engine (the writer path) gets the pooled memory.
  Reservation all = f.engine->budget().acquire(16 * MiB);
  CHECK(all.bytes() == 16 * MiB);
  CHECK(f.engine->stats().pooledBytes == 0);
}

TEST_CASE("a file larger than the budget is read through recycled part buffers", "[fusecore][engine][pool]") {
  // Once the budget is full, each new part takes the buffer of a part already
  // read (no free + fresh allocation per part), and stays within the budget.
  EngineOptions o = Fixture::small();
  o.memoryBudget = 8 * MiB;
  Fixture f(o);
  std::string data = pattern(40 * MiB, 23);
  auto m = f.put("big", data);
  auto before = f.engine->stats();
  CHECK(readAll(*f.engine->open("b", m), MiB) == data);
  auto s = f.engine->stats();
  // 40 one-MiB parts through an 8 MiB budget: most parts reuse a buffer.
  CHECK(s.buffersReused - before.buffersReused >= 20);
  CHECK(s.memoryPeak <= 8 * MiB);
}

TEST_CASE("a fully-read part of another object lends its buffer when the budget is full", "[fusecore][engine][pool]") {
  // Readers of several objects (the populator's segments) share the budget:
  // a new part takes over another object's already-read buffer instead of
  // freeing it and mapping (and page-faulting in) a fresh one.
  EngineOptions o = Fixture::small();
  o.memoryBudget = 8 * MiB;  // pool keeps at most 8/1/4 = 2 idle parts
  Fixture f(o);
  std::string d1 = pattern(8 * MiB, 31), d2 = pattern(8 * MiB, 32);
  auto m1 = f.put("a", d1);
  auto m2 = f.put("b2", d2);
  auto r1 = f.engine->open("b", m1);  // stays open: its read parts stay cached
  CHECK(readAll(*r1, MiB) == d1);
  auto before = f.engine->stats();
  CHECK(readAll(*f.engine->open("b", m2), MiB) == d2);
  auto s = f.engine->stats();
  // b2's 8 parts through a budget full of a's read parts: b2 has no read
  // part of its own to recycle until late, so most buffers must be a's.
  CHECK(s.buffersReused - before.buffersReused >= 4);  // 6 measured; 2 without the take-over
  CHECK(s.memoryPeak <= 8 * MiB);
  CHECK(readAll(*r1, MiB) == d1);  // a's evicted parts are fetched again, intact
}

TEST_CASE("readPinned returns the same bytes as read, without copying them out", "[fusecore][engine]") {
  Fixture f;
  std::string data = pattern(5 * MiB + 123, 24);
  auto m = f.put("pin", data);
  auto r = f.engine->open("b", m);
  std::string got;
  for (uint64_t off = 0; off < data.size();) {
    PinnedBytes b;
    REQUIRE(r->readPinned(off, 300 * KiB, &b).isOk());
    REQUIRE(b.size > 0);
    size_t sum = 0;
    for (const iovec& v : b.pieces) {
      got.append(static_cast<const char*>(v.iov_base), v.iov_len);
      sum += v.iov_len;
    }
    CHECK(sum == b.size);
    CHECK(!b.pins.empty());
    off += b.size;
  }
  CHECK(got == data);
  PinnedBytes past;
  CHECK(r->readPinned(data.size(), 4096, &past).isOk());
  CHECK(past.size == 0);
  CHECK(past.pieces.empty());
}

TEST_CASE("a young stream prefetches in small parts, a grown one in whole parts", "[fusecore][engine]") {
  // Against a per-connection bandwidth cap one 8 MiB GET carries a young
  // window at one connection's rate; cut into a sixteenth of the window, its
  // bytes travel over several connections from the start.
  EngineOptions o;
  o.memoryBudget = 512 * MiB;
  o.partSize = 8 * MiB;
  o.initialInflight = o.maxInflight = 8;  // a 256 MiB window holds 2 x 8 whole parts
  Fixture f(o);
  std::string data = pattern(256 * MiB, 9);
  auto meta = f.put("model", data);
  auto r = f.engine->open("b", meta);
  CHECK(readAll(*r, MiB) == data);
  uint64_t largestEarly = 0, largest = 0;
  for (const auto& q : f.fake->requests()) {
    if (q.op != FakeOp::Get || !q.length) continue;
    if (q.offset < 16 * MiB) largestEarly = std::max(largestEarly, *q.length);
    largest = std::max(largest, *q.length);
  }
  // Windows up to 16 MiB cover the first 16 MiB in 1 MiB GETs (cut at
  // part_size, a window doubling to 16 MiB would send one 8 MiB GET).
  CHECK(largestEarly <= 1 * MiB);
  CHECK(largest == 8 * MiB);  // the grown window uses whole parts
}

TEST_CASE("a high in-flight limit cuts the window into parts that all fit in it", "[fusecore][engine]") {
  // Against a per-connection bandwidth cap, throughput is GETs in flight
  // times one connection's rate: a 64 MiB window in 8 MiB parts could never
  // have more than 8 GETs in flight, whatever the limit. With 16 allowed,
  // a grown 64 MiB window is cut so that twice that many parts fit
  // (64 / 32 = 2 MiB; a sixteenth of the window, 4 MiB, before).
  EngineOptions o;
  o.memoryBudget = 128 * MiB;
  o.partSize = 8 * MiB;
  o.initialInflight = o.maxInflight = 16;
  Fixture f(o);
  std::string data = pattern(160 * MiB, 10);
  auto meta = f.put("wide", data);
  CHECK(readAll(*f.engine->open("b", meta), MiB) == data);
  uint64_t largest = 0;
  for (const auto& q : f.fake->requests()) {
    if (q.op == FakeOp::Get && q.length) largest = std::max(largest, *q.length);
  }
  CHECK(largest == 2 * MiB);
}

TEST_CASE("parts smaller than the part size are recycled too", "[fusecore][engine][pool]") {
  // Parts cut to 1 MiB from an 8 MiB part size: their buffers are pooled and
  // taken over like whole parts, so a long read maps few fresh buffers.
  EngineOptions o = Fixture::small();
  o.memoryBudget = 16 * MiB;
  o.partSize = 8 * MiB;
  o.maxWindow = 8 * MiB;
  o.initialInflight = o.maxInflight = 4;  // 8 MiB window / (2 x 4) = 1 MiB parts
  Fixture f(o);
  std::string data = pattern(64 * MiB, 11);
  auto m = f.put("cut", data);
  CHECK(readAll(*f.engine->open("b", m), MiB) == data);
  auto s = f.engine->stats();
  CHECK(s.buffersReused >= 40);  // 0 when only part-sized buffers were reused
  CHECK(s.memoryPeak <= 16 * MiB);
}

TEST_CASE("a sequential reader cycles through its own read parts, not the whole budget", "[fusecore][engine][pool]") {
  // Fresh memory costs page faults on first touch: a stream reuses the
  // buffers of the parts it has consumed before the budget maps new ones, so
  // its footprint stays near its window however large the budget.
  EngineOptions o = Fixture::small();
  o.memoryBudget = 64 * MiB;
  o.partSize = 1 * MiB;
  o.maxWindow = 8 * MiB;
  Fixture f(o);
  std::string data = pattern(48 * MiB, 12);
  auto m = f.put("stream", data);
  CHECK(readAll(*f.engine->open("b", m), MiB) == data);
  auto s = f.engine->stats();
  CHECK(s.memoryPeak <= 16 * MiB);  // 48 MiB (every part cached) before
  CHECK(s.buffersReused >= 24);
}

TEST_CASE("open large files share the read-ahead instead of each filling the budget", "[fusecore][engine][window]") {
  // Four streams with a window of half the budget each would hold twice the
  // budget ahead of their readers and wait on each other's memory; the
  // engine splits half the budget over the open large-file readers, while a
  // single stream still gets its whole window.
  EngineOptions o = Fixture::small();
  o.memoryBudget = 64 * MiB;
  o.partSize = 1 * MiB;
  o.initialWindow = 1 * MiB;
  o.maxWindow = 32 * MiB;
  auto peakOf = [&](int files) {
    Fixture f(o);
    std::vector<std::string> data;
    std::vector<std::unique_ptr<FileReader>> readers;
    for (int i = 0; i < files; ++i) {
      data.push_back(pattern(48 * MiB, 20 + i));
      std::string key = "f";
      key += std::to_string(i);  // not "f" + ...: gcc 12's -Wrestrict false positive
      readers.push_back(f.engine->open("b", f.put(key, data.back())));
    }
    std::vector<std::string> got(files);
    std::vector<char> buf(MiB);
    for (uint64_t off = 0; off < 48 * MiB; off += MiB) {  // round robin, 1 MiB each
      for (int i = 0; i < files; ++i) {
        auto n = readers[i]->read(off, buf.data(), MiB);
        REQUIRE(n.isOk());
        got[i].append(buf.data(), *n);
      }
    }
    for (int i = 0; i < files; ++i) CHECK(got[i] == data[i]);
    return f.engine->stats().memoryPeak;
  };
  uint64_t one = peakOf(1);
  uint64_t four = peakOf(4);
  CHECK(one > 16 * MiB);    // the single stream's window grew past a 4-way share
  CHECK(four <= 40 * MiB);  // 4 x (64 MiB / 8) and the parts being read
}

namespace {

// Bytes of `key` the engine asked for (sum of its GETs' ranges).
uint64_t requestedBytes(const FakeObjectClient& fake, const std::string& key) {
  uint64_t n = 0;
  for (const auto& r : fake.requests()) {
    if (r.op == FakeOp::Get && r.key == key) n += r.length.value_or(0);
  }
  return n;
}

}  // namespace

TEST_CASE("a first round covers the whole file while the readers before it read theirs whole",
          "[fusecore][engine][history]") {
  Fixture f;  // part 1 MiB, initial window 256 KiB, max window 8 MiB: default first round 4 MiB
  const uint64_t size = 6 * MiB;
  std::map<std::string, ossclient::ObjectMeta> meta;
  std::map<std::string, std::string> data;
  for (const char* k : {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}) {
    data[k] = pattern(size, static_cast<uint32_t>(k[0]));
    meta[k] = f.put(k, data[k]);
  }
  auto firstRound = [&](const std::string& k) {
    uint64_t before = requestedBytes(*f.fake, k);
    auto r = f.engine->open("b", meta[k]);
    r->prefetchStart();
    return requestedBytes(*f.fake, k) - before;  // GETs are issued, not awaited, by prefetchStart
  };
  auto readWhole = [&](const std::string& k) {
    auto r = f.engine->open("b", meta[k]);
    CHECK(readAll(*r, 1 * MiB) == data[k]);
  };
  CHECK(firstRound("a") == 4 * MiB);
  readWhole("b");
  CHECK(firstRound("c") == 4 * MiB);  // one whole read is not a habit yet
  readWhole("d");
  CHECK(firstRound("e") == size);  // two in a row: the next file in one round
  {
    auto r = f.engine->open("b", meta["f"]);  // an open with no read changes nothing
  }
  CHECK(firstRound("g") == size);
  {
    auto r = f.engine->open("b", meta["h"]);  // a header probe turns it off
    std::vector<char> buf(4096);
    REQUIRE(r->read(0, buf.data(), buf.size()).isOk());
  }
  CHECK(firstRound("i") == 4 * MiB);
  readWhole("d");
  {
    // The footer first, then everything: a whole read too.
    auto r = f.engine->open("b", meta["j"]);
    std::vector<char> buf(size);
    REQUIRE(r->read(size - 4096, buf.data(), 4096).isOk());
    REQUIRE(r->read(0, buf.data(), size).isOk());
  }
  CHECK(firstRound("b") == size);
  {
    // As many bytes as the file holds, but never its start: a random reader.
    auto r = f.engine->open("b", meta["j"]);
    std::vector<char> buf(MiB);
    for (int i = 0; i < 7; ++i) REQUIRE(r->read(2 * MiB, buf.data(), MiB).isOk());
  }
  CHECK(firstRound("c") == 4 * MiB);
}

TEST_CASE("files opened together share the read-ahead in their first rounds too", "[fusecore][engine][history]") {
  Fixture f;  // 64 MiB budget: 32 MiB of read-ahead over all large readers
  const uint64_t size = 6 * MiB;
  auto key = [](int i) {
    std::string k = "f";
    k += std::to_string(i);
    return k;
  };
  std::vector<ossclient::ObjectMeta> metas;
  for (int i = 0; i < 12; ++i) metas.push_back(f.put(key(i), pattern(size, 100 + i)));
  for (int i = 0; i < 2; ++i) {  // two whole reads: first rounds are whole files from now on
    auto r = f.engine->open("b", metas[i]);
    CHECK(readAll(*r, MiB).size() == size);
  }
  std::vector<std::unique_ptr<FileReader>> open;
  for (int i = 2; i < 12; ++i) open.push_back(f.engine->open("b", metas[i]));  // 10 readers: 3.2 MiB each
  for (auto& r : open) r->prefetchStart();
  for (int i = 2; i < 12; ++i) CHECK(requestedBytes(*f.fake, key(i)) <= 4 * MiB);
}
