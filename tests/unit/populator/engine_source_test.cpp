// The production source: ossclient listing + fusecore ReadEngine reads, over
// the in-memory FakeObjectClient, driven through populate().
#include <catch2/catch.hpp>

#include <random>

#include "ossvp/fusecore/read_engine.h"
#include "ossvp/ossclient/testing/fake_object_client.h"
#include "ossvp/populator/engine_source.h"
#include "ossvp/populator/populator.h"
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
}  // namespace

TEST_CASE("objects are copied through the read engine, verified by the GETs' CRC without HEADs", "[unit]") {
  auto fake = std::make_shared<FakeObjectClient>();
  fake->createBucket("b");
  for (int i = 0; i < 30; ++i) fake->putObject("b", join("p/small/", i), bytes(1000 * i, i));
  fake->putObject("b", "p/large.bin", bytes(5 << 20, 99));
  fake->putObject("b", "p/empty", "");
  fusecore::EngineOptions eo;
  eo.memoryBudget = 64 << 20;
  eo.partSize = 256 << 10;
  auto engine = std::make_shared<fusecore::ReadEngine>(fake, eo);
  EngineSource source(engine, "b");
  TempDir dir;
  ProgressTracker progress;
  RunSummary s = populate(cfg(dir.path()), source, progress, nullptr);
  INFO(s.toJson());
  REQUIRE_FALSE(s.failure);
  CHECK(readFile(dir.path() + "/large.bin") == bytes(5 << 20, 99));
  for (int i = 0; i < 30; ++i) CHECK(readFile(join(dir.path() + "/small/", i)) == bytes(1000 * i, i));
  CHECK(fake->requestCount(FakeOp::Head) == 0);  // the CRC comes from the GETs already made
}

TEST_CASE("a source file exposes the GET's CRC, a fresh open is not served cached bytes", "[unit]") {
  auto fake = std::make_shared<FakeObjectClient>();
  fake->createBucket("b");
  std::string data = bytes(3 << 20, 7);
  ossclient::ObjectMeta m = fake->putObject("b", "p/big", data);
  fusecore::EngineOptions eo;
  eo.memoryBudget = 64 << 20;
  eo.partSize = 1 << 20;
  auto engine = std::make_shared<fusecore::ReadEngine>(fake, eo);
  EngineSource source(engine, "b");
  SourceObject obj{"p/big", data.size(), 0, m.etag};
  auto first = source.open(obj, false);
  REQUIRE(first.isOk());
  CHECK_FALSE((*first)->serverCrc64());  // nothing fetched yet
  std::vector<char> buf(64 << 10);
  REQUIRE((*first)->read(2 << 20, buf.data(), buf.size()).isOk());
  CHECK((*first)->serverCrc64() == m.crc64);
  const size_t gets = fake->requestCount(FakeOp::Get);
  auto again = source.open(obj, false);  // shares the engine's cache
  REQUIRE((*again)->read(2 << 20, buf.data(), buf.size()).isOk());
  CHECK(fake->requestCount(FakeOp::Get) == gets);
  auto fresh = source.open(obj, true);  // the retry after a CRC mismatch
  auto n = (*fresh)->read(2 << 20, buf.data(), buf.size());
  REQUIRE(n.isOk());
  CHECK(fake->requestCount(FakeOp::Get) > gets);
  CHECK(std::string(buf.data(), *n) == data.substr(2 << 20, buf.size()));
  CHECK(fake->requestCount(FakeOp::Head) == 0);
}

TEST_CASE("a missing bucket and refused credentials surface as their exit codes", "[unit]") {
  auto fake = std::make_shared<FakeObjectClient>();
  auto engine = std::make_shared<fusecore::ReadEngine>(fake, fusecore::EngineOptions{});
  EngineSource source(engine, "nobucket");
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
  EngineSource denied(engine, "b");
  RunSummary d = populate(cfg(dir.path()), denied, progress, nullptr);
  REQUIRE(d.failure);
  CHECK(d.failure->code == ExitCode::AuthFailed);
}
