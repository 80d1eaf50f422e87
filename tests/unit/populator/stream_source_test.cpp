// The production source: ossclient listing and ranged GETs streamed into the
// copier, over the in-memory FakeObjectClient, driven directly and through
// populate().
#include <catch2/catch.hpp>

#include <random>

#include "ossvp/ossclient/testing/fake_object_client.h"
#include "ossvp/populator/populator.h"
#include "ossvp/populator/stream_source.h"
#include "test_util.h"

using namespace ossvp;
using namespace ossvp::populator;
using namespace ossvp::populator::testutil;
using ossclient::testing::FakeObjectClient;
using ossclient::testing::FakeOp;

namespace {
std::string bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}
// Appends stepwise: GCC 12 -Wrestrict misfires on "literal" + std::string.
std::string join(std::string a, int i) {
  a += std::to_string(i);
  return a;
}
PopulatorConfig cfg(const std::string& target) {
  PopulatorConfig c;
  c.bucket = std::string(1, 'b');
  c.path = std::string("/p/");
  c.target = target;
  c.concurrency = 8;
  c.partSize = 256 << 10;
  return c;
}
// Reads [offset, offset + len) through readInto, collecting the pieces.
Result<size_t> readPieces(SourceFile& f, uint64_t offset, size_t len, std::string* out, size_t* pieces) {
  std::vector<char> scratch;
  return f.readInto(offset, len, scratch, [&](const char* data, size_t n) {
    out->append(data, n);
    ++*pieces;
    return Status::ok();
  });
}
}  // namespace

TEST_CASE("objects are copied by part-sized GETs, each byte fetched once, checked by the GETs' CRC", "[unit]") {
  auto fake = std::make_shared<FakeObjectClient>();
  fake->createBucket("b");
  for (int i = 0; i < 30; ++i) fake->putObject("b", join("p/small/", i), bytes(1000 * i, i));
  fake->putObject("b", "p/large.bin", bytes(5 << 20, 99));
  fake->putObject("b", "p/empty", "");
  StreamSource source(fake, "b");
  TempDir dir;
  ProgressTracker progress;
  RunSummary s = populate(cfg(dir.path()), source, progress, nullptr);
  INFO(s.toJson());
  REQUIRE_FALSE(s.failure);
  CHECK(readFile(dir.path() + "/large.bin") == bytes(5 << 20, 99));
  for (int i = 0; i < 30; ++i) CHECK(readFile(join(dir.path() + "/small/", i)) == bytes(1000 * i, i));
  CHECK(fake->requestCount(FakeOp::Head) == 0);  // the CRC comes from the GETs already made
  uint64_t largeBytes = 0;
  size_t largeGets = 0;
  for (const auto& r : fake->requests()) {
    if (r.op != FakeOp::Get || r.key != "p/large.bin") continue;
    REQUIRE(r.length);
    CHECK(*r.length <= (256u << 10));
    largeBytes += *r.length;
    ++largeGets;
  }
  CHECK(largeBytes == (5u << 20));  // no byte twice: nothing is read ahead
  CHECK(largeGets == 20);
  CHECK(source.getRequests() == fake->requestCount(FakeOp::Get));
  CHECK(source.bytesReceived() == (5u << 20) + 1000 * (29 * 30 / 2));
}

TEST_CASE(
    "a source file streams its GET, exposes the server CRC to its clones, and fails a changed object "
    "as transient",
    "[unit]") {
  auto fake = std::make_shared<FakeObjectClient>();
  fake->createBucket("b");
  std::string data = bytes(3 << 20, 7);
  ossclient::ObjectMeta m = fake->putObject("b", "p/big", data);
  StreamSource source(fake, "b");
  SourceObject obj{"p/big", data.size(), 0, m.etag};
  auto file = source.open(obj, false);
  REQUIRE(file.isOk());
  CHECK_FALSE((*file)->serverCrc64());  // nothing fetched yet
  auto clone = (*file)->clone();

  std::string got;
  size_t pieces = 0;
  auto n = readPieces(**file, 2 << 20, 2 << 20, &got, &pieces);  // clipped at the end
  REQUIRE(n.isOk());
  CHECK(*n == (1u << 20));
  CHECK(got == data.substr(2 << 20));
  CHECK(pieces >= 1);
  CHECK((*file)->serverCrc64() == m.crc64);
  CHECK(clone->serverCrc64() == m.crc64);  // one object version, one CRC
  CHECK(fake->requestCount(FakeOp::Get) == 1);

  got.clear();
  CHECK(*readPieces(**file, data.size(), 10, &got, &pieces) == 0);  // at the end: no request
  CHECK(fake->requestCount(FakeOp::Get) == 1);

  std::vector<char> buf(4096);
  auto r = clone->read(10, buf.data(), buf.size());
  REQUIRE(r.isOk());
  CHECK(std::string(buf.data(), *r) == data.substr(10, 4096));

  fake->putObject("b", "p/big", bytes(3 << 20, 8));  // replaced after the listing
  auto changed = clone->read(0, buf.data(), buf.size());
  REQUIRE_FALSE(changed.isOk());
  CHECK(changed.status().isTransient());  // a new attempt re-lists
}

TEST_CASE("a consumer's error ends the GET with that error", "[unit]") {
  auto fake = std::make_shared<FakeObjectClient>();
  fake->createBucket("b");
  ossclient::ObjectMeta m = fake->putObject("b", "p/f", bytes(1 << 20, 3));
  StreamSource source(fake, "b");
  auto file = source.open(SourceObject{"p/f", 1 << 20, 0, m.etag}, false);
  REQUIRE(file.isOk());
  std::vector<char> scratch;
  auto r = (*file)->readInto(0, 1 << 20, scratch, [](const char*, size_t) {
    return Status(StatusCode::ResourceExhausted, "No space left on device");
  });
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == StatusCode::ResourceExhausted);
}

TEST_CASE("a missing bucket and refused credentials surface as their exit codes", "[unit]") {
  auto fake = std::make_shared<FakeObjectClient>();
  StreamSource source(fake, "nobucket");
  TempDir dir;
  ProgressTracker progress;
  PopulatorConfig c = cfg(dir.path());
  c.bucket = "nobucket";
  RunSummary s = populate(c, source, progress, nullptr);
  REQUIRE(s.failure);
  CHECK(s.failure->code == ExitCode::NotFound);

  fake->createBucket("b");
  fake->putObject("b", "p/x", "data");
  fake->failNext(FakeOp::List, Status(StatusCode::PermissionDenied, "AccessDenied (HTTP 403)"), 10);
  StreamSource denied(fake, "b");
  RunSummary d = populate(cfg(dir.path()), denied, progress, nullptr);
  REQUIRE(d.failure);
  CHECK(d.failure->code == ExitCode::AuthFailed);
}
