// Integration tests of the ossclient library (libcurl client) against the
// OSS emulator: many concurrent ranged reads into caller buffers,
// cancellation, shutdown with requests in flight, multipart with CRC checks,
// preconditions and buffer limits.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <random>
#include <string>
#include <thread>

#include "ossvp/ossclient/crc64.h"
#include "ossvp/ossclient/curl_object_client.h"

using namespace ossvp;
using namespace ossvp::ossclient;

namespace {

// Runs build/bin/oss-emulator on a free port for the whole test binary.
class Emulator {
 public:
  Emulator() {
    const char* bin = std::getenv("OSSVP_BIN");
    REQUIRE(bin != nullptr);
    char tmpl[] = "/tmp/ossclient-it-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string seedDir = dir_ + "/seed";  // an empty seed creates the bucket "itb"
    REQUIRE(mkdir(seedDir.c_str(), 0755) == 0);
    std::string seed = "itb=" + seedDir;
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the test
      dup2(fds[1], 1);
      close(fds[0]);
      std::string exe = std::string(bin) + "/oss-emulator";
      std::string data = dir_ + "/data";
      execl(exe.c_str(), exe.c_str(), "--listen", "127.0.0.1:0", "--data-dir", data.c_str(), "--access-key", "AKIT",
            "--secret-key", "SKIT", "--seed", seed.c_str(), "--log-level", "warn", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    FILE* out = fdopen(fds[0], "r");
    char line[512] = {0};
    REQUIRE(std::fgets(line, sizeof(line), out) != nullptr);
    std::string s(line);
    size_t at = s.find("http://");
    REQUIRE(at != std::string::npos);
    endpoint_ = s.substr(at, s.find_first_of(" \n", at) - at);
    out_ = out;
  }
  ~Emulator() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    if (out_) std::fclose(out_);
    std::string cmd = "rm -rf '" + dir_ + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "cleanup of %s failed\n", dir_.c_str());
  }
  const std::string& endpoint() const { return endpoint_; }

  // POSTs a fault configuration to the emulator's admin endpoint.
  void admin(const std::string& json) {
    std::string cmd = "curl -sf -X POST '" + endpoint_ + "/-/admin' -d '" + json + "' > /dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }

 private:
  pid_t pid_ = -1;
  std::string dir_;
  std::string endpoint_;
  FILE* out_ = nullptr;
};

Emulator& emulator() {
  static Emulator e;
  return e;
}

std::unique_ptr<ObjectClient> client(const std::string& secret = "SKIT", int ioThreads = ClientOptions{}.ioThreads) {
  ClientOptions o;
  o.endpoint = emulator().endpoint();
  o.region = "cn-hangzhou";
  o.ioThreads = ioThreads;
  o.retry.baseBackoff = std::chrono::milliseconds(10);
  auto c = makeCurlObjectClient(o, makeStaticCredentialsProvider(Credentials{"AKIT", secret, "", std::nullopt}));
  REQUIRE(c.isOk());
  return std::move(c).value();
}

std::string randomData(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

}  // namespace

TEST_CASE("library: many concurrent ranged reads into one caller buffer", "[integration]") {
  auto c = client();
  std::string data = randomData(8 << 20, 1);
  REQUIRE(c->put(PutRequest{"itb", "big.bin", data.data(), data.size(), ""}).isOk());

  std::string buf(data.size(), '\0');
  const size_t chunk = 128 << 10;
  const size_t n = data.size() / chunk;
  std::atomic<size_t> ok{0};
  std::promise<void> all;
  std::atomic<size_t> remaining{n};
  for (size_t i = 0; i < n; ++i) {
    GetRequest g;
    g.bucket = "itb";
    g.key = "big.bin";
    g.offset = i * chunk;
    g.length = chunk;
    g.dest = buf.data() + i * chunk;
    g.destCapacity = chunk;
    c->getAsync(g, [&](Result<GetResult> r) {
      if (r.isOk() && r->bytesWritten == chunk && r->meta.size == data.size()) ++ok;
      if (--remaining == 0) all.set_value();
    });
  }
  all.get_future().wait();
  CHECK(ok == n);
  CHECK(buf == data);

  GetRequest whole{"itb", "big.bin", 0, std::nullopt, "", buf.data(), buf.size(), nullptr, true};
  auto r = c->get(whole);
  REQUIRE(r.isOk());
  CHECK(r->crcVerified);
  CHECK(r->meta.crc64 == crc64(data));
}

TEST_CASE("library: a reused HTTP handle carries nothing from one request into the next", "[integration]") {
  // One I/O thread and one request at a time: every request after the first
  // runs on the handle the one before it used (reset, then configured again).
  auto c = client("SKIT", 1);
  std::string data = randomData(3 << 20, 7);
  for (int round = 0; round < 3; ++round) {
    const std::string key = "reuse-" + std::to_string(round) + ".bin";
    REQUIRE(c->put(PutRequest{"itb", key, data.data(), data.size(), ""}).isOk());  // PUT with a body
    auto meta = c->head("itb", key);                                               // HEAD: no body
    REQUIRE(meta.isOk());
    CHECK(meta->size == data.size());
    std::string buf(data.size(), '\0');  // GET after HEAD and PUT: a whole body, not a HEAD or an upload
    GetRequest whole{"itb", key, 0, std::nullopt, meta->etag, buf.data(), buf.size(), nullptr, true};
    auto r = c->get(whole);
    REQUIRE(r.isOk());
    CHECK(r->bytesWritten == data.size());
    CHECK(r->crcVerified);
    CHECK(buf == data);
    GetRequest missing{"itb", "no-such-key", 0, std::nullopt, "", buf.data(), buf.size(), nullptr, true};
    CHECK(c->get(missing).status().code() == StatusCode::NotFound);  // an error response in between
    GetRequest ranged{"itb", key, 1000, 5000, "", buf.data(), buf.size(), nullptr, true};
    auto rr = c->get(ranged);  // a range after a whole GET: the range header is not left behind, nor added
    REQUIRE(rr.isOk());
    CHECK(rr->bytesWritten == 5000);
    CHECK(std::string(buf.data(), 5000) == data.substr(1000, 5000));
    REQUIRE(c->deleteObject("itb", key).isOk());  // DELETE (a custom method)
    CHECK(c->head("itb", key).status().code() == StatusCode::NotFound);
  }
}

TEST_CASE("library: preconditions, buffer limits, missing keys", "[integration]") {
  auto c = client();
  std::string data = "precondition payload";
  REQUIRE(c->put(PutRequest{"itb", "pre.txt", data.data(), data.size(), "text/plain"}).isOk());
  auto meta = c->head("itb", "pre.txt");
  REQUIRE(meta.isOk());
  CHECK(meta->size == data.size());
  CHECK(meta->contentType == "text/plain");

  char buf[64];
  GetRequest g{"itb", "pre.txt", 0, std::nullopt, meta->etag, buf, sizeof(buf), nullptr, true};
  CHECK(c->get(g).isOk());
  g.ifMatch = "\"0000\"";
  CHECK(c->get(g).status().code() == StatusCode::PreconditionFailed);
  g.ifMatch.clear();
  g.destCapacity = 4;
  auto small = c->get(g);
  CHECK(small.status().code() == StatusCode::InvalidArgument);
  CHECK(small.status().message().find("destCapacity") != std::string::npos);
  CHECK(c->head("itb", "missing").status().code() == StatusCode::NotFound);
  CHECK(c->deleteObject("itb", "missing").isOk());
}

TEST_CASE("library: multipart with parts out of order, CRC combined", "[integration]") {
  auto c = client();
  std::string data = randomData(3 * (256 << 10) + 1000, 2);
  auto id = c->initiateMultipart("itb", "mp.bin");
  REQUIRE(id.isOk());
  std::vector<PartResult> parts;
  for (int p = 4; p >= 1; --p) {
    size_t off = static_cast<size_t>(p - 1) * (256 << 10);
    size_t len = std::min<size_t>(256 << 10, data.size() - off);
    auto r = c->uploadPart(UploadPartRequest{"itb", "mp.bin", *id, p, data.data() + off, len});
    REQUIRE(r.isOk());
    CHECK(r->crc64 == crc64(data.data() + off, len));
    parts.push_back(*r);
  }
  auto done = c->completeMultipart(CompleteMultipartRequest{"itb", "mp.bin", *id, parts});
  REQUIRE(done.isOk());
  CHECK(done->crc64 == crc64(data));
  std::string back;
  GetRequest g;
  g.bucket = "itb";
  g.key = "mp.bin";
  g.sink = [&](std::string_view s) {
    back.append(s);
    return Status::ok();
  };
  auto r = c->get(g);
  REQUIRE(r.isOk());
  CHECK(r->crcVerified);
  CHECK(back == data);

  auto id2 = c->initiateMultipart("itb", "aborted.bin");
  REQUIRE(id2.isOk());
  CHECK(c->abortMultipart("itb", "aborted.bin", *id2).isOk());
  CHECK(c->abortMultipart("itb", "aborted.bin", *id2).code() == StatusCode::NotFound);
}

TEST_CASE("library: cancellation and shutdown with requests in flight", "[integration]") {
  {
    auto c = client();
    std::string data = "slow";
    REQUIRE(c->put(PutRequest{"itb", "slow.txt", data.data(), data.size(), ""}).isOk());
  }
  emulator().admin(R"({"operation":"GetObject","latency_ms":10000})");
  auto c = client();
  char buf[8];
  std::promise<Status> cancelled;
  auto t0 = std::chrono::steady_clock::now();
  auto h = c->getAsync(GetRequest{"itb", "slow.txt", 0, std::nullopt, "", buf, sizeof(buf), nullptr, true},
                       [&](Result<GetResult> r) { cancelled.set_value(r.status()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  h.cancel();
  CHECK(cancelled.get_future().get().code() == StatusCode::Cancelled);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(2500));

  std::atomic<int> callbacks{0};
  std::atomic<int> cancelledCount{0};
  std::atomic<int> followUps{0};
  ObjectClient* raw = c.get();
  GetRequest slow{"itb", "slow.txt", 0, std::nullopt, "", nullptr, 0, [](std::string_view) { return Status::ok(); },
                  true};
  for (int i = 0; i < 10; ++i) {
    c->getAsync(slow, [&](Result<GetResult> r) {
      ++callbacks;
      if (r.status().code() == StatusCode::Cancelled) ++cancelledCount;
      // A read-ahead style follow-up issued while the client shuts down must still complete.
      raw->getAsync(slow, [&](Result<GetResult> r2) {
        if (r2.status().code() == StatusCode::Cancelled) ++followUps;
      });
    });
  }
  c.reset();  // must cancel everything and run every callback before returning
  CHECK(callbacks == 10);
  CHECK(cancelledCount == 10);
  CHECK(followUps == 10);
  emulator().admin(R"({"reset":true})");
}

TEST_CASE("library: listing across pages and bad credentials", "[integration]") {
  auto c = client();
  for (int i = 0; i < 35; ++i) {
    std::string k = "list/k" + std::to_string(100 + i) + (i % 5 == 0 ? " +sp" : "");
    REQUIRE(c->put(PutRequest{"itb", k, k.data(), k.size(), ""}).isOk());
  }
  std::vector<std::string> keys;
  int pages = 0;
  REQUIRE(listAll(*c, ListRequest{"itb", "list/", "", "", "", 10}, [&](const ListPage& p) {
            ++pages;
            for (const auto& o : p.objects) keys.push_back(o.key);
            return Status::ok();
          }).isOk());
  CHECK(pages == 4);
  REQUIRE(keys.size() == 35);
  CHECK(keys[0] == "list/k100 +sp");
  CHECK(std::is_sorted(keys.begin(), keys.end()));

  auto bad = client("not-the-secret");
  auto r = bad->list(ListRequest{"itb", "", "", "", "", 10});
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == StatusCode::PermissionDenied);
  CHECK(r.status().message().find("SignatureDoesNotMatch (HTTP 403)") != std::string::npos);
  CHECK(r.status().message().find("RequestId") != std::string::npos);
}
