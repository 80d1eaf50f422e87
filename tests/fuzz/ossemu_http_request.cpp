// Fuzz target: the OSS emulator's request path — HTTP/1.1 head parsing,
// Content-Length / chunked / aws-chunked bodies (HttpConn, BodyReader),
// routing (control, RPC, OSS/S3: host -> bucket, query sub-resources),
// signature verification and the OSS operations — on a fresh in-memory
// emulator per input (hack/oss-emulator/include/ossvp/ossemu/emulator.h).
// Input: raw bytes a client would send (up to 4 pipelined requests), fed to
// HttpConn through a socketpair. Anonymous access is allowed so unsigned
// requests reach the operations; the /-/ control endpoints are skipped
// (they configure latency faults). Responses are built but not sent.
// Invariants: no crash/UB/exception/hang; every handled request gets a
// status in 100..599.
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "fuzz_util.h"
#include "http_conn.h"
#include "ossvp/ossemu/emulator.h"

using namespace ossvp::ossemu;

namespace {

const std::string& scratchDir() {
  static const std::string dir = [] {
    std::string templ = std::filesystem::temp_directory_path().string() + "/ossvp-fuzz-ossemu-XXXXXX";
    char* d = ::mkdtemp(templ.data());
    FUZZ_CHECK(d != nullptr, "mkdtemp failed");
    std::signal(SIGPIPE, SIG_IGN);
    return std::string(d);
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ossvp::fuzz::quietLogs();
  if (size > 64 * 1024) return 0;  // fits the socket buffer: no writer thread needed
  EmulatorOptions opt;
  opt.inMemory = true;
  opt.allowAnonymous = true;
  opt.cpfsRoot = scratchDir();
  auto emu = Emulator::create(opt);
  FUZZ_CHECK(emu.isOk(), "cannot create the emulator");

  int fds[2];
  FUZZ_CHECK(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0, "socketpair failed");
  int sndbuf = 256 * 1024;
  ::setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  size_t off = 0;
  while (off < size) {
    ssize_t n = ::send(fds[1], data + off, size - off, MSG_NOSIGNAL);
    FUZZ_CHECK(n > 0, "cannot feed the socket");
    off += static_cast<size_t>(n);
  }
  ::shutdown(fds[1], SHUT_WR);
  {
    HttpConn conn(fds[0], "127.0.0.1:40000");  // owns fds[0]
    HttpRequest req;
    for (int i = 0; i < 4 && conn.readRequest(&req); ++i) {
      BodyReader body(conn, req);
      if (req.rawPath.rfind("/-/", 0) == 0) {
        if (!body.drain()) break;
        continue;
      }
      HttpResponse resp;
      FaultPlan plan;
      std::string op;
      (*emu)->handle(req, body, &resp, &plan, &op);
      FUZZ_CHECK(resp.status >= 100 && resp.status <= 599, "invalid status " + std::to_string(resp.status));
      if (!body.drain()) break;
    }
  }
  ::close(fds[1]);
  return 0;
}
