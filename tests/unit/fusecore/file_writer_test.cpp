// FileWriter against FakeObjectClient: parts in flight adapt to how long
// uploads take, stay inside the memory budget, and failures either heal
// (transient, re-uploaded) or fail the file without leaving an object.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "ossvp/fusecore/file_writer.h"
#include "ossvp/fusecore/read_engine.h"
#include "ossvp/ossclient/testing/fake_object_client.h"

using namespace ossvp;
using namespace ossvp::fusecore;
using ossclient::testing::FakeObjectClient;
using ossclient::testing::FakeOp;
using ossclient::testing::FakeRequestInfo;
using ossclient::testing::Fault;

namespace {

constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * KiB;

// The bytes of a test object: position-dependent, so misplaced parts show.
std::string pattern(uint64_t size) {
  std::string s(size, '\0');
  for (uint64_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + i / 4093) & 0xff);
  return s;
}

struct Fx {
  explicit Fx(uint64_t budgetBytes = 64 * MiB) : budget(budgetBytes) {
    fake.createBucket("b");
    o.partSize = 64 * KiB;
  }
  // Every part upload takes `ms` on average (spread over +-50% by part
  // number, as real requests are, so completions do not come in lockstep),
  // however many are in flight: a link where each connection is slow and
  // parallel ones add up.
  void partsTake(int ms) {
    fake.setFaultHook([ms](const FakeRequestInfo& r) {
      Fault f;
      if (r.op == FakeOp::UploadPart) f.delay = std::chrono::milliseconds(ms / 2 + (r.partNumber * 37) % (ms + 1));
      return f;
    });
  }
  // Writes `data` as b/`key` in 16 KiB writes and finishes; keeps the
  // writer's counters in `stats`.
  Result<ossclient::ObjectMeta> upload(const std::string& key, const std::string& data) {
    FileWriter w(fake, budget, "b", key, o);
    for (uint64_t off = 0; off < data.size(); off += 16 * KiB) {
      size_t n = std::min<uint64_t>(16 * KiB, data.size() - off);
      if (!w.write(off, data.data() + off, n).isOk()) break;  // finish() reports why
    }
    auto r = w.finish();
    stats = w.stats();
    return r;
  }
  FakeObjectClient fake;
  MemoryBudget budget;
  WriterOptions o;
  WriterStats stats;
};

}  // namespace

TEST_CASE("the writer grows parts in flight while uploads are the bottleneck", "[fusecore][writer]") {
  Fx f;
  f.partsTake(20);
  f.o.initialInflightParts = 4;
  f.o.maxInflightParts = 32;
  std::string data = pattern(160 * f.o.partSize);
  REQUIRE(f.upload("grow", data).isOk());
  CHECK(f.fake.objectData("b", "grow") == data);
  CHECK(f.stats.parts == 160);
  CHECK(f.stats.growths >= 2);
  CHECK(f.stats.inflightLimit >= 16);
  CHECK(f.stats.peakInflight > f.o.initialInflightParts);
  CHECK(f.stats.peakInflight <= f.o.maxInflightParts);
  CHECK(f.budget.used() == 0);
}

TEST_CASE("the writer keeps parts in flight inside half the memory budget", "[fusecore][writer]") {
  Fx f(8 * 64 * KiB);
  f.partsTake(5);
  f.o.initialInflightParts = 32;
  f.o.maxInflightParts = 64;
  std::string data = pattern(40 * f.o.partSize + 123);
  REQUIRE(f.upload("small-budget", data).isOk());
  CHECK(f.fake.objectData("b", "small-budget") == data);
  CHECK(f.stats.inflightLimit <= 4);
  CHECK(f.stats.peakInflight <= 4);
  CHECK(f.budget.peakUsed() <= f.budget.limit());
  CHECK(f.budget.used() == 0);
}

TEST_CASE("under a small budget the first parts are smaller, so more travel at once, and grow back",
          "[fusecore][writer]") {
  // Half of 1 MiB holds 8 parts of 64 KiB but the writer may keep 32 in
  // flight: parts start at 16 KiB (32 of them fit) and double every 16 parts.
  Fx f(1 * MiB);
  f.partsTake(40);  // 20-60 ms: the first 16 parts are all issued long before one completes
  f.o.initialInflightParts = f.o.maxInflightParts = 32;
  f.o.minPartSize = 16 * KiB;
  f.o.partsPerSizeStep = 16;
  std::string data = pattern(16 * 16 * KiB + 16 * 32 * KiB + 10 * 64 * KiB + 123);
  REQUIRE(f.upload("graded", data).isOk());
  CHECK(f.fake.objectData("b", "graded") == data);
  CHECK(f.stats.firstPartSize == 16 * KiB);
  CHECK(f.stats.lastPartSize == 64 * KiB);
  CHECK(f.stats.parts == 16 + 16 + 10 + 1);
  CHECK(f.stats.peakInflight > 8);  // more than 64 KiB parts allowed
  CHECK(f.budget.peakUsed() <= f.budget.limit());
  CHECK(f.budget.used() == 0);
}

TEST_CASE("a budget that holds enough parts keeps the configured part size", "[fusecore][writer]") {
  Fx f(64 * MiB);
  f.o.maxInflightParts = 32;
  f.o.minPartSize = 16 * KiB;
  std::string data = pattern(6 * f.o.partSize);
  REQUIRE(f.upload("fixed", data).isOk());
  CHECK(f.stats.firstPartSize == f.o.partSize);
  CHECK(f.stats.lastPartSize == f.o.partSize);
  CHECK(f.stats.parts == 6);
}

TEST_CASE("a file past 10000 parts fails with the option that fixes it, and leaves no object", "[fusecore][writer]") {
  Fx f;
  f.o.partSize = 4 * KiB;
  f.o.initialInflightParts = f.o.maxInflightParts = 64;
  auto r = f.upload("too-many-parts", pattern(10000 * f.o.partSize + 1));
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().message().find("10000 parts") != std::string::npos);
  CHECK(r.status().message().find("-o upload_part_size (now 4096 bytes)") != std::string::npos);
  CHECK_FALSE(f.fake.objectData("b", "too-many-parts").has_value());
  CHECK(f.fake.pendingMultipartUploads() == 0);
}

TEST_CASE("the writer fills pooled part buffers instead of fresh memory, and gives them back", "[fusecore][writer]") {
  // A fresh multi-MiB buffer costs a page fault and a page clear per 4 KiB
  // on first touch: after the first parts, every part reuses an uploaded
  // part's buffer from the engine's pool, where the budget can reclaim it.
  Fx f;
  f.partsTake(2);
  f.o.initialInflightParts = f.o.maxInflightParts = 4;
  EngineOptions eo;
  eo.memoryBudget = 64 * MiB;
  eo.partSize = f.o.partSize;
  ReadEngine engine(std::make_shared<FakeObjectClient>(), eo);
  std::string data = pattern(40 * f.o.partSize + 77);
  {
    FileWriter w(f.fake, engine.budget(), "b", "reuse", f.o, &engine.bufferPool());
    for (uint64_t off = 0; off < data.size(); off += 16 * KiB) {
      size_t n = std::min<uint64_t>(16 * KiB, data.size() - off);
      REQUIRE(w.write(off, data.data() + off, n).isOk());
    }
    REQUIRE(w.finish().isOk());
    f.stats = w.stats();
  }
  CHECK(f.fake.objectData("b", "reuse") == data);
  CHECK(f.stats.parts == 41);
  CHECK(f.stats.buffersReused >= 30);
  CHECK(engine.budget().peakUsed() <= (4 + 1 + 4) * f.o.partSize);  // in flight, filling, idle in the pool
  // Every byte still reserved is an idle buffer in the pool, which the budget
  // can reclaim; none is held by the finished writer.
  CHECK(engine.stats().pooledBytes > 0);
  CHECK(engine.stats().pooledBytes == engine.budget().used());
}

TEST_CASE("a transiently failed part is uploaded again with fewer parts in flight", "[fusecore][writer][faults]") {
  Fx f;
  f.o.initialInflightParts = 8;
  f.fake.failNext(FakeOp::UploadPart, unavailable("SlowDown: please reduce your request rate"), 1);
  std::string data = pattern(10 * f.o.partSize + 7);
  REQUIRE(f.upload("healed", data).isOk());
  CHECK(f.fake.objectData("b", "healed") == data);
  CHECK(f.stats.reuploads == 1);
  CHECK(f.stats.backoffs == 1);
  CHECK(f.stats.inflightLimit < 8);
  CHECK(f.fake.pendingMultipartUploads() == 0);
}

TEST_CASE("a part that keeps failing fails the file and leaves no object", "[fusecore][writer][faults]") {
  Fx f;
  f.o.partAttempts = 3;
  f.fake.failNext(FakeOp::UploadPart, unavailable("connection reset by peer"), 1000);
  auto meta = f.upload("broken", pattern(4 * f.o.partSize + 1));
  REQUIRE(!meta.isOk());
  CHECK(meta.status().code() == StatusCode::Unavailable);
  CHECK(meta.status().message().find("attempt 3 of 3") != std::string::npos);
  CHECK(!f.fake.objectData("b", "broken"));
  CHECK(f.fake.pendingMultipartUploads() == 0);
  CHECK(f.budget.used() == 0);
}

TEST_CASE("a part that fails for good is not uploaded again", "[fusecore][writer][faults]") {
  Fx f;
  f.fake.failNext(FakeOp::UploadPart, Status(StatusCode::PermissionDenied, "AccessDenied"), 1000);
  auto meta = f.upload("denied", pattern(2 * f.o.partSize + 1));
  REQUIRE(!meta.isOk());
  CHECK(meta.status().code() == StatusCode::PermissionDenied);
  CHECK(f.stats.reuploads == 0);
  CHECK(f.fake.requestCount(FakeOp::UploadPart) <= 3);  // each of the 3 parts at most once
  CHECK(!f.fake.objectData("b", "denied"));
  CHECK(f.fake.pendingMultipartUploads() == 0);
}
