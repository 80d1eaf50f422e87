#include "ossvp/ossemu/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "http_conn.h"
#include "ossvp/common/log.h"

namespace ossvp::ossemu {

Result<std::unique_ptr<Server>> Server::start(Emulator& emulator, const std::string& listen) {
  std::unique_ptr<Server> s(new Server(emulator));
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return invalidArgument("--listen must be HOST:PORT, got '" + listen + "'");
  s->host_ = listen.substr(0, colon);
  int port = std::atoi(listen.c_str() + colon + 1);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, s->host_.c_str(), &addr.sin_addr) != 1) {
    return invalidArgument("--listen host must be a numeric IPv4 address (e.g. 127.0.0.1), got '" + s->host_ + "'");
  }
  s->listenFd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(s->listenFd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(s->listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return unavailable("cannot bind " + listen + ": " + std::strerror(errno) + " (pick another port or 0)");
  }
  if (::listen(s->listenFd_, 1024) != 0) return unavailable(std::string("listen: ") + std::strerror(errno));
  socklen_t len = sizeof addr;
  ::getsockname(s->listenFd_, reinterpret_cast<sockaddr*>(&addr), &len);
  s->port_ = ntohs(addr.sin_port);
  s->acceptThread_ = std::thread([p = s.get()] { p->acceptLoop(); });
  return s;
}

Server::~Server() { stop(); }

std::string Server::endpoint() const { return "http://" + host_ + ":" + std::to_string(port_); }

void Server::acceptLoop() {
  while (!stopping_) {
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(listenFd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stopping_) break;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        logWarn("oss-emulator: accept: {} (raise the open-files limit)", std::strerror(errno));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      break;
    }
    char ip[INET_ADDRSTRLEN] = {0};
    inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    std::string peerName = std::string(ip) + ":" + std::to_string(ntohs(peer.sin_port));
    std::lock_guard<std::mutex> lock(mu_);
    reapLocked();
    connections_.insert(fd);
    ++active_;
    uint64_t id = nextThreadId_++;
    threads_[id] = std::thread([this, fd, peerName, id] { serve(fd, peerName, id); });
  }
}

// Joins connection threads that have finished (their stacks are freed).
void Server::reapLocked() {
  for (uint64_t id : finished_) {
    auto it = threads_.find(id);
    if (it == threads_.end()) continue;
    it->second.join();
    threads_.erase(it);
  }
  finished_.clear();
}

void Server::serve(int fd, std::string peer, uint64_t threadId) {
  {
    HttpConn conn(fd, peer);
    while (!stopping_) {
      HttpRequest req;
      if (!conn.readRequest(&req)) break;
      BodyReader body(conn, req);
      HttpResponse resp;
      FaultPlan plan;
      std::string op;
      try {
        emulator_.handle(req, body, &resp, &plan, &op);
      } catch (const std::exception& e) {
        logError("oss-emulator: {} {}: {}", req.method, req.target, e.what());
        resp = HttpResponse{};
        resp.status = 500;
        resp.body = "internal error";
      }
      if (req.method == "HEAD") resp.headOnly = true;
      if (!req.keepAlive()) resp.closeAfter = true;
      if (!body.finished()) {
        // The handler did not read the body (an early error). A client waiting
        // for 100-continue has not sent it; otherwise drain it so the client
        // reads our response instead of a reset.
        if (body.awaitingContinue() || !body.drain()) resp.closeAfter = true;
      }
      uint64_t sent = 0;
      bool keep = conn.writeResponse(resp, plan, &sent);
      emulator_.stats().record(op, resp.status, body.consumed(), sent);
      logDebug("{} {} {} -> {} ({} bytes)", peer, req.method, req.target, resp.status, sent);
      if (!keep) break;
    }
    std::lock_guard<std::mutex> lock(mu_);
    connections_.erase(fd);  // before the fd number can be reused
  }                          // closes fd
  std::lock_guard<std::mutex> lock(mu_);
  --active_;
  finished_.push_back(threadId);
  cv_.notify_all();
}

void Server::stop() {
  if (stopping_.exchange(true)) return;
  if (listenFd_ >= 0) {
    ::shutdown(listenFd_, SHUT_RDWR);
    ::close(listenFd_);
  }
  if (acceptThread_.joinable()) acceptThread_.join();
  std::unique_lock<std::mutex> lock(mu_);
  for (int fd : connections_) ::shutdown(fd, SHUT_RDWR);
  bool all = cv_.wait_for(lock, std::chrono::seconds(10), [this] { return active_ == 0; });
  if (all) {
    reapLocked();  // every thread has finished: join them all
  } else {
    for (auto& [id, t] : threads_) t.detach();  // stuck in a stall: let the process exit anyway
  }
  threads_.clear();
}

}  // namespace ossvp::ossemu
