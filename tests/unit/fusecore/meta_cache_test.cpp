#include <catch2/catch.hpp>

#include "ossvp/fusecore/meta_cache.h"
#include "ossvp/ossclient/testing/fake_object_client.h"

using namespace ossvp;
using namespace ossvp::fusecore;
using ossclient::testing::FakeObjectClient;
using ossclient::testing::FakeOp;

namespace {

struct ManualClock {
  std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
};

}  // namespace

TEST_CASE("listings give files, implicit and explicit dirs, from LIST only", "[fusecore][meta]") {
  auto fake = std::make_shared<FakeObjectClient>();
  fake->putObject("b", "top.txt", "hello");
  fake->putObject("b", "implicit/a.bin", "x");
  fake->putObject("b", "explicit/", "");
  fake->putObject("b", "with space é %41.txt", "u");
  MetaCache cache(fake, "b");
  auto l = cache.list("");
  REQUIRE(l.isOk());
  auto& es = (*l)->entries;
  REQUIRE(es.size() == 4);
  const DirEntry* top = (*l)->find("top.txt");
  REQUIRE(top);
  CHECK(!top->isDir);
  CHECK(top->size == 5);
  CHECK(top->mtime > 0);
  CHECK((*l)->find("implicit")->isDir);
  CHECK((*l)->find("explicit")->isDir);
  CHECK((*l)->find("with space é %41.txt"));
  CHECK(fake->requestCount(FakeOp::Head) == 0);
  // The explicit marker does not show up as an entry of its own directory.
  auto e = cache.list("explicit/");
  REQUIRE(e.isOk());
  CHECK((*e)->entries.empty());
}

TEST_CASE("a key that is both a file and a prefix shows as a directory", "[fusecore][meta]") {
  auto fake = std::make_shared<FakeObjectClient>();
  fake->putObject("b", "same", "file");
  fake->putObject("b", "same/child", "c");
  MetaCache cache(fake, "b");
  auto l = cache.list("");
  REQUIRE(l.isOk());
  REQUIRE((*l)->entries.size() == 1);
  CHECK((*l)->entries[0].isDir);
}

TEST_CASE("listings are cached for the TTL, then refreshed", "[fusecore][meta]") {
  auto fake = std::make_shared<FakeObjectClient>();
  fake->putObject("b", "d/one", "1");
  auto clock = std::make_shared<ManualClock>();
  MetaCacheOptions o;
  o.ttl = std::chrono::seconds(10);
  o.now = [clock] { return clock->t; };
  MetaCache cache(fake, "b", o);
  REQUIRE(cache.list("d/").isOk());
  fake->putObject("b", "d/two", "2");
  auto again = cache.list("d/");
  CHECK((*again)->find("two") == nullptr);  // negative answer from cache
  CHECK(fake->requestCount(FakeOp::List) == 1);
  clock->t += std::chrono::seconds(11);
  auto fresh = cache.list("d/");
  CHECK((*fresh)->find("two") != nullptr);
  CHECK(fake->requestCount(FakeOp::List) == 2);
}

TEST_CASE("listings over 1000 entries follow pagination", "[fusecore][meta]") {
  auto fake = std::make_shared<FakeObjectClient>();
  for (int i = 0; i < 2500; ++i) fake->putObject("b", "many/f" + std::to_string(i), "");
  MetaCache cache(fake, "b");
  auto l = cache.list("many/");
  REQUIRE(l.isOk());
  CHECK((*l)->entries.size() == 2500);
  CHECK(cache.listCalls() >= 3);
}

TEST_CASE("upsert and remove edit a cached listing", "[fusecore][meta]") {
  auto fake = std::make_shared<FakeObjectClient>();
  fake->putObject("b", "a", "1");
  MetaCache cache(fake, "b");
  REQUIRE(cache.list("").isOk());
  cache.upsert("", DirEntry{"new", false, 3, 1, "\"e\""});
  CHECK((*cache.list(""))->find("new")->size == 3);
  cache.remove("", "a");
  CHECK((*cache.list(""))->find("a") == nullptr);
  CHECK(fake->requestCount(FakeOp::List) == 1);
}
