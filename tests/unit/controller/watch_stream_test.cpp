// Tests of the watch path shared by the real client and the fuzz target:
// WatchStreamDecoder (bytes -> events, partial lines carried over, bounded
// memory), applyWatchEvent (event -> cache change), and RestApiClient::watch
// over a loopback HTTP server that cuts the stream at awkward places.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "ossvp/controller/kube/informer.h"
#include "ossvp/controller/kube/rest_api_client.h"
#include "ossvp/controller/kube/watch_event_applier.h"
#include "ossvp/controller/kube/watch_stream_decoder.h"
#include "ossvp/controller/testing/fake_kube_api.h"

namespace ossvp::controller::kube {
namespace {

using namespace std::chrono_literals;

const std::string kStream =
    "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\",\"namespace\":\"ns\","
    "\"resourceVersion\":\"1\",\"annotations\":{\"note\":\"caf\xc3\xa9\"}}}}\n"
    "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"2\"}}}\n"
    "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"a\",\"namespace\":\"ns\","
    "\"resourceVersion\":\"3\"}}}\n";

std::vector<std::string> drain(WatchStreamDecoder& d) {
  std::vector<std::string> out;
  while (auto ev = d.next()) out.push_back(ev->type + " " + resourceVersionOf(ev->object));
  return out;
}

const std::vector<std::string> kExpected = {"ADDED 1", "BOOKMARK 2", "DELETED 3"};

Object pvc(const std::string& name, const std::string& rv) {
  return {{"kind", "PersistentVolumeClaim"},
          {"metadata", {{"name", name}, {"namespace", "ns"}, {"resourceVersion", rv}}}};
}

}  // namespace

TEST_CASE("watch decoder: the same events whatever the chunk boundaries", "[controller][kube][watch]") {
  for (size_t cut1 = 0; cut1 <= kStream.size(); ++cut1) {
    for (size_t cut2 = cut1; cut2 <= kStream.size(); cut2 += 7) {
      WatchStreamDecoder d;
      std::vector<std::string> got;
      for (auto [from, to] : {std::pair{size_t{0}, cut1}, {cut1, cut2}, {cut2, kStream.size()}}) {
        d.feed(std::string_view(kStream).substr(from, to - from));
        for (auto& e : drain(d)) got.push_back(e);
      }
      INFO("cuts at " << cut1 << ", " << cut2);
      REQUIRE(got == kExpected);
      CHECK(d.bufferedBytes() == 0);
    }
  }
}

TEST_CASE("watch decoder: a partial line waits for its newline or the end of stream", "[controller][kube][watch]") {
  WatchStreamDecoder d;
  d.feed("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"resourceVersion\":\"7\"}}}\n{\"type\":\"MODI");
  CHECK(drain(d) == std::vector<std::string>{"ADDED 7"});
  CHECK(d.bufferedBytes() == 13);
  d.feed("FIED\",\"object\":{\"metadata\":{\"resourceVersion\":\"8\"}}}");
  CHECK(drain(d).empty());  // no newline yet
  d.finish();
  CHECK(drain(d) == std::vector<std::string>{"MODIFIED 8"});
  d.feed("{\"type\":\"ADDED\"}\n");  // after finish: ignored
  CHECK(drain(d).empty());
  CHECK(d.eventsDecoded() == 2);
}

TEST_CASE("watch decoder: malformed lines are skipped and counted, CRLF tolerated", "[controller][kube][watch]") {
  WatchStreamDecoder d;
  d.feed(
      "\n   \r\nnot json\n[1,2]\n{\"type\":5}\n{\"object\":{}}\n{\"type\":\"ADDED\"\n"
      "{\"type\":\"ERROR\",\"object\":{\"code\":410}}\r\n{\"type\":\"BOOKMARK\"}\n");
  auto first = d.next();
  REQUIRE(first);
  CHECK(first->type == "ERROR");
  CHECK(first->object["code"] == 410);
  auto second = d.next();
  REQUIRE(second);
  CHECK(second->type == "BOOKMARK");
  CHECK(second->object.is_null());  // "object" absent
  CHECK_FALSE(d.next());
  CHECK(d.skippedLines() == 5);  // blank lines are not counted
  CHECK(d.status().isOk());
}

TEST_CASE("watch decoder: an overlong line fails the stream with bounded memory", "[controller][kube][watch]") {
  WatchStreamDecoder d(64);
  d.feed("{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\",\"object\":{\"pad\":\"");
  d.feed(std::string(40, 'x'));  // the partial line is now over 64 bytes
  CHECK_FALSE(d.status().isOk());
  CHECK(d.status().code() == StatusCode::Unavailable);
  CHECK(d.status().message().find("exceeds 64 bytes") != std::string::npos);
  CHECK(d.bufferedBytes() <= 64);
  d.feed(std::string(1000, 'y') + "\n{\"type\":\"DELETED\"}\n");  // ignored
  CHECK(drain(d) == std::vector<std::string>{"ADDED "});          // the line before the long one survives
  CHECK(d.bufferedBytes() == 0);

  WatchStreamDecoder whole(16);  // an overlong line that arrives complete in one feed
  whole.feed("{\"type\":\"A\"}\n{\"type\":\"LONGER-THAN-16\"}\n{\"type\":\"B\"}\n");
  CHECK(drain(whole) == std::vector<std::string>{"A "});
  CHECK_FALSE(whole.status().isOk());
}

TEST_CASE("watch decoder: deliver stops when the callback says so", "[controller][kube][watch]") {
  WatchStreamDecoder d;
  d.feed(kStream);
  int calls = 0;
  CHECK_FALSE(d.deliver([&](const WatchEvent&) { return ++calls < 2; }));
  CHECK(calls == 2);
  CHECK(drain(d) == std::vector<std::string>{"DELETED 3"});   // the rest stays available
  CHECK(d.deliver([](const WatchEvent&) { return false; }));  // nothing left: true
}

TEST_CASE("watch applier: object events change the cache, ERROR asks for a relist", "[controller][kube][watch]") {
  ObjectCache cache;
  std::string rv = "0";
  auto a = applyWatchEvent(cache, {"ADDED", pvc("x", "10")}, &rv);
  CHECK(a.outcome == AppliedWatchEvent::Outcome::Changed);
  CHECK(a.change == ChangeType::Added);
  CHECK(rv == "10");
  REQUIRE(cache.get("ns", "x"));

  a = applyWatchEvent(cache, {"ADDED", pvc("x", "11")}, &rv);  // already cached: a modification
  CHECK(a.change == ChangeType::Modified);
  CHECK(resourceVersionOf(*cache.get("ns", "x")) == "11");

  a = applyWatchEvent(cache, {"BOOKMARK", {{"metadata", {{"resourceVersion", "12"}}}}}, &rv);
  CHECK(a.outcome == AppliedWatchEvent::Outcome::Ignored);
  CHECK_FALSE(a.malformed);
  CHECK(rv == "12");

  a = applyWatchEvent(cache, {"DELETED", pvc("x", "13")}, &rv);
  CHECK(a.outcome == AppliedWatchEvent::Outcome::Changed);
  CHECK(a.change == ChangeType::Deleted);
  CHECK(resourceVersionOf(*a.object) == "13");
  CHECK_FALSE(cache.get("ns", "x"));

  a = applyWatchEvent(cache, {"ERROR", {{"code", 410}, {"message", "too old resource version"}}}, &rv);
  CHECK(a.outcome == AppliedWatchEvent::Outcome::Relist);
  CHECK(a.errorCode == 410);
  CHECK(a.errorMessage == "too old resource version");
  CHECK(rv == "13");
  a = applyWatchEvent(cache, {"ERROR", "not an object"}, &rv);
  CHECK(a.outcome == AppliedWatchEvent::Outcome::Relist);
  CHECK(a.errorCode == 0);
  a = applyWatchEvent(cache, {"ERROR", {{"code", "410"}, {"message", 7}}}, &rv);  // wrong types
  CHECK(a.errorCode == 0);
  CHECK(a.errorMessage.empty());
}

TEST_CASE("watch applier: malformed objects are ignored, never thrown on", "[controller][kube][watch]") {
  ObjectCache cache;
  std::string rv;
  std::vector<Object> bad = {
      nullptr,
      "text",
      Object::array(),
      {{"metadata", "x"}},
      {{"metadata", Object::object()}},
      {{"metadata", {{"name", 5}}}},
      {{"metadata", {{"name", ""}}}},
      {{"metadata", {{"name", "n"}, {"namespace", 3}}}},
      {{"metadata", {{"name", "n"}, {"resourceVersion", 99}}}},
  };
  for (const auto& obj : bad) {
    for (const char* type : {"ADDED", "MODIFIED", "DELETED"}) {
      INFO(type << " " << obj.dump());
      AppliedWatchEvent a;
      REQUIRE_NOTHROW(a = applyWatchEvent(cache, {type, obj}, &rv));
      CHECK(a.outcome == AppliedWatchEvent::Outcome::Ignored);
      CHECK(a.malformed);
      CHECK_FALSE(isCacheableObject(obj));
    }
  }
  CHECK(cache.size() == 0);
  // A malformed event still moves the resume point past itself.
  auto a = applyWatchEvent(cache, {"ADDED", {{"metadata", {{"name", 1}, {"resourceVersion", "44"}}}}}, &rv);
  CHECK(a.malformed);
  CHECK(rv == "44");
  CHECK(applyWatchEvent(cache, {"SOMETHING-NEW", pvc("y", "45")}, &rv).outcome == AppliedWatchEvent::Outcome::Ignored);
  CHECK(cache.size() == 0);
  CHECK(isCacheableObject(pvc("y", "45")));
}

TEST_CASE("informer: a malformed watch event is skipped, the stream goes on", "[controller][kube][watch]") {
  testing::FakeKubeApi api;
  Informer inf(api, resources::pvcs());
  std::atomic<int> added{0};
  inf.addHandler([&](ChangeType t, const Object& o) {
    if (t == ChangeType::Added && nameOf(o) == "ok") ++added;
  });
  inf.start();
  REQUIRE(inf.waitForSync(2s));
  // The watch starts after the list: sample the counters once it is open.
  for (int i = 0; i < 400 && api.watchCalls(resources::pvcs()) == 0; ++i) std::this_thread::sleep_for(5ms);
  int lists = api.listCalls(resources::pvcs()), watches = api.watchCalls(resources::pvcs());
  REQUIRE(watches == 1);
  api.pushWatchEvent(resources::pvcs(), {"ADDED", {{"metadata", {{"name", 5}, {"namespace", "ns"}}}}});
  api.pushWatchEvent(resources::pvcs(), {"ADDED", pvc("ok", "2")});
  for (int i = 0; i < 400 && added == 0; ++i) std::this_thread::sleep_for(5ms);
  CHECK(added == 1);
  CHECK(inf.cache().size() == 1);
  CHECK(api.listCalls(resources::pvcs()) == lists);     // no relist
  CHECK(api.watchCalls(resources::pvcs()) == watches);  // the same stream
  inf.stop();
}

namespace {

// A one-connection HTTP server on 127.0.0.1:0 that answers any request with
// a chunked 200 whose chunks are `pieces`, pausing between them so that the
// client sees them as separate reads. Records the request head.
class ChunkedServer {
 public:
  explicit ChunkedServer(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    REQUIRE(::listen(fd_, 1) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~ChunkedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  std::string requestHead() {
    if (thread_.joinable()) thread_.join();
    return head_;
  }

 private:
  void serve() {
    int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    char buf[4096];
    while (head_.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      head_.append(buf, static_cast<size_t>(n));
    }
    send(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (const auto& p : pieces_) {
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", p.size());
      send(c, size + p + "\r\n");
      std::this_thread::sleep_for(30ms);
    }
    send(c, "0\r\n\r\n");
    ::close(c);
  }
  static void send(int c, const std::string& s) {
    for (size_t off = 0; off < s.size();) {
      ssize_t n = ::write(c, s.data() + off, s.size() - off);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  std::vector<std::string> pieces_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string head_;
};

}  // namespace

TEST_CASE("RestApiClient::watch frames events split across chunks and reads", "[controller][kube][watch]") {
  // Cut inside the first event, inside the UTF-8 'é', between events, and end
  // with a line that has no newline.
  size_t e = kStream.find("\xc3\xa9");
  std::string tail = "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"resourceVersion\":\"4\"}}}";
  ChunkedServer server({kStream.substr(0, 20), kStream.substr(20, e + 1 - 20), kStream.substr(e + 1, 40),
                        kStream.substr(e + 41) + "garbage line\n", tail});
  auto config = std::make_shared<KubeConfig>();
  config->server = "http://127.0.0.1:" + std::to_string(server.port());
  RestApiClient client(config, 10s);
  WatchOptions wo;
  wo.resourceVersion = "1";
  wo.timeoutSeconds = 5;
  std::vector<std::string> got;
  std::string note;
  Cancellation cancel;
  Status s = client.watch(
      resources::pvcs(), "ns", wo,
      [&](const WatchEvent& ev) {
        got.push_back(ev.type + " " + resourceVersionOf(ev.object));
        if (ev.type == "ADDED") note = annotationOf(ev.object, "note");
        return true;
      },
      cancel);
  INFO(s.message());
  CHECK(s.isOk());
  CHECK(got == std::vector<std::string>{"ADDED 1", "BOOKMARK 2", "DELETED 3", "MODIFIED 4"});
  CHECK(note == "caf\xc3\xa9");
  std::string head = server.requestHead();
  CHECK(head.rfind("GET /api/v1/namespaces/ns/persistentvolumeclaims?watch=true", 0) == 0);
  CHECK(head.find("resourceVersion=1") != std::string::npos);
}

TEST_CASE("RestApiClient::watch stops when the callback returns false", "[controller][kube][watch]") {
  ChunkedServer server({kStream});
  auto config = std::make_shared<KubeConfig>();
  config->server = "http://127.0.0.1:" + std::to_string(server.port());
  RestApiClient client(config, 10s);
  int calls = 0;
  Cancellation cancel;
  Status s = client.watch(
      resources::pvcs(), "", WatchOptions{}, [&](const WatchEvent&) { return ++calls < 2; }, cancel);
  CHECK(s.isOk());
  CHECK(calls == 2);
}

}  // namespace ossvp::controller::kube
