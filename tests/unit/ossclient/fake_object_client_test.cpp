#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <set>

#include "ossvp/ossclient/crc64.h"
#include "ossvp/ossclient/testing/fake_object_client.h"

using namespace ossvp;
using namespace ossvp::ossclient;
using namespace ossvp::ossclient::testing;

TEST_CASE("fake: list pages with delimiter and continuation tokens", "[fake]") {
  FakeObjectClient c;
  for (int i = 0; i < 25; ++i) c.putObject("b", "dir/f" + std::to_string(100 + i), "x");
  c.putObject("b", "dir/sub/a", "1");
  c.putObject("b", "dir/sub/b", "2");
  c.putObject("b", "other", "3");

  std::vector<std::string> keys;
  std::vector<std::string> prefixes;
  int pages = 0;
  ListRequest req{"b", "dir/", "/", "", "", 10};
  REQUIRE(listAll(c, req, [&](const ListPage& p) {
            ++pages;
            CHECK(p.objects.size() + p.commonPrefixes.size() <= 10);
            for (const auto& o : p.objects) keys.push_back(o.key);
            for (const auto& cp : p.commonPrefixes) prefixes.push_back(cp);
            return Status::ok();
          }).isOk());
  CHECK(pages == 3);
  CHECK(keys.size() == 25);
  CHECK(prefixes == std::vector<std::string>{"dir/sub/"});

  // Recursive listing sees everything under the prefix.
  size_t n = 0;
  REQUIRE(listAll(c, ListRequest{"b", "dir/", "", "", "", 7}, [&](const ListPage& p) {
            n += p.objects.size();
            return Status::ok();
          }).isOk());
  CHECK(n == 27);

  auto missing = c.list(ListRequest{"nobucket", "", "", "", "", 10});
  REQUIRE_FALSE(missing.isOk());
  CHECK(missing.status().code() == StatusCode::NotFound);
  CHECK(missing.status().message().find("NoSuchBucket (HTTP 404)") != std::string::npos);
}

TEST_CASE("fake: ranged and whole gets, If-Match, range past the end", "[fake]") {
  FakeObjectClient c;
  ObjectMeta meta = c.putObject("b", "k", "0123456789");
  char buf[16] = {};
  GetRequest g;
  g.bucket = "b";
  g.key = "k";
  g.offset = 3;
  g.length = 4;
  g.dest = buf;
  g.destCapacity = sizeof(buf);
  auto r = c.get(g);
  REQUIRE(r.isOk());
  CHECK(std::string(buf, r->bytesWritten) == "3456");
  CHECK(r->meta.size == 10);
  CHECK_FALSE(r->crcVerified);

  g.offset = 8;
  g.length = 100;
  r = c.get(g);
  REQUIRE(r.isOk());
  CHECK(r->bytesWritten == 2);

  g.offset = 10;
  r = c.get(g);
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == StatusCode::InvalidArgument);
  CHECK(r.status().message().find("InvalidRange") != std::string::npos);

  g.offset = 0;
  g.length.reset();
  g.ifMatch = meta.etag;
  r = c.get(g);
  REQUIRE(r.isOk());
  CHECK(r->crcVerified);
  CHECK(r->meta.crc64 == crc64("0123456789"));

  c.putObject("b", "k", "changed!");
  r = c.get(g);
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == StatusCode::PreconditionFailed);
}

TEST_CASE("fake: fault injection and the request log", "[fake]") {
  FakeObjectClient c;
  c.putObject("b", "k", std::string(100, 'a'));
  c.failNext(FakeOp::Get, unavailable("injected"), 1);
  char buf[100];
  GetRequest g{"b", "k", 0, std::nullopt, "", buf, sizeof(buf), nullptr, true};
  auto r = c.get(g);
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == StatusCode::Unavailable);
  CHECK(c.get(g).isOk());

  c.setFaultHook([](const FakeRequestInfo& info) {
    Fault f;
    if (info.op == FakeOp::Get) f.truncateTo = 40;
    return f;
  });
  r = c.get(g);
  REQUIRE(r.isOk());
  CHECK(r->bytesWritten == 40);
  CHECK_FALSE(r->crcVerified);
  c.setFaultHook(nullptr);
  CHECK(c.requestCount(FakeOp::Get) == 3);
  CHECK(c.requests().back().sequence == 3);
}

TEST_CASE("fake: delayed async gets complete off-thread and can be cancelled", "[fake]") {
  FakeObjectClient c;
  c.putObject("b", "k", "data");
  c.setFaultHook([](const FakeRequestInfo&) {
    Fault f;
    f.delay = std::chrono::milliseconds(10000);
    return f;
  });
  char buf[4];
  std::promise<Status> done;
  auto h = c.getAsync(GetRequest{"b", "k", 0, std::nullopt, "", buf, 4, nullptr, true},
                      [&](Result<GetResult> r) { done.set_value(r.status()); });
  auto t0 = std::chrono::steady_clock::now();
  h.cancel();
  Status s = done.get_future().get();
  CHECK(s.code() == StatusCode::Cancelled);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
}

TEST_CASE("fake: destruction cancels pending requests", "[fake]") {
  std::atomic<int> cancelled{0};
  {
    FakeObjectClient c;
    c.putObject("b", "k", "data");
    c.setFaultHook([](const FakeRequestInfo&) {
      Fault f;
      f.delay = std::chrono::milliseconds(60000);
      return f;
    });
    for (int i = 0; i < 5; ++i) {
      c.getAsync(
          GetRequest{"b", "k", 0, std::nullopt, "", nullptr, 0, [](std::string_view) { return Status::ok(); }, true},
          [&](Result<GetResult> r) {
            if (r.status().code() == StatusCode::Cancelled) ++cancelled;
          });
    }
  }
  CHECK(cancelled == 5);
}

TEST_CASE("fake: multipart upload round trip", "[fake]") {
  FakeObjectClient c;
  c.createBucket("b");
  auto id = c.initiateMultipart("b", "big");
  REQUIRE(id.isOk());
  std::string p1(200, 'x'), p2(50, 'y');
  auto r2 = c.uploadPart(UploadPartRequest{"b", "big", *id, 2, p2.data(), p2.size()});
  auto r1 = c.uploadPart(UploadPartRequest{"b", "big", *id, 1, p1.data(), p1.size()});
  REQUIRE(r1.isOk());
  REQUIRE(r2.isOk());
  CHECK(r1->crc64 == crc64(p1));
  auto done = c.completeMultipart(CompleteMultipartRequest{"b", "big", *id, {*r2, *r1}});
  REQUIRE(done.isOk());
  CHECK(done->crc64 == crc64(p1 + p2));
  CHECK(c.objectData("b", "big") == p1 + p2);
  CHECK(c.pendingMultipartUploads() == 0);
  CHECK(c.abortMultipart("b", "big", *id).code() == StatusCode::NotFound);
  CHECK(c.deleteObject("b", "big").isOk());
  CHECK(c.head("b", "big").status().code() == StatusCode::NotFound);
}
