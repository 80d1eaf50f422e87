#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "ossvp/populator/pod_annotator.h"
#include "ossvp/populator/progress_reporter.h"
#include "test_util.h"

using namespace ossvp::populator;
using namespace ossvp::populator::testutil;

namespace {

// A one-thread HTTP/1.1 stub on 127.0.0.1:0 that records each request and
// answers with `status`.
class ApiStub {
 public:
  explicit ApiStub(int status) : status_(status) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ApiStub() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void serve() {
    while (true) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      size_t need = std::string::npos;
      while (true) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
        auto hdrEnd = req.find("\r\n\r\n");
        if (hdrEnd != std::string::npos && need == std::string::npos) {
          auto cl = req.find("Content-Length: ");
          size_t len = cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16));
          need = hdrEnd + 4 + len;
        }
        if (need != std::string::npos && req.size() >= need) break;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(req);
      }
      std::string resp = "HTTP/1.1 " + std::to_string(status_) +
                         " X\r\nContent-Type: application/json\r\n"
                         "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
      (void)!::write(c, resp.data(), resp.size());
      ::close(c);
    }
  }
  int status_;
  int fd_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

std::string bodyOf(const std::string& req) { return req.substr(req.find("\r\n\r\n") + 4); }

struct PodEnv {
  explicit PodEnv(const std::string& apiUrl, const std::string& tokenFile) {
    ::setenv("POD_NAME", "populate-1234", 1);
    ::setenv("POD_NAMESPACE", "ack-volume-populator", 1);
    ::setenv("OSSVP_KUBE_API_URL", apiUrl.c_str(), 1);
    ::setenv("OSSVP_KUBE_TOKEN_FILE", tokenFile.c_str(), 1);
  }
  ~PodEnv() {
    for (const char* n : {"POD_NAME", "POD_NAMESPACE", "OSSVP_KUBE_API_URL", "OSSVP_KUBE_TOKEN_FILE"}) ::unsetenv(n);
  }
};

}  // namespace

TEST_CASE("outside a Pod there is no annotator", "[unit]") {
  ::unsetenv("POD_NAME");
  CHECK_FALSE(detectPodTarget());
}

TEST_CASE("the annotation is a JSON merge-patch of the pod with the SA token", "[unit]") {
  ApiStub api(200);
  TempDir dir;
  writeFile(dir.path() + "/token", "tok-abc-123\n");
  PodEnv env(api.url(), dir.path() + "/token");
  auto target = detectPodTarget();
  REQUIRE(target);
  CHECK(target->apiUrl == api.url());
  PodAnnotator annotator(*target);
  std::string progress =
      R"({"phase":"copying","bytesDone":1,"bytesTotal":2,"objectsDone":0,"objectsTotal":1,"throughputMBps":0.5})";
  REQUIRE(annotator.patch(progress).isOk());
  auto reqs = api.requests();
  REQUIRE(reqs.size() == 1);
  const std::string& r = reqs[0];
  CHECK(r.rfind("PATCH /api/v1/namespaces/ack-volume-populator/pods/populate-1234 HTTP/1.1", 0) == 0);
  CHECK(r.find("Content-Type: application/merge-patch+json") != std::string::npos);
  CHECK(r.find("Authorization: Bearer tok-abc-123\r\n") != std::string::npos);
  auto body = nlohmann::json::parse(bodyOf(r));
  CHECK(body["metadata"]["annotations"]["storage.alibabacloud.com/populator-progress"] == progress);
}

TEST_CASE("a refused patch is reported but never throws or blocks the copy", "[unit]") {
  ApiStub api(403);
  TempDir dir;
  writeFile(dir.path() + "/token", "tok");
  PodEnv env(api.url(), dir.path() + "/token");
  PodAnnotator annotator(*detectPodTarget());
  ossvp::Status st = annotator.patch("{}");
  CHECK_FALSE(st.isOk());
  CHECK(st.message().find("HTTP 403") != std::string::npos);

  PodTarget dead{"http://127.0.0.1:1", dir.path() + "/token", "", "ns", "p"};
  PodAnnotator unreachable(dead);
  CHECK_FALSE(unreachable.patch("{}").isOk());
}

TEST_CASE("the reporter patches at most every 2 s and always sends the final state", "[unit]") {
  ApiStub api(200);
  TempDir dir;
  writeFile(dir.path() + "/token", "tok");
  PodEnv env(api.url(), dir.path() + "/token");
  ProgressTracker tracker;
  tracker.setTotals(10, 1);
  std::FILE* out = std::tmpfile();
  {
    ProgressReporter reporter(&tracker, ProgressMode::Json, 0.1, std::make_unique<PodAnnotator>(*detectPodTarget()),
                              out);
    reporter.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    tracker.addBytes(10);
    tracker.addObjects(1);
    tracker.setPhase(kPhaseDone);
    reporter.stop();
  }
  auto reqs = api.requests();
  REQUIRE(reqs.size() == 2);  // the first at start, the final one 2 s later
  auto last = nlohmann::json::parse(bodyOf(reqs.back()));
  auto progress = nlohmann::json::parse(
      last["metadata"]["annotations"]["storage.alibabacloud.com/populator-progress"].get<std::string>());
  CHECK(progress["phase"] == "done");
  CHECK(progress["bytesDone"] == 10);
  // stdout had several JSON lines (every 0.1 s), each parseable.
  std::rewind(out);
  char line[512];
  int lines = 0;
  while (std::fgets(line, sizeof line, out)) {
    CHECK(nlohmann::json::parse(line)["bytesTotal"] == 10);
    ++lines;
  }
  std::fclose(out);
  CHECK(lines >= 4);
}
